"""Search entries for classified columns: ``pii:email`` finds every column holding e-mails.

One entry per active classification (suggested or confirmed), named by its tag and rebuilt
per dataset (``parent``): a detection run, a decision or a harvest of the dataset rewrites
that dataset's entries. Loaded by ``apps.search.indexes.load_declarations``.
"""

from apps.search.indexes.base import KIND_BOOST, SearchIndex, register, route

KIND = "pii"
KIND_BOOST.setdefault(KIND, 1)  # between a tag and a plain column: the column comes with its category

TAG_SQL = (
    "(CASE WHEN t.category IN ('customer_id', 'user_id', 'email_key') THEN 'subject:' ELSE 'pii:' END || t.category)"
)

PERSONAL_DATA = register(
    SearchIndex(
        kind=KIND,
        source="""privacy_columnclassification t JOIN catalog_column c ON c.id = t.column_id
            JOIN catalog_dataset ds ON ds.id = c.dataset_id
            JOIN search_searchentry de ON de.kind = 'dataset' AND de.object_id = c.dataset_id""",
        name=TAG_SQL,
        qualified_name="ds.name || '.' || c.name",
        url_arg="c.dataset_id",
        url=route("privacy:dataset"),
        keys=(TAG_SQL, TAG_SQL + " || ' ' || c.name"),
        weights={"A": (TAG_SQL, "t.category"), "B": ("c.name", "ds.short_name"), "C": ("t.reason",)},
        summary="c.name || ' in ' || ds.name || ' (' || t.state || ')'",
        context="'column ' || c.name || ' of ' || ds.name",
        domain="de.domain",
        platform="de.platform",
        classification="de.classification",
        lifecycle="de.lifecycle",
        parent="c.dataset_id",
        where="t.state <> 'rejected'",
        depends={"catalog.Dataset": lambda pks: ("parent", pks)},
        order=4,
    )
)
