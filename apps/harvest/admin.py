from django.contrib import admin

from apps.harvest.models import HarvestRun, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Secrets are excluded: the admin never shows or edits them."""

    list_display = ("name", "kind", "enabled", "schedule")
    exclude = ("secrets",)


@admin.register(HarvestRun)
class HarvestRunAdmin(admin.ModelAdmin):
    list_display = ("source", "status", "triggered_by", "queued_at", "finished_at")
    list_filter = ("status",)
