"""Addressable: every output port can be reached, by a stable name, with a working reader."""

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from apps.catalog.models import DataProduct, Port, PortDirection, PortProtocol
from apps.core.models import ObjectChange
from apps.trust.criteria.base import Outcome, capped, criterion, product_url

READER_DAYS = 30


@criterion("output_ports_complete")
def output_ports_complete(scope, line):
    ports = scope.filter(Port.objects.filter(direction=PortDirection.OUTPUT)).annotate(
        n_datasets=Count("datasets", filter=Q(datasets__removed_at__isnull=True), distinct=True)
    )
    incomplete = ports.filter(Q(protocol=PortProtocol.OTHER) | Q(endpoint="") | Q(n_datasets=0))
    counts = {pid: row["n_outputs"] for pid, row in scope.facts().items()}
    bad_counts = dict(incomplete.values("product_id").annotate(n=Count("id")).values_list("product_id", "n"))
    examples = capped(
        incomplete.values("product_id", "id", "name", "protocol", "endpoint", "n_datasets", "product__slug"),
        partition="product_id",
        order_by=["name"],
        when=bool(bad_counts),
    )
    out = {}
    for pid in scope.product_ids:
        if not counts.get(pid):
            out[pid] = Outcome(False, [{"label": "no output port"}], 1)
            continue
        evidence = []
        for row in examples.get(pid, []):
            missing = [
                what
                for what, absent in (
                    ("protocol", row["protocol"] == PortProtocol.OTHER),
                    ("endpoint", not row["endpoint"]),
                    ("dataset", not row["n_datasets"]),
                )
                if absent
            ]
            evidence.append(
                {
                    "label": f"port {row['name']} has no {', no '.join(missing)}",
                    "url": f"{product_url(row['product__slug'])}#port-{row['id']}",
                }
            )
        out[pid] = Outcome(not evidence, evidence, bad_counts.get(pid, 0))
    return out


@criterion("stable_id")
def stable_id(scope, line):
    from django.contrib.contenttypes.models import ContentType

    renamed = (
        ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(DataProduct), action="update")
        .annotate(old=KeyTextTransform("slug", "prechange_data"), new=KeyTextTransform("slug", "postchange_data"))
        .exclude(old=None)
        .exclude(old=F("new"))
    )
    renamed = scope.filter(renamed, "object_id")
    changed = {}
    for object_id, old, new in renamed.values_list("object_id", "old", "new").order_by("time")[:10000]:
        changed.setdefault(object_id, []).append({"label": f"renamed from {old} to {new}"})
    return {
        pid: Outcome(pid not in changed, changed.get(pid, [])[:5], len(changed.get(pid, [])))
        for pid in scope.product_ids
    }


@criterion("reader_connects")
def reader_connects(scope, line):
    from apps.lab.models import QueryRun, RunStatus

    since = timezone.now() - timedelta(days=READER_DAYS)
    ok_run = QueryRun.objects.filter(port=OuterRef("pk"), status=RunStatus.SUCCEEDED, created_at__gte=since)
    ports = scope.filter(Port.objects.filter(direction=PortDirection.OUTPUT)).annotate(ok=Exists(ok_run))
    has_ports = set(ports.values_list("product_id", flat=True))
    failing = ports.filter(ok=False)
    counts = dict(failing.values("product_id").annotate(n=Count("id")).values_list("product_id", "n"))
    examples = capped(
        failing.values("product_id", "id", "name", "product__slug"),
        partition="product_id",
        order_by=["name"],
        when=bool(counts),
    )
    out = {}
    for pid in scope.product_ids:
        if pid not in has_ports:
            out[pid] = Outcome(None, note="no output port")
            continue
        evidence = [
            {
                "label": f"no successful lab query on port {r['name']} in {READER_DAYS} days",
                "url": f"{product_url(r['product__slug'])}#port-{r['id']}",
            }
            for r in examples.get(pid, [])
        ]
        out[pid] = Outcome(not evidence, evidence, counts.get(pid, 0))
    return out
