"""Vocabularies shared by the harvest's record contract and the catalog's models.

A harvester fills ``DatasetRecord.kind`` and ``LineageRecord.evidence`` with these values
(re-exported by ``apps.harvest.records``); the catalog stores them as field choices. They
live on the ground floor so that neither layer imports the other to name a kind.
"""

from django.db import models


class DatasetKind(models.TextChoices):
    """What a dataset physically is: a table, a view, a dbt model that is not yet a relation, a topic…"""

    TABLE = "table", "Table"
    VIEW = "view", "View"
    MATERIALIZED_VIEW = "materialized_view", "Materialized view"
    PARTITIONED_TABLE = "partitioned_table", "Partitioned table"
    FOREIGN_TABLE = "foreign_table", "Foreign table"
    EXTERNAL_TABLE = "external_table", "External table"
    DBT_MODEL = "dbt_model", "dbt model"
    DBT_SOURCE = "dbt_source", "dbt source"
    SEED = "seed", "Seed"
    SNAPSHOT = "snapshot", "Snapshot"
    TOPIC = "topic", "Topic"
    QUEUE = "queue", "Queue"
    FILE = "file", "File"
    DASHBOARD = "dashboard", "Dashboard"
    OTHER = "other", "Other"


class LineageEvidence(models.TextChoices):
    """Where a lineage edge was learned from (view SQL, dependency records, dbt, OpenLineage…)."""

    VIEW_SQL = "view_sql", "View SQL"
    CATALOG_DEPENDENCY = "catalog_dependency", "Database dependency records"
    DBT = "dbt", "dbt"
    GLUE_VIEW = "glue_view", "Glue/Athena view SQL"
    OPENLINEAGE = "openlineage", "OpenLineage"
    ASYNCAPI = "asyncapi", "AsyncAPI operation"
    BROKER_BINDING = "broker_binding", "Message broker binding"
    MANUAL = "manual", "Manual"
