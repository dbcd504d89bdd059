"""Self-describing: columns described, documentation structured, sample queries that work, kept as code."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, Subquery

from apps.catalog.models import Column, DataProduct, PortDirection
from apps.core.models import ObjectChange
from apps.trust.criteria.base import NOT_APPLICABLE, Outcome, capped, criterion, dataset_url, product_url

SECTIONS = ("purpose", "grain", "caveats")
_SECTION_RE = {
    name: re.compile(
        rf"^\s*(#{{1,6}}\s*|\*\*|__)?{name[:-1] if name.endswith('s') else name}s?\b", re.IGNORECASE | re.MULTILINE
    )
    for name in SECTIONS
}
CODE_VIAS = ("yaml", "cli")  # descriptor applies: `manage.py apply_product`, CI, the YAML endpoint


@criterion("columns_described")
def columns_described(scope, line):
    threshold = line.threshold if line.threshold is not None else 0.8
    pid_field = "dataset__port_links__port__product_id"
    columns = scope.filter(
        Column.objects.filter(
            dataset__removed_at__isnull=True, dataset__port_links__port__direction=PortDirection.OUTPUT
        ),
        pid_field,
    )
    totals = {
        pid: (total, described)
        for pid, total, described in columns.values(pid_field)
        .annotate(total=Count("id", distinct=True), described=Count("id", filter=~Q(description=""), distinct=True))
        .values_list(pid_field, "total", "described")
    }
    failing_ids = [pid for pid, (t, d) in totals.items() if t and d / t < threshold]
    examples = {}
    if failing_ids:
        examples = capped(
            columns.filter(description="", **{f"{pid_field}__in": failing_ids})
            .values(pid_field, "dataset_id", "dataset__name", "name")
            .distinct(),
            partition=pid_field,
            order_by=["dataset__name", "name"],
        )
    out = {}
    for pid in scope.product_ids:
        total, described = totals.get(pid, (0, 0))
        if not total:
            out[pid] = Outcome(NOT_APPLICABLE, note="no columns on the output datasets")
            continue
        share = described / total
        evidence = [
            {
                "label": f"{r['dataset__name']}.{r['name']} has no description",
                "url": f"{dataset_url(r['dataset_id'])}#column-{r['name']}",
            }
            for r in examples.get(pid, [])
        ]
        ok = share >= threshold
        out[pid] = Outcome(ok, evidence, total - described if not ok else 0, share, f"{described}/{total} described")
    return out


@criterion("doc_sections")
def doc_sections(scope, line):
    out = {}
    for pid, row in scope.facts().items():
        missing = [name for name in SECTIONS if not _SECTION_RE[name].search(row["description"] or "")]
        out[pid] = Outcome(not missing, [{"label": f"no section on {name}"} for name in missing], len(missing))
    return out


@criterion("sample_queries")
def sample_queries(scope, line):
    from apps.lab.models import QueryRun, RunStatus, SampleQuery

    last_status = QueryRun.objects.filter(sample_query=OuterRef("pk")).order_by("-created_at").values("status")[:1]
    on_ports = scope.filter(
        SampleQuery.objects.filter(port__direction=PortDirection.OUTPUT), "port__product_id"
    ).annotate(pid=F("port__product_id"), last=Subquery(last_status))
    on_datasets = scope.filter(
        SampleQuery.objects.filter(
            port__isnull=True,
            dataset__port_links__port__direction=PortDirection.OUTPUT,
            dataset__removed_at__isnull=True,
        ),
        "dataset__port_links__port__product_id",
    ).annotate(pid=F("dataset__port_links__port__product_id"), last=Subquery(last_status))
    having, failing = set(), {}
    for qs in (on_ports, on_datasets):
        for pid, qid, title, last in qs.values_list("pid", "pk", "title", "last"):
            having.add(pid)
            if last == RunStatus.FAILED:
                failing.setdefault(pid, []).append(
                    {"label": f"sample query {title!r} failed when last run", "qid": qid}
                )
    slugs = {pid: row["slug"] for pid, row in scope.facts().items()}
    out = {}
    for pid in scope.product_ids:
        if pid not in having:
            out[pid] = Outcome(False, [{"label": "no sample query on an output port"}], 1)
        elif failing.get(pid):
            items = [{"label": e["label"], "url": f"{product_url(slugs[pid])}#output-ports"} for e in failing[pid][:5]]
            out[pid] = Outcome(False, items, len(failing[pid]))
        else:
            out[pid] = Outcome(True)
    return out


@criterion("managed_as_code")
def managed_as_code(scope, line):
    product_type = ContentType.objects.get_for_model(DataProduct)
    applied = ObjectChange.objects.filter(via__in=CODE_VIAS).filter(
        Q(content_type=product_type) | Q(related_content_type=product_type)
    )
    ids = scope.ids
    if ids is not None:
        applied = applied.filter(
            Q(content_type=product_type, object_id__in=ids)
            | Q(related_content_type=product_type, related_object_id__in=ids)
        )
    as_code = set()
    for ct, oid, _rct, roid in applied.values_list(
        "content_type_id", "object_id", "related_content_type_id", "related_object_id"
    ).distinct():
        as_code.add(oid if ct == product_type.pk else roid)
    return {
        pid: Outcome(
            pid in as_code,
            [] if pid in as_code else [{"label": "never applied from a descriptor"}],
            int(pid not in as_code),
        )
        for pid in scope.product_ids
    }
