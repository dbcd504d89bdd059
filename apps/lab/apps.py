from django.apps import AppConfig


class LabConfig(AppConfig):
    """The five-minute path: connection snippets, sample queries, the safe query runner."""

    name = "apps.lab"
    label = "lab"

    def ready(self):
        from apps.catalog.descriptors.sections import register_port_section
        from apps.harvest.pipeline.extensions import register_reconcile_step
        from apps.harvest.source_panels import SOURCE_PANELS, SourcePanel
        from apps.lab.descriptors import SampleQueriesSection
        from apps.lab.harvested import reconcile_sample_queries

        register_port_section(SampleQueriesSection())
        register_reconcile_step("sample_queries", reconcile_sample_queries)
        SOURCE_PANELS.register(
            "lab-reader", SourcePanel("Lab reader", "lab:source_reader", kinds=frozenset({"postgres"}))
        )
        from apps.lab.engines import register_engine
        from apps.lab.engines.duckdb import DuckDBEngine
        from apps.lab.engines.mysql import MySQLEngine
        from apps.lab.engines.postgres import PostgresEngine

        register_engine(PostgresEngine())
        register_engine(DuckDBEngine())
        register_engine(MySQLEngine())
