"""Issue 12, item 6: hostile OpenLineage events are 400s naming the field, never 500s.

The attacks: names longer than the catalog's columns (500/300 characters), a NUL byte in
a name, JSON nested 100,000 deep. Each leaves the catalog as it was.
"""

import json

import pytest

from apps.catalog.models import Dataset
from apps.core.testing import make_user
from apps.harvest.openlineage.models import LineageEvent
from tests.harvest.openlineage.events import as_json, spark_job_event
from tests.harvest.openlineage.test_intake import URL, api

pytestmark = pytest.mark.django_db

HOSTILE = [
    (lambda e: e["outputs"][0].update(name="x" * 501), "outputs[0].name", "longer than 500"),
    (lambda e: e["inputs"][0].update(namespace="pg://" + "h" * 300), "inputs[0].namespace", "longer than 300"),
    (lambda e: e["job"].update(name="j" * 600), "job.name", "longer than 500"),
    (
        lambda e: e["outputs"][0]["facets"]["schema"]["fields"][0].update(name="c" * 301),
        "outputs[0].facets.schema.fields[0].name",
        "longer than 300",
    ),
]


@pytest.mark.parametrize(("damage", "field", "reason"), HOSTILE)
def test_overlong_names_are_refused_naming_the_field(damage, field, reason):
    event = as_json(spark_job_event())
    damage(event)
    response = api(make_user("airflow", superuser=True)).post(URL, event, format="json")
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["field"] == field and reason in error["message"]
    assert not Dataset.objects.exists() and not LineageEvent.objects.exists()


def test_a_nul_byte_in_a_name_is_a_400():
    event = as_json(spark_job_event())
    event["outputs"][0]["name"] = "db.public.orders\x00"
    response = api(make_user("airflow", superuser=True)).post(URL, event, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "nul_character"
    assert not Dataset.objects.exists()


def test_json_nested_100000_deep_is_a_400():
    body = '{"run": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api(make_user("airflow", superuser=True)).post(URL, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "too_deep"


def test_too_many_schema_fields_are_refused(settings):
    settings.MESH_MAX_COLUMNS_PER_DATASET = 2
    event = as_json(spark_job_event())
    fields = event["outputs"][0]["facets"]["schema"]["fields"]
    fields += [{"name": f"extra{i}", "type": "int"} for i in range(3)]
    response = api(make_user("airflow", superuser=True)).post(URL, json.dumps(event), content_type="application/json")
    assert response.status_code == 400 and "MESH_MAX_COLUMNS_PER_DATASET" in response.json()["errors"][0]["message"]
