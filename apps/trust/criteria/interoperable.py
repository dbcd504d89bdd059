"""Interoperable: keys declared, names conventional, inputs through ports, a valid ODPS export."""

from django.db.models import Count, Exists, OuterRef, Q

from apps.catalog.models import Column, DatasetConstraint, Port, PortDirection, PortProtocol, QualityCheck
from apps.trust.criteria.base import Outcome, all_pass, capped, criterion, dataset_url, product_url

KEYED_KINDS = ("table", "partitioned_table", "dbt_model", "snapshot", "external_table", "materialized_view")


@criterion("keys_declared")
def keys_declared(scope, line):
    pk_column = Column.objects.filter(dataset=OuterRef("dataset_id"), is_primary_key=True)
    key_constraint = DatasetConstraint.objects.filter(
        dataset=OuterRef("dataset_id"), kind__in=["primary_key", "unique"]
    )
    unique_test = QualityCheck.objects.filter(
        dataset=OuterRef("dataset_id"), check_type="unique", removed_at__isnull=True
    )
    links = scope.output_links().filter(dataset__kind__in=KEYED_KINDS)
    applicable = set(links.values_list("port__product_id", flat=True))
    unkeyed = links.annotate(a=Exists(pk_column), b=Exists(key_constraint), c=Exists(unique_test)).filter(
        a=False, b=False, c=False
    )
    counts = dict(
        unkeyed.values("port__product_id")
        .annotate(n=Count("dataset_id", distinct=True))
        .values_list("port__product_id", "n")
    )
    examples = capped(
        unkeyed.values("port__product_id", "dataset_id", "dataset__name").distinct(),
        partition="port__product_id",
        order_by=["dataset__name"],
        when=bool(counts),
    )
    evidence = {
        pid: [{"label": f"{r['dataset__name']} declares no key", "url": dataset_url(r["dataset_id"])} for r in rows]
        for pid, rows in examples.items()
    }
    return all_pass(scope.product_ids, evidence, counts, applicable)


@criterion("naming_convention")
def naming_convention(scope, line):
    from apps.trust.rubric import get_rubric

    pattern = get_rubric().naming_pattern
    pid_field = "dataset__port_links__port__product_id"
    columns = scope.filter(
        Column.objects.filter(
            dataset__removed_at__isnull=True, dataset__port_links__port__direction=PortDirection.OUTPUT
        ),
        pid_field,
    )
    links = scope.output_links()
    applicable = set(links.values_list("port__product_id", flat=True))
    bad_columns = columns.exclude(name__regex=pattern)
    bad_tables = links.exclude(dataset__short_name__regex=pattern)
    counts: dict[int, int] = {}
    for qs, field in (
        (bad_columns.values(pid_field), pid_field),
        (bad_tables.values("port__product_id"), "port__product_id"),
    ):
        for pid, n in qs.annotate(n=Count("id", distinct=True)).values_list(field, "n"):
            counts[pid] = counts.get(pid, 0) + n
    evidence: dict[int, list] = {}
    for pid, rows in capped(
        bad_tables.values("port__product_id", "dataset_id", "dataset__short_name").distinct(),
        partition="port__product_id",
        order_by=["dataset__short_name"],
        when=bool(counts),
    ).items():
        evidence.setdefault(pid, []).extend(
            {"label": f"dataset name {r['dataset__short_name']}", "url": dataset_url(r["dataset_id"])} for r in rows
        )
    for pid, rows in capped(
        bad_columns.values(pid_field, "dataset_id", "dataset__name", "name").distinct(),
        partition=pid_field,
        order_by=["dataset__name", "name"],
        when=bool(counts),
    ).items():
        evidence.setdefault(pid, []).extend(
            {
                "label": f"column {r['dataset__name']}.{r['name']}",
                "url": f"{dataset_url(r['dataset_id'])}#column-{r['name']}",
            }
            for r in rows
        )
    evidence = {pid: items[:5] for pid, items in evidence.items()}
    return all_pass(scope.product_ids, evidence, counts, applicable)


@criterion("inputs_through_ports")
def inputs_through_ports(scope, line):
    inputs = scope.filter(Port.objects.filter(direction=PortDirection.INPUT))
    applicable = set(inputs.values_list("product_id", flat=True))
    raw = inputs.filter(upstream_port__isnull=True)
    counts = dict(raw.values("product_id").annotate(n=Count("id")).values_list("product_id", "n"))
    examples = capped(
        raw.values("product_id", "id", "name", "product__slug"),
        partition="product_id",
        order_by=["name"],
        when=bool(counts),
    )
    evidence = {
        pid: [
            {
                "label": f"input port {r['name']} reads raw datasets",
                "url": f"{product_url(r['product__slug'])}#port-{r['id']}",
            }
            for r in rows
        ]
        for pid, rows in examples.items()
    }
    return all_pass(scope.product_ids, evidence, counts, applicable)


@criterion("odps_export_valid")
def odps_export_valid(scope, line):
    """The fields ODPS v1 requires of what ``export_descriptor`` writes, checked in SQL."""
    rows = scope.products().annotate(
        n_outputs=Count("ports", filter=Q(ports__direction=PortDirection.OUTPUT), distinct=True),
        n_untyped=Count(
            "ports", filter=Q(ports__direction=PortDirection.OUTPUT, ports__protocol=PortProtocol.OTHER), distinct=True
        ),
    )
    out = {}
    for pid, name, lifecycle, n_outputs, n_untyped in rows.values_list(
        "pk", "name", "lifecycle", "n_outputs", "n_untyped"
    ):
        problems = []
        if not name:
            problems.append("no name")
        if lifecycle not in ("draft", "published", "deprecated", "retired"):
            problems.append(f"status {lifecycle!r} has no ODPS equivalent")
        if not n_outputs:
            problems.append("no output port")
        if n_untyped:
            problems.append(f"{n_untyped} output port(s) without a type")
        out[pid] = Outcome(not problems, [{"label": p} for p in problems], len(problems))
    return out
