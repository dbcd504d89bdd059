"""Security levels and personal data: column classification, PII detection and propagation,
masking in the lab, and the right-to-be-forgotten finder.

Beyond the common anatomy (README "Layout"):
    detection/      PII detection from names, types and sampled values (counts only, never values)
    categories.py   the personal-data categories and subject identifiers a column can be tagged with
    policy.py       security levels with teeth: each classification's policy, and who sees PII
    propagation.py  personal data flows downstream along lineage until a column is marked anonymised
    conflicts.py    products publishing personal data at a level that forbids it
    masking.py      masking personal data in lab results, following the column through the query
    masking_trace.py  the query tracing masking needs (sqlglot), imported only when a result is masked
    finder.py       the right-to-be-forgotten finder: every dataset and column holding a subject identifier
    annotations.py  what privacy adds to catalog pages: column tags, conflict notices
    listeners.py    reacting to harvests and product edits
    serialize.py    plain-dict shapes for REST and exports
"""
