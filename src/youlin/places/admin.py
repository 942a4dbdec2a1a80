from django.contrib import admin

from youlin.access.admin import ScopedAdmin, ScopedTabularInline
from youlin.places.models import Building, Community, Compound, District, Entrance, Grid, NamedPoint, Subdistrict, Zone


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ("code", "name")


@admin.register(Subdistrict)
class SubdistrictAdmin(ScopedAdmin):
    list_display = ("code", "name", "district")


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ("code", "name", "subdistrict", "households")
    search_fields = ("name", "code")


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "households")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("community",)


class EntranceInline(ScopedTabularInline):
    model = Entrance
    extra = 0


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("name", "compound", "households")
    search_fields = ("name", "compound__name")
    list_select_related = ("compound",)
    inlines = [EntranceInline]


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ("code", "name", "community")
    list_select_related = ("community",)


@admin.register(Zone)
class ZoneAdmin(ScopedAdmin):
    list_display = ("name", "community")
    list_select_related = ("community",)


@admin.register(NamedPoint)
class NamedPointAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "compound")
    list_select_related = ("community", "compound")
