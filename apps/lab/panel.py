"""Everything the lab panel of one output port shows, gathered in a fixed number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q

from apps.catalog.models import Column, Dataset, DatasetConstraint
from apps.catalog.permissions import can_edit_product
from apps.governance.access import grant_required, query_access
from apps.governance.models import AccessRequest, AccessStatus
from apps.lab.engines import resolve
from apps.lab.models import SampleQuery
from apps.lab.snippets import port_snippets
from apps.lab.sql_checks import missing_columns, port_table
from apps.lab.starter import starter_queries


@dataclass
class ShownQuery:
    """A sample query as the panel lists it: stored, from dataset properties, or generated."""

    key: str
    title: str
    sql: str
    description: str = ""
    origin: str = "generated"
    pk: int | None = None
    dataset_name: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def origin_label(self) -> str:
        return {"curated": "Curated", "dbt": "dbt", "generated": "Starter"}.get(self.origin, self.origin)


def _schema(datasets, columns_by_dataset) -> dict:
    schema: dict = {}
    for d in datasets:
        t = port_table(d.name)
        schema.setdefault(t.schema or "public", {})[t.table] = {
            c.name: (c.data_type or "text") for c in columns_by_dataset.get(d.pk, [])
        }
    return schema


def _property_queries(datasets) -> list[ShownQuery]:
    """dbt ``meta.queries`` a harvest left in ``dataset.properties["sample_queries"]``."""
    out = []
    for d in datasets:
        items = (d.properties or {}).get("sample_queries") or []
        if isinstance(items, dict):
            items = [{"name": k, **(v if isinstance(v, dict) else {"sql": v})} for k, v in items.items()]
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("sql"):
                title = item.get("name") or item.get("title") or f"Query {i + 1}"
                out.append(
                    ShownQuery(
                        key=f"p{d.pk}-{i}",
                        title=title,
                        sql=item["sql"].strip(),
                        description=item.get("description", ""),
                        origin="dbt",
                        dataset_name=d.short_name,
                    )
                )
    return out


def build_panel(port, user) -> dict:
    product = port.product
    datasets = list(
        Dataset.objects.filter(port_links__port=port, removed_at__isnull=True)
        .select_related("source")
        .prefetch_related(Prefetch("columns", queryset=Column.objects.order_by("ordinal", "name")))
        .order_by("name")
    )
    columns_by_dataset = {d.pk: list(d.columns.all()) for d in datasets}
    ids = [d.pk for d in datasets]
    constraints = (
        list(DatasetConstraint.objects.filter(kind="foreign_key", dataset_id__in=ids, referenced_dataset_id__in=ids))
        if ids
        else []
    )
    stored = list(
        SampleQuery.objects.filter(Q(port=port) | Q(port__isnull=True, dataset_id__in=ids, origin="dbt"))
        .select_related("dataset")
        .order_by("origin", "title")
    )
    queries = [
        ShownQuery(
            key=f"q{q.pk}",
            title=q.title,
            sql=q.sql,
            description=q.description,
            origin=q.origin,
            pk=q.pk,
            dataset_name=q.dataset.short_name if q.dataset else "",
        )
        for q in stored
    ]
    stored_titles = {(q.dataset_name, q.title) for q in queries}
    queries += [q for q in _property_queries(datasets) if (q.dataset_name, q.title) not in stored_titles]
    by_id = {d.pk: d for d in datasets}
    queries += [
        ShownQuery(
            key=f"g{i}",
            title=s.title,
            sql=s.sql,
            description=s.description,
            origin="generated",
            dataset_name=by_id[s.dataset_id].short_name if s.dataset_id in by_id else "",
        )
        for i, s in enumerate(starter_queries(datasets, columns_by_dataset, constraints))
    ]
    resolution = resolve(port, datasets)
    engine, tables = resolution.engine, resolution.tables
    if engine is not None:
        schema = _schema([d for d in datasets if engine.queryable(d)], columns_by_dataset)
        for q in queries:
            if q.origin != "generated":
                q.problems = missing_columns(q.sql, schema, dialect=engine.dialect)
    access = query_access(user, port)
    example = queries[0].sql if queries else "SELECT 1"
    my_requests = []
    if getattr(user, "pk", None) and grant_required(product):
        my_requests = list(AccessRequest.objects.filter(port=port, requester_id=user.pk).order_by("-created_at")[:3])
    return {
        "port": port,
        "product": product,
        "datasets": datasets,
        "tables": tables,
        "snippets": port_snippets(port, datasets, example, tables[0] if tables else None, engine=engine),
        "engine": engine,
        "queries": queries,
        "first_query": queries[0] if queries else None,
        "runnable": resolution.runnable,
        "configure_hint": resolution.configure_hint,
        "access": access,
        "grant_required": grant_required(product),
        "my_requests": my_requests,
        "has_pending_request": any(r.status == AccessStatus.PENDING for r in my_requests),
        "can_edit": can_edit_product(user, product),
        "timeout_s": f"{settings.MESH_LAB_STATEMENT_TIMEOUT_MS / 1000:g}",
        "row_cap": f"{settings.MESH_LAB_ROW_CAP:,}",
    }
