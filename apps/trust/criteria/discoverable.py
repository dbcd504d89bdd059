"""Discoverable: a searcher finds the product and understands what it is."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import Length
from django.utils import timezone

from apps.catalog.models import Domain, Ownership
from apps.trust.criteria.base import Outcome, criterion

POPULARITY_DAYS = 30


def _at_least(scope, line, annotate, label: str) -> dict:
    threshold = line.threshold or 1
    rows = scope.products().annotate(n=annotate).values_list("pk", "n")
    return {
        pid: Outcome(
            n >= threshold,
            [] if n >= threshold else [{"label": f"{label}: {n} (needs {threshold:g})"}],
            0 if n >= threshold else 1,
            n,
        )
        for pid, n in rows
    }


@criterion("summary_present")
def summary_present(scope, line):
    return _at_least(scope, line, Length("summary"), "summary length")


@criterion("documentation_substantial")
def documentation_substantial(scope, line):
    return _at_least(scope, line, Length("description"), "documentation length")


@criterion("tagged")
def tagged(scope, line):
    return _at_least(scope, line, Count("tags", distinct=True), "tags")


@criterion("has_owners")
def has_owners(scope, line):
    return _at_least(scope, line, Count("ownerships", distinct=True), "owners")


@criterion("domain_owned")
def domain_owned(scope, line):
    owned_paths = list(
        Domain.objects.filter(pk__in=Ownership.objects.filter(domain__isnull=False).values("domain_id")).values_list(
            "path", flat=True
        )
    )
    out = {}
    for pid, path, name in scope.products().values_list("pk", "domain__path", "domain__name"):
        ok = any(path.startswith(p) for p in owned_paths)
        out[pid] = Outcome(ok, [] if ok else [{"label": f"domain {name} has no owner"}], 0 if ok else 1)
    return out


@criterion("found_by_search")
def found_by_search(scope, line):
    from apps.search.models import SearchEntry

    indexed = set(
        scope.filter(SearchEntry.objects.filter(kind="product"), "object_id").values_list("object_id", flat=True)
    )
    return {
        pid: Outcome(
            pid in indexed, [] if pid in indexed else [{"label": "not in the search index"}], int(pid not in indexed)
        )
        for pid in scope.product_ids
    }


@criterion("popular")
def popular(scope, line):
    since = timezone.now() - timedelta(days=POPULARITY_DAYS)
    return _at_least(
        scope,
        line,
        Count("query_runs", filter=Q(query_runs__created_at__gte=since), distinct=True),
        f"lab queries in {POPULARITY_DAYS} days",
    )
