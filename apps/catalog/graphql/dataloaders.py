"""One loader per (model, key) for the catalog's relations, batched over sibling objects."""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery

from apps.catalog.models import (
    Column,
    ColumnLineageEdge,
    DataProduct,
    Dataset,
    Domain,
    LineageEdge,
    Ownership,
    Port,
    PortDataset,
    QualityCheck,
    QualityResult,
    SchemaChange,
    SchemaVersion,
    Team,
)
from mesh_catalog.graphql.dataloaders import Loader, group_rows

COLUMN_FIELDS = (
    "id",
    "dataset_id",
    "name",
    "ordinal",
    "data_type",
    "nullable",
    "description",
    "is_primary_key",
    "tags",
)


class _ById(Loader):
    model = None
    select_related = ()

    def batch_load(self, keys):
        return {row.pk: row for row in self.model.objects.select_related(*self.select_related).filter(pk__in=keys)}


class DomainById(_ById):
    model = Domain


class ProductById(_ById):
    model = DataProduct


class PortById(_ById):
    model = Port


class DatasetById(_ById):
    model = Dataset

    def batch_load(self, keys):
        return {row.pk: row for row in Dataset.objects.defer("properties").filter(pk__in=keys)}


class TeamById(_ById):
    model = Team


class UserById(Loader):
    def batch_load(self, keys):
        return {u.pk: u for u in get_user_model().objects.filter(pk__in=keys)}


class ChildrenByDomain(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(Domain.objects.filter(parent_id__in=keys).order_by("name"), lambda d: d.parent_id)


class ProductsByDomain(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(DataProduct.objects.filter(domain_id__in=keys).order_by("name", "id"), lambda p: p.domain_id)


class TagsByProduct(Loader):
    many = True

    def batch_load(self, keys):
        rows = (
            DataProduct.tags.through.objects.filter(dataproduct_id__in=keys).select_related("tag").order_by("tag__slug")
        )
        return {k: [r.tag for r in v] for k, v in group_rows(rows, lambda r: r.dataproduct_id).items()}


class PortsByProduct(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            Port.objects.filter(product_id__in=keys).order_by("direction", "name", "id"), lambda p: p.product_id
        )


class ConsumerPortsByPort(Loader):
    """Input ports (of other products) consuming an output port."""

    many = True

    def batch_load(self, keys):
        return group_rows(
            Port.objects.filter(upstream_port_id__in=keys).order_by("product_id", "name"), lambda p: p.upstream_port_id
        )


class DatasetsByPort(Loader):
    many = True

    def batch_load(self, keys):
        rows = (
            PortDataset.objects.filter(port_id__in=keys)
            .select_related("dataset")
            .defer("dataset__properties")
            .order_by("dataset__namespace", "dataset__name")
        )
        return {k: [r.dataset for r in v] for k, v in group_rows(rows, lambda r: r.port_id).items()}


class ProductsByDataset(Loader):
    """Products with a port on the dataset (output or input)."""

    many = True

    def batch_load(self, keys):
        rows = (
            PortDataset.objects.filter(dataset_id__in=keys)
            .select_related("port__product")
            .order_by("port__product__name")
        )
        out = {}
        for r in rows:
            products = out.setdefault(r.dataset_id, [])
            if all(p.pk != r.port.product_id for p in products):
                products.append(r.port.product)
        return out


class ColumnsByDataset(Loader):
    many = True

    def batch_load(self, keys):
        # Light named rows instead of model instances: a wide table has hundreds of columns and
        # building Column objects was a fifth of the product page's CPU time.
        rows = (
            Column.objects.filter(dataset_id__in=keys)
            .order_by("dataset_id", "ordinal", "name")
            .values_list(*COLUMN_FIELDS, named=True)
        )
        return group_rows(rows, lambda c: c.dataset_id)


class OwnershipsByProduct(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            Ownership.objects.filter(product_id__in=keys).select_related("user", "team").order_by("role", "id"),
            lambda o: o.product_id,
        )


class OwnershipsByDomain(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            Ownership.objects.filter(domain_id__in=keys).select_related("user", "team").order_by("role", "id"),
            lambda o: o.domain_id,
        )


class MembersByTeam(Loader):
    many = True

    def batch_load(self, keys):
        rows = Team.members.through.objects.filter(team_id__in=keys).select_related("user").order_by("user__username")
        return {k: [r.user for r in v] for k, v in group_rows(rows, lambda r: r.team_id).items()}


class UpstreamEdgesByDataset(Loader):
    """Lineage edges whose downstream is the dataset (one hop up)."""

    many = True

    def batch_load(self, keys):
        return group_rows(
            LineageEdge.objects.filter(downstream_id__in=keys)
            .select_related("upstream")
            .defer("details", "upstream__properties")
            .order_by("upstream__name"),
            lambda e: e.downstream_id,
        )


class DownstreamEdgesByDataset(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            LineageEdge.objects.filter(upstream_id__in=keys)
            .select_related("downstream")
            .defer("details", "downstream__properties")
            .order_by("downstream__name"),
            lambda e: e.upstream_id,
        )


class UpstreamColumnEdgesByColumn(Loader):
    many = True

    def key_of(self, parent):
        return parent.id  # columns may be named rows (see ColumnsByDataset)

    def batch_load(self, keys):
        return group_rows(
            ColumnLineageEdge.objects.filter(downstream_id__in=keys).select_related("upstream__dataset"),
            lambda e: e.downstream_id,
        )


class DownstreamColumnEdgesByColumn(Loader):
    many = True

    def key_of(self, parent):
        return parent.id

    def batch_load(self, keys):
        return group_rows(
            ColumnLineageEdge.objects.filter(upstream_id__in=keys).select_related("downstream__dataset"),
            lambda e: e.upstream_id,
        )


class QualityChecksByDataset(Loader):
    """Live checks of a dataset, each annotated with its latest status."""

    many = True

    def batch_load(self, keys):
        latest = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at")
        rows = (
            QualityCheck.objects.filter(dataset_id__in=keys, removed_at__isnull=True)
            .annotate(
                latest_status=Subquery(latest.values("status")[:1]),
                latest_observed_at=Subquery(latest.values("observed_at")[:1]),
            )
            .order_by("dataset_id", "column_name", "name")
        )
        return group_rows(rows, lambda c: c.dataset_id)


class ResultsByQualityCheck(Loader):
    """Outcomes of a check, newest first."""

    many = True

    def batch_load(self, keys):
        return group_rows(
            QualityResult.objects.filter(quality_check_id__in=keys).order_by("quality_check_id", "-observed_at"),
            lambda r: r.quality_check_id,
        )


class SchemaVersionsByDataset(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            SchemaVersion.objects.filter(dataset_id__in=keys).order_by("dataset_id", "-version"), lambda v: v.dataset_id
        )


class SchemaChangesByDataset(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            SchemaChange.objects.filter(dataset_id__in=keys).order_by("-detected_at", "id"), lambda c: c.dataset_id
        )
