"""Columns: found by their own name, shown with their dataset; facets come from the dataset's entry.

Columns are answered from ``catalog_column`` itself, not from rows of their own
(``stored=False``): writing and keeping a search entry per column was most of the cost of a
first harvest and of reindexing a harvest's changes, since a large catalog has twenty
columns per table. Candidates are found by the backend (column name prefixes through
``search_searchcolumnname``, or a dataset's exact name followed by a column name prefix), and
this declaration's fields are computed for those few candidates only, at query time. The
word fields are built from words split already (the name's in ``search_searchcolumnname``,
the dataset's in its entry ``de``) rather than by the regex word function on every row; they
equal what the declared ``keys`` and ``weights`` give (``words(a.b)`` is ``words(a) words(b)``),
so ranking is unchanged. A reindex of a dataset only records its column names new to the
vocabulary.
"""

from apps.search.indexes.base import SearchIndex, register, route

DATASET_WORDS = "trim(de.text_a)"  # the dataset entry's name words: its short name's
# The dataset entry's first key: the words of the last two parts of its name (sales.orders).
DATASET_LAST_TWO = "substr(de.keys, 2, strpos(substr(de.keys, 2), '|') - 1)"
TAG_TEXT = "CAST(t.tags AS TEXT)"


def _then_name(words: str) -> str:
    return f"trim({words} || ' ' || n.words)"


def _words_unless_empty(expr: str, empty: str = "") -> str:
    return f"(CASE WHEN {expr} = '{empty}' THEN '' ELSE mesh_search_words({expr}) END)"


COLUMNS = register(
    SearchIndex(
        kind="column",
        # The dataset's entry holds its name (as long as ``Dataset.name`` may be) and words.
        source="""catalog_column t JOIN search_searchentry de ON de.kind = 'dataset' AND de.object_id = t.dataset_id
            JOIN search_searchcolumnname n ON n.name = t.name""",
        name="t.name",
        qualified_name="de.name || '.' || t.name",
        url_arg="t.dataset_id",
        url=route("catalog:dataset_detail", fragment=lambda name: f"#column-{name}"),
        # What ``fields`` compute, declared over the dataset ``ds`` (tests/search/test_columns.py
        # pins the equality). A column's exact name is qualified (orders.order_id); its bare
        # name ranks as a part name.
        keys=("ds.short_name || '.' || t.name", "mesh_last_two(ds.name) || '.' || t.name"),
        weights={
            "A": ("t.name",),
            "B": ("ds.short_name", "CAST(t.tags AS TEXT)"),
            "C": ("t.description",),
            "D": ("t.data_type",),
        },
        summary="t.description",
        context="'in ' || de.name || ' (' || t.data_type || ')'",
        domain="de.domain",
        platform="de.platform",
        classification="de.classification",
        lifecycle="de.lifecycle",
        fields={
            "keys": f"'|' || {_then_name(DATASET_WORDS)} || '|' || {_then_name(DATASET_LAST_TWO)} || '|'",
            "text_a": "' ' || n.words || ' '",
            "text_b": f"' ' || trim({DATASET_WORDS} || ' ' || {_words_unless_empty(TAG_TEXT, '[]')}) || ' '",
            "text_c": f"' ' || {_words_unless_empty('t.description')} || ' '",
        },
        parent="t.dataset_id",
        # A column's facets live with its dataset's entry, read when it is a candidate; only
        # new column names need recording when a dataset changes.
        depends={"catalog.Dataset": lambda pks: ("parent", pks)},
        order=3,
        stored=False,
    )
)
