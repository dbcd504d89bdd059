"""Enumerations shared by the catalog's models, APIs and descriptors."""

from django.db import models

from apps.core.choices import DatasetKind, LineageEvidence

# DatasetKind and LineageEvidence live in core: the harvest's record contract uses them too,
# and harvesters never import the catalog.
__all__ = [
    "Classification",
    "DatasetKind",
    "Lifecycle",
    "LineageEvidence",
    "OwnershipRole",
    "PortDirection",
    "PortProtocol",
    "QualityCategory",
    "QualityStatus",
    "SchemaChangeType",
]


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
