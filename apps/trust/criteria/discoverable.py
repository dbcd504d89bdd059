"""Discoverable: a searcher finds the product and understands what it is."""

from apps.catalog.models import Domain, Ownership
from apps.trust.criteria.base import Outcome, criterion

POPULARITY_DAYS = 30


def _at_least(scope, line, fact: str, label: str) -> dict:
    threshold = line.threshold or 1
    out = {}
    for pid, row in scope.facts().items():
        n = row[fact]
        ok = n >= threshold
        out[pid] = Outcome(ok, [] if ok else [{"label": f"{label}: {n} (needs {threshold:g})"}], 0 if ok else 1, n)
    return out


@criterion("summary_present")
def summary_present(scope, line):
    return _at_least(scope, line, "summary_len", "summary length")


@criterion("documentation_substantial")
def documentation_substantial(scope, line):
    return _at_least(scope, line, "description_len", "documentation length")


@criterion("tagged")
def tagged(scope, line):
    return _at_least(scope, line, "n_tags", "tags")


@criterion("has_owners")
def has_owners(scope, line):
    return _at_least(scope, line, "n_owners", "owners")


@criterion("domain_owned")
def domain_owned(scope, line):
    owned_paths = list(
        Domain.objects.filter(pk__in=Ownership.objects.filter(domain__isnull=False).values("domain_id")).values_list(
            "path", flat=True
        )
    )
    out = {}
    for pid, row in scope.facts().items():
        ok = any(row["domain__path"].startswith(p) for p in owned_paths)
        out[pid] = Outcome(ok, [] if ok else [{"label": f"domain {row['domain__name']} has no owner"}], 0 if ok else 1)
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
    return _at_least(scope, line, "n_runs", f"lab queries in {POPULARITY_DAYS} days")
