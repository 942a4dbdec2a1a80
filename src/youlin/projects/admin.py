from django.contrib import admin

from youlin.access.admin import ScopedAdmin
from youlin.projects.models import Project


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ("title", "community", "status", "progress", "applied_at", "accepted_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Project._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # projects are applied for through the services, which check the stages
