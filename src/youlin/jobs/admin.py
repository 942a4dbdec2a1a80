"""Jobs in the admin: read-only and scoped by the access policy (cancel and retry are on the job's page)."""

from django.contrib import admin

from youlin.access.admin import ScopedAdmin
from youlin.jobs.models import Job


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    list_display = ("kind", "community", "filename", "status", "total_rows", "processed_rows", "created_at")
    list_filter = ("kind", "status")
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
