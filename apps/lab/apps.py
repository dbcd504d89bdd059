from django.apps import AppConfig


class LabConfig(AppConfig):
    """The five-minute path: connection snippets, sample queries, the safe query runner."""

    name = "apps.lab"
    label = "lab"

    def ready(self):
        from apps.lab.engines import register_engine
        from apps.lab.engines.duckdb import DuckDBEngine
        from apps.lab.engines.mysql import MySQLEngine
        from apps.lab.engines.postgres import PostgresEngine

        register_engine(PostgresEngine())
        register_engine(DuckDBEngine())
        register_engine(MySQLEngine())
