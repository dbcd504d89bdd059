"""Admin: security level policies are edited here; the rest is read-only (writes go through actions)."""

from django.contrib import admin

from apps.privacy.models import ClassificationConflict, DetectionRun, ForgetRequest, LevelPolicy


@admin.register(LevelPolicy)
class LevelPolicyAdmin(admin.ModelAdmin):
    """What each security level means for personal data (missing levels use the defaults)."""

    list_display = ("level", "allows_personal_data", "mask_personal_data", "hide_sample_queries")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DetectionRun)
class DetectionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "trigger", "source_name", "sample", "status", "columns_checked", "suggestions")
    list_filter = ("status", "trigger")


@admin.register(ClassificationConflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ("product", "classification", "confirmed", "detected_at", "resolved_at")


@admin.register(ForgetRequest)
class ForgetRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "identifier_type", "status", "created_at", "closed_at")
