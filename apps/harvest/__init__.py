"""Sources of technical metadata, the harvesters that read them, and the pipeline that reconciles
their records into the catalog.

Beyond the common anatomy (README "Layout"):
    harvesters/    one module or package per source kind (registered on import); shared SQL lineage in sql/
    openlineage/   OpenLineage RunEvents posted to /api/v1/lineage become datasets and lineage
    pipeline/      reconcile(): records in, catalog rows out, set-based; upper apps add steps (extensions.py)
    export.py      the whole catalog as one deterministic JSON document
    records.py     the record contract between harvesters and the pipeline (no ORM)
    runner.py      the life of a run: claim, heartbeat, extract, reconcile, record the outcome
    schedule.py    Celery beat entries kept in step with Source.schedule
    uploads.py     storage of dbt artifact sets uploaded by CI
    validation.py  mapping rules and schedules, shared by every kind
    source_panels.py  registry of panels upper apps add to the source page
    config_fields.py   each source kind's config fields, for the per-kind add-source form
    demo_warehouse.py  builds the embedded DuckDB demo warehouse from the demo dbt project
    run_summary.py     a run report in plain language
    asyncapi_uploads.py  storing uploaded AsyncAPI documents as the source's current set
"""
