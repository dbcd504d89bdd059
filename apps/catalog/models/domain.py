"""Domains: the organisation's areas of ownership, nestable."""

from django.core.validators import validate_slug
from django.db import models
from django.urls import reverse

from apps.core.models import ChangeLoggedModel


class DomainQuerySet(models.QuerySet):
    def subtree(self, domain: "Domain"):
        """The domain and all its descendants, in one query on the materialized path."""
        return self.filter(path__startswith=domain.path)

    def ancestors_of(self, domain: "Domain"):
        slugs = [s for s in domain.path.strip("/").split("/") if s]
        return self.filter(slug__in=slugs).order_by("depth")


class Domain(ChangeLoggedModel):
    """A business domain (sales, marketing, ...). ``path`` is ``/root/child/`` by slug.

    The path is maintained by ``apps.catalog.actions`` so that tree queries (subtree,
    ancestors, ordering for display) are single indexed queries, never Python recursion.
    """

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = DomainQuerySet.as_manager()
    history_fields = ("slug", "name", "description", "parent")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="domain_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:domain_detail", args=[self.slug])

    def compute_path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.slug}/"
