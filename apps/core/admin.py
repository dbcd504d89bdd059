from django.contrib import admin

from apps.core.models import ObjectChange


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """The change log is append-only: visible, never editable."""

    list_display = ("time", "actor_label", "via", "action", "content_type", "object_repr")
    list_filter = ("action", "via", "content_type")
    search_fields = ("object_repr", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
