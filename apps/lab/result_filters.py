"""Filters applied to a lab run's result before it is returned (masking personal data).

The lab sits below the apps that know what a column holds, so they register here from
their ``AppConfig.ready()``: ``register_result_filter(fn)`` with
``fn(user, port, sql, result) -> None``. A filter may rewrite ``result.rows`` (mask
values), add ``result.notices`` or refuse the result by setting ``result.error`` (then the
rows are dropped). Filters run in registration order; a filter that raises refuses the
result rather than leaking it.
"""

from collections.abc import Callable

_filters: list[Callable] = []


def register_result_filter(fn: Callable) -> None:
    if fn in _filters:
        raise ValueError(f"result filter {fn!r} is already registered")
    _filters.append(fn)


def apply_result_filters(user, port, sql: str, result) -> None:
    """Run every filter on ``result`` (a ``RunResult``), in place."""
    if not hasattr(result, "notices"):
        result.notices = []
    for fn in list(_filters):
        try:
            fn(user, port, sql, result)
        except Exception as exc:  # fail closed: never return rows a filter could not check
            result.error = f"The result could not be checked ({type(exc).__name__}); it is withheld."
        if result.error:
            result.rows = []
            return


# --- sample queries shown on the panel ---------------------------------------------------

_query_filters: list[Callable] = []


def register_sample_query_filter(fn: Callable) -> None:
    """``fn(user, port, queries) -> queries``: which sample queries the panel may show."""
    if fn in _query_filters:
        raise ValueError(f"sample query filter {fn!r} is already registered")
    _query_filters.append(fn)


def filter_sample_queries(user, port, queries: list) -> list:
    for fn in list(_query_filters):
        queries = fn(user, port, queries)
    return queries
