from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from youlin.access.admin import ScopedAdmin
from youlin.accounts.models import User


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """Accounts have no jurisdiction rule: the district's only (``ScopedAdmin``)."""

    fieldsets = (*BaseUserAdmin.fieldsets, (_("友邻"), {"fields": ("display_name", "is_demo")}))
    list_display = ("username", "display_name", "is_staff", "is_demo", "is_active")
