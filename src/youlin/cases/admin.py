"""Admin for cases: a read-only window on the loop (changes go through the services), editable categories and
routing rules."""

from django.contrib import admin
from django.utils.translation import gettext as _

from youlin.access import policy
from youlin.access.admin import ScopedAdmin, ScopedTabularInline
from youlin.cases import workdays
from youlin.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseExtension,
    Category,
    CategoryTimeLimit,
    RoutingRule,
    WorkdayOverride,
)
from youlin.places.models import Community


class ReadOnlyInline(ScopedTabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseAssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fields = ("organisation", "duty", "accepted_at")
    readonly_fields = fields


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "kind", "actor_label", "from_status", "to_status", "note")
    readonly_fields = fields
    ordering = ("at", "id")


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ("number", "category", "community", "status", "deadline", "needs_deliberation")
    list_filter = ("status", "channel", "urgency", "needs_deliberation")
    search_fields = ("number", "description", "hotline_number")
    list_select_related = ("category", "community")
    inlines = (CaseAssignmentInline, CaseEventInline)
    date_hierarchy = "registered_at"

    def get_readonly_fields(self, request, obj=None):
        # The loop's state changes only through services (version check + timeline); the admin only reads it.
        return [f.name for f in Case._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseExtension)
class CaseExtensionAdmin(ScopedAdmin):
    list_display = ("case", "status", "old_deadline", "requested_deadline", "decided_at")
    list_filter = ("status",)
    list_select_related = ("case",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(ScopedAdmin):
    list_display = (
        "code",
        "kind",
        "major",
        "name",
        "urgency",
        "time_limit",
        "time_limit_unit",
        "is_local",
        "is_active",
    )
    list_filter = ("kind", "major", "urgency", "time_limit_unit", "is_local", "is_active")
    search_fields = ("code", "name")
    list_editable = ("urgency", "time_limit", "time_limit_unit", "is_active")

    def changelist_view(self, request, extra_context=None):
        _warn_unknown_years(request)
        return super().changelist_view(request, extra_context)

    readonly_fields = ("code", "kind", "major_code", "major", "name", "is_local")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin):
    list_display = ("__str__", "community", "priority", "is_active")
    list_filter = ("place_kind", "duty", "is_active")
    list_select_related = ("community", "category")
    autocomplete_fields = ("category",)

    def get_readonly_fields(self, request, obj=None):
        return ("key",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = policy.scope(request.user, Community.objects.all(), policy.CHANGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CategoryTimeLimit)
class CategoryTimeLimitAdmin(ScopedAdmin):
    """Sub-district officers set their own time limits per category."""

    list_display = ("subdistrict", "category", "urgency", "time_limit", "time_limit_unit")

    def changelist_view(self, request, extra_context=None):
        _warn_unknown_years(request)
        return super().changelist_view(request, extra_context)

    list_select_related = ("subdistrict", "category")
    autocomplete_fields = ("category",)
    search_fields = ("category__name", "category__code")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "subdistrict":
            from youlin.access import policy
            from youlin.places.models import Subdistrict

            kwargs["queryset"] = policy.scope(request.user, Subdistrict.objects.all(), policy.CHANGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _warn_unknown_years(request) -> None:
    """Working days of a year the official calendar does not know yet fall back to Monday–Friday: say so."""
    from django.contrib import messages
    from django.utils import timezone

    year = timezone.localdate().year
    unknown = [y for y in (year, year + 1) if not workdays.year_known(y)]
    if unknown:
        messages.warning(
            request,
            _("%(years)s 年的法定节假日和调休安排尚未收录，暂按周一至周五计算工作日；可在“工作日调整”中录入。")
            % {"years": "、".join(str(y) for y in unknown)},
        )


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(ScopedAdmin):
    """The district's own working days over the official calendar (district administrators only: the model has
    no jurisdiction rule, so ``ScopedAdmin`` shows it to superusers alone)."""

    list_display = ("day", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        _warn_unknown_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workdays.forget_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.forget_overrides()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        workdays.forget_overrides()
