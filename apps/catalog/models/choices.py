"""Enumerations shared by the catalog's models, APIs and descriptors."""

from django.db import models


class Lifecycle(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class OwnershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    STEWARD = "steward", "Steward"
    TECHNICAL_OWNER = "technical_owner", "Technical owner"


class PortDirection(models.TextChoices):
    INPUT = "input", "Input"
    OUTPUT = "output", "Output"


class PortProtocol(models.TextChoices):
    POSTGRES = "postgres", "PostgreSQL"
    GLUE = "glue", "AWS Glue / Athena"
    S3 = "s3", "S3"
    KAFKA = "kafka", "Kafka"
    REST = "rest", "REST API"
    DASHBOARD = "dashboard", "Dashboard"
    FILE = "file", "File"
    OTHER = "other", "Other"


class DatasetKind(models.TextChoices):
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
    VIEW_SQL = "view_sql", "View SQL"
    CATALOG_DEPENDENCY = "catalog_dependency", "Database dependency records"
    DBT = "dbt", "dbt"
    GLUE_VIEW = "glue_view", "Glue/Athena view SQL"
    OPENLINEAGE = "openlineage", "OpenLineage"
    ASYNCAPI = "asyncapi", "AsyncAPI operation"
    BROKER_BINDING = "broker_binding", "Message broker binding"
    MANUAL = "manual", "Manual"


class SchemaChangeType(models.TextChoices):
    COLUMN_ADDED = "column_added", "Column added"
    COLUMN_REMOVED = "column_removed", "Column removed"
    TYPE_CHANGED = "type_changed", "Type changed"
    NULLABILITY_CHANGED = "nullability_changed", "Nullability changed"
    DATASET_REMOVED = "dataset_removed", "Dataset removed"
    DATASET_ADDED = "dataset_added", "Dataset added"


class QualityCategory(models.TextChoices):
    COMPLETENESS = "completeness", "Completeness"
    UNIQUENESS = "uniqueness", "Uniqueness"
    VALIDITY = "validity", "Validity"
    ACCURACY = "accuracy", "Accuracy"
    TIMELINESS = "timeliness", "Timeliness"
    CONSISTENCY = "consistency", "Consistency"
    OTHER = "other", "Other"


class QualityStatus(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warn"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped"
