"""Trust at a glance: the DATSIS maturity score that explains itself, quality by dimension,
incidents and measured freshness.

Beyond the common anatomy (README "Layout"):
    rubric.yaml   the shipped rubric: criteria by principle, weights, thresholds, explanations, fixes
    rubric.py     loading the rubric, validated with the line at fault
    criteria/     one module per DATSIS principle; each criterion one set-based pass over all products
    scoring.py    running the criteria over a scope and storing what changed (trend rows)
    listeners.py  keeping scores current: what to re-score when catalog objects change
    quality.py    check results mapped to ODCS dimensions, pass rates and flaky checks
    incidents.py  automatic incidents from failing checks and failed harvests
    freshness.py  measured freshness against the promised latency
    measure.py    PostgreSQL change counters read after a harvest
    export.py     the maturity level in a product's ODPS export
"""
