"""The ``glue`` source kind: databases, tables and views of the AWS Glue Data Catalog.

Config keys: ``region`` (required), ``catalog_id`` (the account; default: the caller's
account), ``endpoint_url`` (e.g. a VPC endpoint or a test server), ``profile``,
``include_databases`` / ``exclude_databases`` (glob patterns), ``partition_count_limit``
(stop counting a table's partitions there; default 10,000, 0 = don't count).
Credentials come from the standard AWS chain (environment, profile, instance role); the
optional secrets ``aws_access_key_id`` / ``aws_secret_access_key`` / ``aws_session_token``
are stored encrypted, never in the config.

Datasets are named as OpenLineage names them: namespace ``arn:aws:glue:<region>:<account>``,
name ``table/<db>/<table>``. Athena views (``/* Presto View: <base64 JSON> */``) and Hive
views are parsed with sqlglot for table- and column-level lineage. Throttling and
transient errors are retried with backoff; AccessDenied on one database is a warning.
"""

from apps.harvest.harvesters.glue.harvester import GlueHarvester
from apps.harvest.harvesters.glue.tables import table_format
from apps.harvest.harvesters.glue.views import presto_view_text, view_sql

__all__ = ["GlueHarvester", "presto_view_text", "table_format", "view_sql"]
