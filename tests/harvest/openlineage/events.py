"""OpenLineage RunEvents as real integrations send them, built with the OpenLineage Python client."""

import uuid
from datetime import UTC, datetime

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset, documentation_dataset, ownership_dataset, schema_dataset
from openlineage.client.serde import Serde

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
WAREHOUSE = "postgres://warehouse.internal:5432"
LAKE = "s3://mesh-lake"


def schema(*fields: tuple[str, str]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def spark_job_event(
    state: RunState = RunState.COMPLETE, run_id: str | None = None, *, extra_output_column: bool = False
) -> RunEvent:
    """A Spark job joining two warehouse tables into a lake dataset, with column lineage."""
    orders = InputDataset(
        WAREHOUSE,
        "shop.public.orders",
        facets={"schema": schema(("order_id", "integer"), ("customer_id", "integer"), ("amount", "numeric(12,2)"))},
    )
    customers = InputDataset(
        WAREHOUSE, "shop.public.customers", facets={"schema": schema(("customer_id", "integer"), ("country", "text"))}
    )
    out_fields = [("customer_id", "int"), ("country", "string"), ("revenue", "decimal(14,2)")] + (
        [("order_count", "bigint")] if extra_output_column else []
    )

    def source(dataset, column, subtype):
        return column_lineage_dataset.InputField(
            dataset.namespace,
            dataset.name,
            column,
            transformations=[column_lineage_dataset.Transformation(type="DIRECT", subtype=subtype)],
        )

    lineage = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "customer_id": column_lineage_dataset.Fields(
                inputFields=[source(orders, "customer_id", "IDENTITY")],
                transformationDescription="",
                transformationType="",
            ),
            "country": column_lineage_dataset.Fields(
                inputFields=[source(customers, "country", "IDENTITY")],
                transformationDescription="",
                transformationType="",
            ),
            "revenue": column_lineage_dataset.Fields(
                inputFields=[source(orders, "amount", "AGGREGATION")],
                transformationDescription="",
                transformationType="",
            ),
        }
    )
    output = OutputDataset(
        LAKE,
        "gold/revenue_by_customer",
        facets={
            "schema": schema(*out_fields),
            "columnLineage": lineage,
            "documentation": documentation_dataset.DocumentationDatasetFacet(
                description="Revenue per customer and country."
            ),
            "ownership": ownership_dataset.OwnershipDatasetFacet(
                owners=[ownership_dataset.Owner(name="team:revenue-analytics")]
            ),
        },
    )
    return RunEvent(
        eventType=state,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id or str(uuid.uuid4())),
        job=Job(namespace="spark://etl-cluster", name="revenue_by_customer"),
        producer=PRODUCER,
        inputs=[orders, customers],
        outputs=[output],
    )


def as_json(event: RunEvent) -> dict:
    import json

    return json.loads(Serde.to_json(event))
