"""The five-minute path: connection snippets, sample queries, the safe query runner, query history.

Beyond the common anatomy (README "Layout"):
    harvested.py    the harvest pipeline's step for dbt sample queries, registered into harvest
    descriptors.py  the lab's descriptor port section (sampleQueries), registered into the catalog
    panel.py        everything the lab panel of an output port shows, in a fixed number of queries
    readers.py      where a port's queries run: the reader connection of the harvested source
    render.py       result tables rendered fast
    runner.py       the query runner and its guard rails; every run logged
    snippets.py     connection snippets for an output port
    sql_checks.py   static checks on lab SQL: one read-only statement over the port's tables
    starter.py      generated starter queries
    stats.py        usage figures from the run log
    access.py             grants checked for every table a query reads, whatever port it came through
    reader_privileges.py  refuses over-privileged lab readers and lists a reader's privileges
    reader_views.py       the source page's lab-reader panel
    result_filters.py     registry of filters applied to every result (masking of personal data)
    sql_functions.py      the allow-list of functions lab SQL may call, per dialect
    engines/              one engine per warehouse kind (postgres, duckdb, mysql) behind the runner
"""
