"""Writes of the lab: curated sample queries (owners) and dbt-imported ones (harvests).

Every query is validated with sqlglot when saved: one read-only SELECT over the tables
of its port. History goes to the product the port belongs to.
"""

from django.db import transaction

from apps.catalog.models import Dataset, Port, PortDirection, PortProtocol
from apps.catalog.permissions import can_edit_product
from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.core.history import record_change
from apps.core.hooks import objects_changed
from apps.core.models import ChangeAction
from apps.core.writes import delete_logged, require, save_logged
from apps.lab.engines import resolve
from apps.lab.models import QueryOrigin, SampleQuery
from apps.lab.sql_checks import QueryRefused, check_query, parse_select

SAMPLE_FIELDS = {"title", "description", "sql", "dataset"}


def validate_sql(port: Port | None, sql: str) -> str:
    """The SQL as it will be stored, or an ActionError on field ``sql`` saying what is wrong."""
    sql = (sql or "").strip()
    if port is not None and port.protocol == PortProtocol.GLUE:
        import sqlglot  # here: the lab's reconcile step imports this module in every process
        from sqlglot.errors import SqlglotError

        try:
            statements = sqlglot.parse(sql, dialect="athena")
        except SqlglotError as exc:
            raise ActionError(
                f"The query does not parse: {str(exc).splitlines()[0]}", field="sql", code="syntax"
            ) from None
        if len([s for s in statements if s is not None]) != 1 or not isinstance(
            statements[0], (sqlglot.exp.Select, sqlglot.exp.SetOperation)
        ):
            raise ActionError("A sample query is one SELECT statement.", field="sql", code="not_select")
        return sql
    try:
        resolution = resolve(port, with_reader=False) if port is not None else None
        if resolution is not None and resolution.engine is not None:
            resolution.engine.check(sql, resolution.tables)
        elif port is not None and port.protocol == PortProtocol.POSTGRES:
            check_query(sql, [])  # no queryable tables: any table is outside the port
        else:
            parse_select(sql)
    except QueryRefused as exc:
        raise ActionError(exc.message, field="sql", code=exc.errors[0][1]) from None
    return sql


def _check_dataset(port: Port, dataset) -> Dataset | None:
    if dataset is None:
        return None
    if isinstance(dataset, int):
        dataset = Dataset.objects.filter(pk=dataset).first()
    if dataset is None or not port.datasets.filter(pk=dataset.pk).exists():
        raise ActionError("The dataset must be one the port exposes.", field="dataset", code="not_on_port")
    return dataset


def create_sample_query(
    actor, port: Port, *, title: str, sql: str, description: str = "", dataset=None, via: str = "web"
) -> SampleQuery:
    """An owner adds a curated query to an output port."""
    require(can_edit_product(actor, port.product), "Only the product's owners add sample queries.")
    if port.direction != PortDirection.OUTPUT:
        raise ActionError("Sample queries belong to output ports.", field="port", code="not_an_output_port")
    with transaction.atomic():
        query = SampleQuery(
            port=port,
            dataset=_check_dataset(port, dataset),
            title=(title or "").strip(),
            description=(description or "").strip(),
            sql=validate_sql(port, sql),
            origin=QueryOrigin.CURATED,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        return save_logged(actor, query, via=via)


def update_sample_query(actor, query: SampleQuery, *, via: str = "web", **fields) -> SampleQuery:
    unknown = set(fields) - SAMPLE_FIELDS
    if unknown:
        raise ActionError(f"Unknown sample query field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    if query.origin != QueryOrigin.CURATED:
        raise ActionError("Queries imported from dbt are edited in the dbt project.", code="read_only")
    require(can_edit_product(actor, query.port.product), "Only the product's owners edit sample queries.")
    with transaction.atomic():
        query = SampleQuery.objects.select_for_update(of=("self",)).select_related("port__product").get(pk=query.pk)
        before = query.history_snapshot()
        if "sql" in fields:
            fields["sql"] = validate_sql(query.port, fields["sql"])
        if "dataset" in fields:
            fields["dataset"] = _check_dataset(query.port, fields["dataset"])
        for key, value in fields.items():
            setattr(query, key, value.strip() if isinstance(value, str) else value)
        return save_logged(actor, query, via=via, before=before)


def delete_sample_query(actor, query: SampleQuery, *, via: str = "web") -> None:
    if query.origin != QueryOrigin.CURATED:
        raise ActionError("Queries imported from dbt are removed in the dbt project.", code="read_only")
    require(can_edit_product(actor, query.port.product), "Only the product's owners delete sample queries.")
    with transaction.atomic():
        delete_logged(actor, query, via=via)


def upsert_source_sample_queries(source, records, *, actor=None, via: str = "harvest") -> dict:
    """Make the dbt queries of ``source`` exactly ``records`` (SampleQueryRecord), in bulk.

    Idempotent by (dataset, name, origin="dbt"): unchanged queries are not written, changed
    ones are updated, new ones created, and dbt queries of the records' datasets (or of the
    source's datasets) that are no longer declared are deleted. Records naming an unknown
    dataset, or SQL that does not parse as one SELECT, become warnings. Returns counts and
    warnings for the harvest report.
    """
    from apps.core.actors import SystemActor

    actor = actor or SystemActor(f"harvest:{source.name}")
    require(is_admin(actor), "Only harvests import dbt sample queries.")
    records = list(records)
    keys = {(r.dataset.namespace, r.dataset.name) for r in records}
    datasets = {}
    if keys:
        from django.db.models import Q

        q = Q()
        for namespace, name in keys:
            q |= Q(namespace=namespace, name=name)
        datasets = {(d.namespace, d.name): d for d in Dataset.objects.filter(q)}
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    warnings: list[str] = []
    wanted: dict[tuple[int, str], dict] = {}
    for r in records:
        dataset = datasets.get((r.dataset.namespace, r.dataset.name))
        if dataset is None:
            warnings.append(
                f"Sample query '{r.name}': no dataset {r.dataset.namespace}/{r.dataset.name} in the catalog."
            )
            continue
        try:
            sql = validate_sql(None, r.sql)
        except ActionError as exc:
            warnings.append(f"Sample query '{r.name}' on {dataset.name}: {exc.message}")
            continue
        wanted[(dataset.pk, r.name[:200])] = {"sql": sql, "description": r.description or ""}
    with transaction.atomic():
        scope = {d.pk for d in datasets.values()} | set(
            Dataset.objects.filter(source=source).values_list("pk", flat=True)
        )
        existing = {
            (q.dataset_id, q.title): q
            for q in SampleQuery.objects.select_for_update().filter(origin=QueryOrigin.DBT, dataset_id__in=scope)
        }
        to_create, to_update, to_delete = [], [], []
        for key, values in wanted.items():
            current = existing.get(key)
            if current is None:
                to_create.append(SampleQuery(dataset_id=key[0], title=key[1], origin=QueryOrigin.DBT, **values))
            elif current.sql != values["sql"] or current.description != values["description"]:
                before = current.history_snapshot()
                current.sql, current.description = values["sql"], values["description"]
                to_update.append((current, before))
            else:
                counts["unchanged"] += 1
        to_delete = [q for key, q in existing.items() if key not in wanted]
        created = SampleQuery.objects.bulk_create(to_create)
        SampleQuery.objects.bulk_update([q for q, _ in to_update], ["sql", "description", "updated_at"])
        SampleQuery.objects.filter(pk__in=[q.pk for q in to_delete]).delete()
        for q in created:
            record_change(actor, q, ChangeAction.CREATE, after=q.history_snapshot(), via=via)
        for q, before in to_update:
            record_change(actor, q, ChangeAction.UPDATE, before=before, after=q.history_snapshot(), via=via)
        for q in to_delete:
            record_change(actor, q, ChangeAction.DELETE, before=q.history_snapshot(), via=via)
        counts.update(created=len(created), updated=len(to_update), deleted=len(to_delete))
        objects_changed(SampleQuery, [q.pk for q in created] + [q.pk for q, _ in to_update])
    return {**counts, "warnings": warnings}
