"""Admin: the category corrections staff made, read-only (they are written by ``services.correction_record``
and read by ``youlin intake train``)."""

from django.contrib import admin

from youlin.access.admin import ScopedAdmin
from youlin.intake.models import CategoryCorrection


@admin.register(CategoryCorrection)
class CategoryCorrectionAdmin(ScopedAdmin):
    list_display = ("at", "case", "from_category", "to_category", "actor")
    list_select_related = ("case", "from_category", "to_category", "actor")
    search_fields = ("text", "case__number")
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CategoryCorrection._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
