"""Usage figures from the run log: what the home page shows as "most used"."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from apps.catalog.models import DataProduct
from apps.lab.models import RunStatus


def most_used_products(limit: int = 5, *, days: int = 30):
    """Products with the most successful lab runs in the last ``days``, busiest first (one query).

    Each product carries ``run_count``, ``user_count`` and ``last_run_at``.
    """
    since = timezone.now() - timedelta(days=days)
    recent = Q(query_runs__status=RunStatus.SUCCEEDED, query_runs__created_at__gte=since)
    return list(
        DataProduct.objects.select_related("domain")
        .annotate(
            run_count=Count("query_runs", filter=recent),
            user_count=Count("query_runs__user", filter=recent, distinct=True),
            last_run_at=Max("query_runs__created_at", filter=recent),
        )
        .filter(run_count__gt=0)
        .order_by("-run_count", "-last_run_at", "name")[:limit]
    )
