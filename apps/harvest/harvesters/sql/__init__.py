"""SQL lineage shared by every SQL source kind (PostgreSQL views, dbt models, Glue views).

``lineage`` parses a query with sqlglot into the tables it reads and the column lineage of
its output (``trace`` follows a column through CTEs, subqueries and UNION branches);
``view_lineage`` analyses a PostgreSQL view definition. Not a source kind: the harvest
app's registry skips this package.
"""
