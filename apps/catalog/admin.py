"""Admin for the platform team. Business edits should go through pages and actions; the
admin is read-mostly for harvested data."""

from django.contrib import admin

from apps.catalog import models as m


@admin.register(m.Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "path", "depth")
    search_fields = ("name", "slug")
    readonly_fields = ("path", "depth")


@admin.register(m.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email")
    search_fields = ("name", "slug")
    filter_horizontal = ("members",)


@admin.register(m.Ownership)
class OwnershipAdmin(admin.ModelAdmin):
    list_display = ("__str__", "role")
    list_filter = ("role",)
    list_select_related = ("user", "team", "domain", "product")


class PortInline(admin.TabularInline):
    model = m.Port
    fk_name = "product"
    extra = 0
    fields = ("direction", "name", "protocol", "format", "endpoint")


@admin.register(m.DataProduct)
class DataProductAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain", "lifecycle", "classification", "updated_at")
    list_filter = ("lifecycle", "classification", "domain")
    search_fields = ("name", "slug", "summary")
    list_select_related = ("domain",)
    inlines = [PortInline]


@admin.register(m.Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "namespace", "platform", "kind", "row_estimate", "removed_at")
    list_filter = ("platform", "kind")
    search_fields = ("name", "namespace")
    readonly_fields = [f.name for f in m.Dataset._meta.fields]


admin.site.register(m.Tag)
