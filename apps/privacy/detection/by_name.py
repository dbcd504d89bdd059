"""Name-only detection of many columns without reading every column.

Without sampled values a column is judged by its name, data type, description, whether it
is a key and — for a bare ``name`` column only — its table. A catalog repeats these facts:
the 101,750 columns of the harvest benchmark have a few hundred distinct sets. So the server
groups the columns by them, each group is judged once, and only the columns of the groups
whose judgement yields suggestions (or depends on what the group does not fix: a key by
constraint, the table) are read, to be judged one by one as ``detect`` would. Reading and
judging 100,000 columns one by one cost ~0.3 s of CPU; this costs one aggregate, which also
counts the tagged columns (declared categories are read only when there are some).
"""

from contextlib import contextmanager
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, Q

from apps.catalog.models import Column
from apps.core.lookups import AnyOf
from apps.privacy.detection.detector import ColumnFacts, Suggestion, detect_column
from apps.privacy.detection.gather import declared_in_tags, single_column_keys
from apps.privacy.detection.rules import match_name, table_matters

_POSITION = itemgetter(0, 1, 2)  # dataset, ordinal, column id: the order ``gather`` gives


def detect_by_name(dataset_ids: list[int]) -> tuple[list[Suggestion], dict[int, set[str]], int]:
    """``(suggestions, declared categories, columns judged)`` for the columns of ``dataset_ids``:
    what ``detect(gather(ids)[0])`` and ``gather(ids)[1]`` give, in the same order."""
    columns = Column.objects.filter(AnyOf("dataset_id", dataset_ids), dataset__removed_at__isnull=True).order_by()
    groups = columns.values_list("name", "data_type", "description", "is_primary_key").annotate(
        n=Count("id"), tagged=Count("id", filter=~Q(tags=[]))
    )
    checked, tagged, closer = 0, 0, set()
    with _grouping_by_hash():
        for name, dtype, desc, pk, n, tags in groups:
            checked, tagged = checked + n, tagged + tags
            if _needs_each_column(name, dtype, desc, pk):
                closer.add((name, dtype, desc, pk))
    declared = declared_in_tags(dataset_ids) if tagged else {}
    return (_judge_each(columns, closer, dataset_ids) if closer else []), declared, checked


@contextmanager
def _grouping_by_hash():
    """PostgreSQL groups by hashing inside this block.

    Right after a first harvest the column table has no statistics yet (autovacuum analyzes
    it a minute later; ``ANALYZE`` would cost 0.15 s): the planner then expects a few dozen
    rows and sorts 100,000 on disk to group them (0.12–0.2 s) where a hash takes 0.05 s.
    The setting is transaction-local and put back afterwards (a rollback puts it back too).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)")
        before = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])


def _needs_each_column(name: str, dtype: str, desc: str, pk: bool) -> bool:
    """Whether some column with these facts may get a suggestion, or be judged differently
    from another (a key by a unique constraint, a bare ``name`` in a person table)."""
    if table_matters(name):
        return True
    if detect_column(ColumnFacts(0, name, dtype, desc, pk)):
        return True
    # Being a key reaches the judgement only through the name's rules (cached per name), so
    # the description, different in almost every dbt column, is not judged a second time.
    return not pk and match_name(name, dtype, "", False) != match_name(name, dtype, "", True)


def _judge_each(columns, closer: set[tuple], dataset_ids: list[int]) -> list[Suggestion]:
    """Judge, column by column, the columns whose facts are in ``closer``."""
    keys = single_column_keys(dataset_ids)
    rows = [
        row
        for row in columns.filter(AnyOf("name", {facts[0] for facts in closer})).values_list(
            "dataset_id", "ordinal", "id", "name", "data_type", "description", "is_primary_key", "dataset__short_name"
        )
        if row[3:7] in closer
    ]
    rows.sort(key=_POSITION)
    out: list[Suggestion] = []
    for did, _ordinal, cid, name, dtype, desc, pk, table in rows:
        out += detect_column(ColumnFacts(cid, name, dtype, desc, pk or name in keys.get(did, ()), table))
    return out
