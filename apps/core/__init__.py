"""Shared foundations every app stands on: actors, the change log, the outbox, registries, errors,
the common steps of a write. Core imports no other app.

Beyond the common anatomy (README "Layout"):
    actors.py    who performs a write: a person or a system process
    auth.py      bearer personal access tokens for REST, GraphQL and pages
    choices.py   vocabularies shared by the record contract and the catalog (DatasetKind, LineageEvidence)
    crypto.py    encryption of secrets at rest
    errors.py    ActionError and its kinds, one shape for every interface
    facts.py     product facts one app supplies and another reads (contract_met: contracts → trust)
    events.py    the outbox API: register_event_type, emit, emit_many, register_event_listener
    history.py   the only writer of the append-only change log
    hooks.py     after-commit change listeners (search freshness registers here)
    markdown.py  markdown rendered to sanitised HTML
    registry.py  named registries that refuse duplicates
    writes.py    validate, save, record history, notify: the steps every action shares
    limits.py    the documented input limits every action enforces
    lookups.py   AnyOf: membership in thousands of ids bound as one parameter (listeners, lineage)
    context_processors.py  what every page's template needs (can the visitor read the catalog)
    demo_warehouse.py      which warehouse the demo uses: DuckDB embedded, or PostgreSQL when it answers
    duckdb_files.py        opening DuckDB files read-only and naming them (shared by harvest and lab)
    error_pages.py         the project's own 404/403/500 pages, with DEBUG on too
    slots.py               page slots: controls upper apps add to lower apps' pages (the Follow button)
    problems.py            a problem in a submitted document (descriptor, contract), with line and column
"""
