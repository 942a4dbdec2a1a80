from django.contrib import admin

from youlin.access.admin import ScopedAdmin
from youlin.deliberation.models import ActionItem, Meeting, PublicNotice


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ("title", "kind", "community", "starts_at", "status")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Meeting._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # meetings are convened through the services (pages), which check the stages


@admin.register(ActionItem)
class ActionItemAdmin(ScopedAdmin):
    list_display = ("title", "due_on", "status", "assignee_organisation", "assignee_person")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ActionItem._meta.concrete_fields]

    def has_add_permission(self, request):
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(ScopedAdmin):
    list_display = ("title", "community", "starts_at", "ends_at", "review_on")
    readonly_fields = [f.name for f in PublicNotice._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
