"""Read-mostly admin views of scores and incidents (writes go through apps.trust.actions)."""

from django.contrib import admin

from apps.trust.models import Incident, IncidentUpdate, MaturityScore, ProductMaturity


class ReadOnlyAdmin(admin.ModelAdmin):
    """Computed rows: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProductMaturity)
class ProductMaturityAdmin(ReadOnlyAdmin):
    list_display = ("product", "score", "level", "weakest", "computed_at")
    list_filter = ("level",)
    search_fields = ("product__slug", "product__name")
    list_select_related = ("product",)


@admin.register(MaturityScore)
class MaturityScoreAdmin(ReadOnlyAdmin):
    list_display = ("product", "score", "level", "recorded_at")
    list_select_related = ("product",)


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    can_delete = False
    readonly_fields = ("time", "kind", "message", "author_label")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("title", "product", "severity", "cause", "opened_at", "resolved_at")
    list_filter = ("severity", "cause")
    list_select_related = ("product",)
    inlines = [IncidentUpdateInline]
