"""Interoperable: keys declared, names conventional, inputs through ports, a valid ODPS export."""

from django.db.models import Count

from apps.catalog.models import Column, Port, PortDirection
from apps.trust.criteria.base import (
    EVIDENCE_SHOWN,
    Outcome,
    all_pass,
    capped,
    criterion,
    dataset_url,
    from_links,
    product_url,
)

KEYED_KINDS = ("table", "partitioned_table", "dbt_model", "snapshot", "external_table", "materialized_view")


@criterion("keys_declared")
def keys_declared(scope, line):
    return from_links(
        scope,
        applies=lambda r: r["dataset__kind"] in KEYED_KINDS,
        fails=lambda r: not (r["pk_column"] or r["key_constraint"] or r["unique_test"]),
        label=lambda r: f"{r['dataset__name']} declares no key",
    )


@criterion("naming_convention")
def naming_convention(scope, line):
    import re

    from apps.trust.rubric import get_rubric

    pattern = get_rubric().naming_pattern
    compiled = re.compile(pattern)
    pid_field = "dataset__port_links__port__product_id"
    applicable, counts, evidence = set(), {}, {}
    for r in scope.links():  # dataset names: per dataset, in Python
        pid = r["port__product_id"]
        applicable.add(pid)
        if not compiled.search(r["dataset__short_name"]):
            counts[pid] = counts.get(pid, 0) + 1
            evidence.setdefault(pid, []).append(
                {"label": f"dataset name {r['dataset__short_name']}", "url": dataset_url(r["dataset_id"])}
            )
    columns = scope.filter(
        Column.objects.filter(
            dataset__removed_at__isnull=True, dataset__port_links__port__direction=PortDirection.OUTPUT
        ).exclude(name__regex=pattern),
        pid_field,
    )
    bad_columns = dict(columns.values(pid_field).annotate(n=Count("id", distinct=True)).values_list(pid_field, "n"))
    for pid, n in bad_columns.items():
        counts[pid] = counts.get(pid, 0) + n
    for pid, rows in capped(
        columns.values(pid_field, "dataset_id", "dataset__name", "name").distinct(),
        partition=pid_field,
        order_by=["dataset__name", "name"],
        when=bool(bad_columns),
    ).items():
        evidence.setdefault(pid, []).extend(
            {
                "label": f"column {r['dataset__name']}.{r['name']}",
                "url": f"{dataset_url(r['dataset_id'])}#column-{r['name']}",
            }
            for r in rows
        )
    evidence = {pid: items[:EVIDENCE_SHOWN] for pid, items in evidence.items()}
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
    out = {}
    for pid, row in scope.facts().items():
        problems = []
        if not row["name"]:
            problems.append("no name")
        if row["lifecycle"] not in ("draft", "published", "deprecated", "retired"):
            problems.append(f"status {row['lifecycle']!r} has no ODPS equivalent")
        if not row["n_outputs"]:
            problems.append("no output port")
        if row["n_untyped"]:
            problems.append(f"{row['n_untyped']} output port(s) without a type")
        out[pid] = Outcome(not problems, [{"label": p} for p in problems], len(problems))
    return out
