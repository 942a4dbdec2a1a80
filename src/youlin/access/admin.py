"""Django admin, scoped by the same policy as the site: a staff user edits only their jurisdiction."""

from django.contrib import admin

from youlin.access import policy


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return policy.scope(request.user, super().get_queryset(request), policy.VIEW)

    def _in_jurisdiction(self, request) -> bool:
        j = policy.jurisdiction_of(request.user)
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
        return request.user.is_superuser

    def has_add_permission(self, request):
        return self.has_module_permission(request)
