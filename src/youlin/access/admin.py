"""Django admin, scoped by the same policy as the site: a staff user sees, picks, saves and deletes only rows of
their jurisdiction. Every youlin model's admin is a ``ScopedAdmin`` and every inline a ``ScopedInline`` (a test
keeps it so).

- lists and pages: ``policy.scope`` (view), each row's page ``policy.can`` (view / change);
- form choices (foreign keys, many-to-many, raw ids alike): ``policy.choices``, person names masked as on the
  site (``policy.person_label``);
- saves: the saved row (and every inline row) must be one the user may change afterwards, else the whole save is
  rolled back with 403 (a foreign ``community`` that slipped past a form is refused at the save itself);
- deletes: superusers (the district) only, and only rows the policy lets them change.

Models without a jurisdiction rule (reference data, identities, bookkeeping) are the district's: only superusers
see their admin pages.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from youlin.access import policy

PUBLIC_CHOICES = policy.PUBLIC_CHOICES


def _has_rule(model) -> bool:
    try:
        policy.rule_for(model)
    except LookupError:
        return False
    return True


def _limit(request, db_field, kwargs) -> dict:
    """The choices of a relation field: rows of the user's jurisdiction, people named as the site names them."""
    queryset = kwargs.get("queryset")
    if queryset is None:
        queryset = db_field.remote_field.model._default_manager.all()
    kwargs["queryset"] = policy.choices(request.user, queryset)
    return kwargs


def _label(request, field):
    if field is not None and hasattr(field, "queryset") and policy.is_person_model(field.queryset.model):
        field.label_from_instance = policy.person_label(request.user)
    return field


def _require_change(request, obj) -> None:
    if _has_rule(type(obj)):
        allowed = policy.can(request.user, policy.CHANGE, obj)
    else:
        allowed = policy.jurisdiction_of(request.user).everything
    if not allowed:
        raise PermissionDenied


class ScopedFormFields:
    """Relation fields of admin forms (the model's own and its inlines') offer only rows of the jurisdiction."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _label(request, super().formfield_for_foreignkey(db_field, request, **_limit(request, db_field, kwargs)))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **_limit(request, db_field, kwargs))
        return _label(request, field)


class ScopedAdmin(ScopedFormFields, admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not _has_rule(self.model):
            return queryset if policy.jurisdiction_of(request.user).everything else queryset.none()
        return policy.scope(request.user, queryset, policy.VIEW)

    def _in_jurisdiction(self, request) -> bool:
        j = policy.jurisdiction_of(request.user)
        if not _has_rule(self.model):
            return j.everything
        return j.everything or bool(j.manage_community_ids)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._in_jurisdiction(request)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or policy.can(request.user, policy.VIEW, obj)

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or policy.can(request.user, policy.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        if not (self.has_module_permission(request) and policy.jurisdiction_of(request.user).everything):
            return False
        return obj is None or policy.can(request.user, policy.CHANGE, obj)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            _require_change(request, type(obj)._default_manager.get(pk=obj.pk))  # where the row was
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            _require_change(request, obj)  # and where it is now

    def save_formset(self, request, form, formset, change):
        for deleted in getattr(formset, "deleted_forms", ()):
            if deleted.instance.pk is not None:
                _require_change(request, deleted.instance)  # before it goes: a deleted row cannot be asked after
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for row in formset.new_objects + [row for row, _changed in formset.changed_objects]:
                _require_change(request, row)

    def delete_model(self, request, obj):
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        if _has_rule(queryset.model):
            allowed = policy.scope(request.user, queryset, policy.CHANGE)
            if allowed.count() != queryset.count():
                raise PermissionDenied
        super().delete_queryset(request, queryset)


class ScopedInline(ScopedFormFields, admin.options.InlineModelAdmin):
    """An inline whose relation fields offer only rows of the jurisdiction. The policy, not Django's model
    permissions, decides what its rows allow: they are seen by whoever may see the parent, and added, changed
    or deleted only by the district (inline rows are such things as a person's roles: a community's staff
    must not grant them), unless an inline sets ``staff_may_edit``; each row saved is checked by the parent's
    ``save_formset``, and each row deleted before it goes."""

    staff_may_edit = False

    def _may_see(self, request, obj) -> bool:
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or policy.can(request.user, policy.VIEW, obj)

    def _may_edit(self, request, obj) -> bool:
        if not self._may_see(request, obj):
            return False
        j = policy.jurisdiction_of(request.user)
        if j.everything:
            return True
        return self.staff_may_edit and (obj is None or policy.can(request.user, policy.CHANGE, obj))

    def has_view_permission(self, request, obj=None):
        return self._may_see(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass
