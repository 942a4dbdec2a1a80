from django.contrib import admin

from youlin.access.admin import ScopedAdmin, ScopedTabularInline
from youlin.parties.models import Membership, Organisation, Person, Responsibility


class MembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("organisation", "community", "compound", "building", "entrance", "grid", "zone")


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "subdistrict")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("community", "subdistrict")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "community")
    search_fields = ("name",)
    list_select_related = ("community",)
    inlines = [MembershipInline]


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    list_display = ("organisation", "duty", "compound", "building", "zone")
    list_filter = ("duty",)
    list_select_related = ("organisation", "compound", "building", "zone")
