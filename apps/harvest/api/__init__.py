"""REST endpoints of harvesting: sources and runs (router viewsets), dbt artifact upload, OpenLineage intake."""
