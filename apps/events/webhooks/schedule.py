"""When to try again: the Standard Webhooks schedule with jitter, or what ``Retry-After`` asks."""

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.conf import settings

#: after the first (immediate) attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h
SPEC_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
MAX_RETRY_AFTER = 86400


def schedule() -> list[float]:
    return list(getattr(settings, "MESH_WEBHOOK_RETRY_SCHEDULE", None) or SPEC_SCHEDULE)


def next_delay(attempts_made: int, retry_after: str | None = None) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` attempts, or None: give up."""
    steps = schedule()
    if attempts_made > len(steps):
        return None
    delay = steps[attempts_made - 1] * random.uniform(0.9, 1.1)
    asked = parse_retry_after(retry_after)
    if asked is not None:
        delay = max(delay, min(asked, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After``: delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
