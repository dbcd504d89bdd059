"""The mesh itself: domains, teams, ownership, data products, ports, datasets, lineage, quality.

Beyond the common anatomy (README "Layout"):
    descriptors/      data products as code: ODPS YAML validated, diffed, applied, exported; port_sections registry
    lineage_graph.py  lineage neighbourhoods laid out on the server for SVG pages
    permissions.py    who may edit what, one rule for every interface
    annotations.py    hooks upper apps use to annotate product and dataset pages (notices, column tags)
    compatibility.py  the one rule table classifying schema changes (breaking or not, semver level)
    integrity.py      column → dataset triggers on SQLite, re-created after every migrate (ADR 0022)
"""
