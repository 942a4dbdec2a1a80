"""Read-only, policy-scoped admin pages: every write goes through ``services`` (and its checks)."""

from django.contrib import admin

from youlin.access.admin import ScopedAdmin
from youlin.ledgers.models import Campaign, FrontageDuty, Ledger, LedgerEntry, Visit, ZoneLog


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "community", "starts_on", "ends_on", "target_count")
    list_filter = ("community",)


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "community")
    list_filter = ("kind", "community")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ("ledger", "seq", "location_text", "status", "deadline", "responsible_party")
    list_filter = ("status", "ledger")
    search_fields = ("location_text", "description")
    raw_id_fields = ("case", "compound", "building", "category", "responsible_party", "campaign")


@admin.register(Visit)
class VisitAdmin(ReadOnlyScopedAdmin):
    list_display = ("building", "entrance", "visited_on", "households_reached", "person")


@admin.register(FrontageDuty)
class FrontageDutyAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "community", "responsible_person", "is_active")


@admin.register(ZoneLog)
class ZoneLogAdmin(ReadOnlyScopedAdmin):
    list_display = ("zone", "organisation", "kind", "logged_at")
