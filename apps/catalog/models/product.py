"""Data products, their ports and tags."""

from django.core.validators import MinValueValidator, RegexValidator, validate_slug
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.catalog.models.choices import Classification, Lifecycle, PortDirection, PortProtocol
from apps.core.models import ChangeLoggedModel


class Tag(models.Model):
    """A free label shared by products and datasets (``pii``, ``gold``, ``finance``)."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug


class DataProduct(ChangeLoggedModel):
    """A domain-owned data product: what consumers find, trust and query.

    ``revision`` increases with every saved edit; editors send the revision they loaded
    so that a concurrent edit is refused as a conflict instead of silently overwritten.
    """

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    domain = models.ForeignKey("catalog.Domain", on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Markdown documentation.")
    lifecycle = models.CharField(max_length=12, choices=Lifecycle.choices, default=Lifecycle.DRAFT)
    classification = models.CharField(max_length=12, choices=Classification.choices, default=Classification.INTERNAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    cost_per_month = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    cost_currency = models.CharField(
        max_length=3, blank=True, validators=[RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as EUR.")]
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    history_fields = (
        "slug",
        "domain",
        "name",
        "summary",
        "description",
        "lifecycle",
        "classification",
        "tags",
        "cost_per_month",
        "cost_currency",
        "revision",
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["lifecycle"], name="product_lifecycle_idx"),
            models.Index(fields=["classification"], name="product_classification_idx"),
            models.Index(fields=["-updated_at"], name="product_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_per_month__isnull=True) | Q(cost_per_month__gte=0), name="product_cost_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(cost_per_month__isnull=True) | ~Q(cost_currency=""),
                name="product_cost_has_currency",
                violation_error_message="A cost needs a currency.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product_detail", args=[self.slug])


class Port(ChangeLoggedModel):
    """An input or output port of a product.

    An output port publishes datasets at an endpoint (non-secret connection details only);
    an input port consumes datasets or, through ``upstream_port``, another product's output
    port — which is how product-to-product lineage is known.
    """

    product = models.ForeignKey(DataProduct, on_delete=models.CASCADE, related_name="ports")
    direction = models.CharField(max_length=6, choices=PortDirection.choices)
    name = models.CharField(max_length=200)
    protocol = models.CharField(max_length=12, choices=PortProtocol.choices, default=PortProtocol.OTHER)
    format = models.CharField(max_length=50, blank=True, help_text="table, parquet, avro, json, csv, ...")
    endpoint = models.CharField(
        max_length=500, blank=True, help_text="Non-secret address, e.g. postgres://warehouse:5432/analytics"
    )
    endpoint_details = models.JSONField(
        default=dict,
        blank=True,
        help_text="Structured non-secret details (host, port, database, schema, region, topic).",
    )
    description = models.TextField(blank=True)
    upstream_port = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="consumer_ports"
    )
    datasets = models.ManyToManyField(
        "catalog.Dataset", through="catalog.PortDataset", blank=True, related_name="ports"
    )

    history_fields = (
        "name",
        "direction",
        "protocol",
        "format",
        "endpoint",
        "endpoint_details",
        "description",
        "upstream_port",
        "datasets",
    )

    class Meta:
        ordering = ["direction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "direction", "name"], name="uniq_port_name_per_product"),
            models.CheckConstraint(
                condition=Q(upstream_port__isnull=True) | Q(direction=PortDirection.INPUT),
                name="only_input_ports_have_upstream",
                violation_error_message="Only an input port can consume another product's output port.",
            ),
        ]

    def __str__(self):
        return f"{self.product.slug}:{self.name}"

    def history_parent(self):
        return self.product

    def history_snapshot(self) -> dict:
        data = super().history_snapshot()
        if self.pk:
            data["datasets"] = sorted(f"{d.namespace}/{d.name}" for d in self.datasets.all())
        return data


class PortDataset(models.Model):
    """A dataset exposed by (output) or consumed by (input) a port."""

    port = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="port_datasets")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="port_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["port", "dataset"], name="uniq_port_dataset")]

    def __str__(self):
        # Ids, not names: an admin list of links must not fetch every port and dataset.
        return f"port {self.port_id} ↔ dataset {self.dataset_id}"
