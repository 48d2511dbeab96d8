from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, User


@admin.register(User)
class WeijianUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("范围", {"fields": ("role", "org_unit", "department", "leader", "is_demo")}),
    )
    list_display = ("username", "first_name", "role", "org_unit", "department", "is_demo", "is_active")
    list_filter = ("role", "is_demo", "is_active")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "old_value", "new_value")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id", "detail")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
