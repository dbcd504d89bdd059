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
"""
