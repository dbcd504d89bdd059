"""REST endpoints of harvesting that push data in: dbt artifact upload, OpenLineage intake."""
