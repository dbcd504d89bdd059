from django.contrib import admin

from apps.harvest.openlineage.models import LineageEvent


@admin.register(LineageEvent)
class LineageEventAdmin(admin.ModelAdmin):
    """Accepted OpenLineage events, read-only: they are written only by the intake."""

    list_display = ["received_at", "job_namespace", "job_name", "event_type", "run_id", "producer"]
    list_filter = ["event_type"]
    search_fields = ["job_name", "run_id"]
    readonly_fields = [f.name for f in LineageEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
