"""Secure: classified as strictly as its data, grants enforced, read through a dedicated reader."""

from django.conf import settings
from django.db.models import Count, TextField
from django.db.models.functions import Cast

from apps.catalog.models import Column, PortDirection
from apps.trust.criteria.base import NOT_APPLICABLE, Outcome, all_pass, capped, criterion, dataset_url, from_links

SENSITIVE = ("confidential", "restricted")
SENSITIVE_TAGS = ('"pii"', '"sensitive"')


@criterion("classification_consistent")
def classification_consistent(scope, line):
    """PII columns (tagged by harvests or governance) need a confidential or restricted product.

    The privacy app's column classification, once installed, tags columns the same way;
    this criterion reads the tags, so it follows without importing that app.
    """
    pid_field = "dataset__port_links__port__product_id"
    columns = scope.filter(
        Column.objects.filter(
            dataset__removed_at__isnull=True, dataset__port_links__port__direction=PortDirection.OUTPUT
        ),
        pid_field,
    ).annotate(tag_text=Cast("tags", TextField()))
    from django.db.models import Q

    pii = columns.filter(Q(tag_text__icontains=SENSITIVE_TAGS[0]) | Q(tag_text__icontains=SENSITIVE_TAGS[1])).exclude(
        **{"dataset__port_links__port__product__classification__in": SENSITIVE}
    )
    counts = dict(pii.values(pid_field).annotate(n=Count("id", distinct=True)).values_list(pid_field, "n"))
    examples = capped(
        pii.values(pid_field, "dataset_id", "dataset__name", "name").distinct(),
        partition=pid_field,
        order_by=["dataset__name", "name"],
        when=bool(counts),
    )
    evidence = {
        pid: [
            {
                "label": f"PII column {r['dataset__name']}.{r['name']} in a product that is not confidential",
                "url": f"{dataset_url(r['dataset_id'])}#column-{r['name']}",
            }
            for r in rows
        ]
        for pid, rows in examples.items()
    }
    return all_pass(scope.product_ids, evidence, counts)


@criterion("grants_required")
def grants_required(scope, line):
    enforced = set(getattr(settings, "MESH_LAB_GRANT_CLASSIFICATIONS", ()))
    out = {}
    for pid, classification in ((pid, row["classification"]) for pid, row in scope.facts().items()):
        if classification not in SENSITIVE:
            out[pid] = Outcome(NOT_APPLICABLE, note=f"{classification} products need no grant")
        elif classification in enforced:
            out[pid] = Outcome(True, note="the lab requires a grant")
        else:
            out[pid] = Outcome(False, [{"label": f"the lab lets anyone query {classification} ports"}], 1)
    return out


@criterion("dedicated_reader")
def dedicated_reader(scope, line):
    """Like the lab's ``reader_for_port``: the dataset's own PostgreSQL source, or any
    PostgreSQL source harvesting the same database, configures a ``reader_dsn``."""
    from apps.harvest.models import Source
    from apps.lab.readers import _source_target

    with_reader = set()
    for source in Source.objects.filter(kind="postgres", enabled=True, config__has_key="reader_dsn"):
        target = _source_target(source)
        if target is not None:
            with_reader.add(target)
    return from_links(
        scope,
        applies=lambda r: r["dataset__platform"] == "postgres",
        fails=lambda r: (r["dataset__namespace"], r["dataset__name"].split(".", 1)[0]) not in with_reader,
        label=lambda r: f"{r['dataset__name']} has no dedicated reader",
    )
