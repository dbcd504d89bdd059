"""The AsyncAPI harvester end to end: the specification's examples, our own Avro/JSON Schema documents."""

import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.catalog.models import Dataset, LineageEdge, SchemaChange
from apps.catalog.testing import make_mesh
from apps.core.errors import ActionError
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import RunStatus

pytestmark = pytest.mark.django_db
SHOP = Path(settings.BASE_DIR) / "fixtures" / "asyncapi" / "shop"
# The specification's own examples live beside the project (../shared/fixtures); a git
# worktree elsewhere names the folder in MESH_SHARED_FIXTURES.
SPEC_EXAMPLES = (
    Path(os.environ.get("MESH_SHARED_FIXTURES", Path(settings.BASE_DIR).parent / "shared" / "fixtures")) / "asyncapi"
)
GOLDEN = Path(settings.BASE_DIR) / "fixtures" / "golden" / "asyncapi_shop_export.json"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "docs"
    shutil.copytree(SHOP, target)
    return target


def source_for(path, name="events", **config):
    return actions.create_source(SYSTEM, name=name, kind="asyncapi", config={"path": str(path), **config})


def harvest(source, **kwargs):
    return actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False, **kwargs)


def export() -> dict:
    out = StringIO()
    call_command("export_catalog", stdout=out)
    return json.loads(out.getvalue())


def columns(name: str) -> dict:
    return {c.name: c for c in Dataset.objects.get(name=name).columns.all()}


def test_export_of_our_documents_matches_the_golden_file():
    make_mesh()
    out = StringIO()
    call_command(
        "add_source", "events", "--kind", "asyncapi", "--config", json.dumps({"path": str(SHOP)}), "--test", stdout=out
    )
    assert "Connection: ok" in out.getvalue() and "3 AsyncAPI document(s), 6 channel(s)" in out.getvalue()
    call_command("harvest", "events", stdout=StringIO())
    text = json.dumps(export(), indent=2) + "\n"
    if os.environ.get("MESH_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "export differs from the golden file (MESH_REGEN_GOLDEN=1 regenerates it)"


@pytest.mark.skipif(
    not SPEC_EXAMPLES.is_dir(), reason="../shared/fixtures/asyncapi (the specification's examples) is absent"
)
def test_the_specifications_streetlights_examples_2_6_and_3_x():
    run = harvest(source_for(SPEC_EXAMPLES))
    assert run.status == RunStatus.SUCCEEDED, run.errors
    topics = dict(Dataset.objects.filter(kind="topic").values_list("name", "namespace"))
    assert len(topics) == 8
    measured = "smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured"
    assert topics[measured] == "kafka://test.mykafkacluster.org:18092"  # the first server of the document
    assert topics["smartylighting/streetlights/1/0/action/{streetlightId}/dim"] == "mqtt://test.mosquitto.org:1883"
    lumens = columns(measured)["lumens"]
    assert (lumens.data_type, lumens.description) == ("long", "Light intensity measured in lumens.")
    # YAML 1.2: the example's ``enum: [on, off]`` are strings, not booleans.
    assert (
        columns("smartylighting.streetlights.1.0.action.{streetlightId}.turn.on")["command"].data_type == "enum(on,off)"
    )
    # 2.6 ``publish`` = the application receives; 3.x ``action: receive`` says the same.
    edges = set(LineageEdge.objects.values_list("upstream__name", "downstream__name", "evidence"))
    assert (measured, "Streetlights Kafka API", "asyncapi") in edges
    assert ("Streetlights Kafka API", "smartylighting.streetlights.1.0.action.{streetlightId}.dim", "asyncapi") in edges
    assert (
        "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured",
        "Streetlights MQTT API",
        "asyncapi",
    ) in edges


def test_avro_payloads_flatten_nested_records_unions_enums_arrays_maps_and_logical_types(folder):
    run = harvest(source_for(folder))
    assert run.status == RunStatus.SUCCEEDED, run.errors
    c = columns("shop.orders.placed.v1")
    shape = {name: (col.data_type, col.nullable) for name, col in c.items()}
    assert shape["order_id"] == ("uuid", False) and shape["placed_at"] == ("timestamp", False)
    assert shape["customer"] == ("struct<com.shop.orders.Customer>", False)
    assert shape["customer.email"] == ("string", True) and shape["customer.address"] == (
        "struct<com.shop.orders.Address>",
        True,
    )
    assert shape["customer.address.city"] == ("string", True)  # required inside an optional record
    assert shape["lines"] == ("array<struct<com.shop.orders.Line>>", False)
    assert shape["lines.price.amount"] == ("decimal(12,2)", False)  # a named type from another .avsc file
    assert shape["total.currency"] == ("enum(EUR,USD,GBP)", False) and c["total.currency"].default == '"EUR"'
    assert shape["attributes"] == ("map<string,string>", False) and shape["channel"] == ("enum(WEB,STORE,PHONE)", False)
    assert shape["delivery_date"] == ("date", True)
    assert c["order_id"].description == "The order's id"
    topic = Dataset.objects.get(name="shop.orders.placed.v1")
    assert topic.kind == "topic" and topic.namespace == "kafka://kafka.shop.internal:9092" and topic.platform == "kafka"
    assert topic.properties["asyncapi"]["document"] == "orders-service.yaml"  # the producer's document wins


def test_json_schema_payloads_with_refs_nesting_and_required(folder):
    harvest(source_for(folder))
    shape = {n: (c.data_type, c.nullable) for n, c in columns("shop.payments.confirmed.v1").items()}
    assert shape["payment_id"] == ("uuid", False) and shape["confirmed_at"] == ("timestamp", False)
    assert shape["amount.amount"] == ("double", False) and shape["amount.currency"] == ("enum(EUR,USD,GBP)", False)
    assert shape["card"] == ("object", True) and shape["card.brand"] == ("string", True)
    assert shape["attempts"] == ("array<object>", True) and shape["attempts.outcome"] == ("string", True)
    assert shape["note"] == ("string", True)
    amqp = Dataset.objects.get(name="notifications.email")
    assert amqp.namespace == "amqp://rabbit.shop.internal:5672" and amqp.platform == "amqp"


def test_operations_give_lineage_between_services_and_channels_and_owners_are_applied(folder):
    mesh = make_mesh()
    harvest(source_for(folder))
    edges = set(LineageEdge.objects.values_list("upstream__name", "downstream__name"))
    assert {
        ("Orders service", "shop.orders.placed.v1"),
        ("Orders service", "shop.orders.cancelled.v1"),
        ("shop.payments.confirmed.v1", "Orders service"),
        ("shop.orders.placed.v1", "Billing service"),
        ("Billing service", "shop.payments.confirmed.v1"),
        ("Notifications", "notifications.email"),
    } == edges
    placed = Dataset.objects.get(name="shop.orders.placed.v1")
    assert placed.owner == "olivia@example.com" and placed.domain.slug == "emea"
    assert mesh.orders.ports.filter(datasets=placed).exists()


def test_schema_changes_across_harvests_are_classified(folder):
    source = source_for(folder)
    harvest(source)
    avsc = folder / "schemas" / "order_placed.avsc"
    schema = json.loads(avsc.read_text())
    fields = schema["fields"]
    fields[:] = [
        f for f in fields if f["name"] not in ("channel", "attributes")
    ]  # no default: breaking; default {}: not
    fields.append({"name": "coupon", "type": ["null", "string"], "default": None})  # optional added: not breaking
    line = fields[3]["type"]["items"]["fields"]
    line[1]["type"] = "long"  # lines.quantity int → long: a widening (Avro promotes int to long)
    avsc.write_text(json.dumps(schema))
    run = harvest(source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    changes = {
        (c.change_type, c.column_name, c.is_breaking)
        for c in SchemaChange.objects.filter(dataset__name="shop.orders.placed.v1")
    }
    assert changes == {
        ("column_removed", "channel", True),
        ("column_removed", "attributes", False),
        ("column_added", "coupon", False),
        ("type_changed", "lines.quantity", False),  # the one rule table: widening is not breaking
    }
    assert Dataset.objects.get(name="shop.orders.placed.v1").schema_versions.count() == 2


def test_malformed_yaml_names_file_line_and_column_and_changes_nothing(folder):
    source = source_for(folder)
    harvest(source)
    before = export()
    doc = folder / "billing-service.yaml"
    doc.write_text(doc.read_text().replace("  title: Billing service", "  title: [Billing service"))
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, "document")
    assert check.message.startswith("billing-service.yaml:4:10: not valid YAML"), check.message
    assert "began at 3:10" in check.message
    run = harvest(source)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "document"
    assert "billing-service.yaml:" in run.errors[0]["message"]
    assert export() == before


def test_malformed_json_document_gives_line_and_column(tmp_path):
    (tmp_path / "api.json").write_text('{\n  "asyncapi": "3.0.0",\n  "info": {"title": "x",}\n}\n')
    check = actions.test_source_connection(SYSTEM, source_for(tmp_path))
    assert check.stage == "document" and check.message.startswith("api.json:3:"), check.message


def test_an_unknown_avro_named_type_is_a_clear_error(folder):
    source = source_for(folder)
    harvest(source)
    before = export()
    doc = folder / "orders-service.yaml"
    doc.write_text(doc.read_text().replace("type: com.shop.common.Money}", "type: com.shop.common.Monee}"))
    run = harvest(source)
    assert run.status == RunStatus.FAILED
    assert "unknown Avro named type 'com.shop.common.Monee'" in run.errors[0]["message"]
    assert "orders-service.yaml: channels.orderCancelled" in run.errors[0]["message"]
    assert export() == before


def test_an_avsc_file_with_an_unknown_type_names_the_file(folder):
    (folder / "schemas" / "broken.avsc").write_text(
        json.dumps({"type": "record", "name": "Broken", "fields": [{"name": "x", "type": "com.nowhere.Thing"}]})
    )
    check = actions.test_source_connection(SYSTEM, source_for(folder))
    assert check.stage == "document" and "schemas/broken.avsc" in check.message and "com.nowhere.Thing" in check.message


def test_references_may_not_leave_the_folder_and_files_are_size_capped(folder, tmp_path):
    (tmp_path / "outside.avsc").write_text('{"type": "string"}')
    doc = folder / "orders-service.yaml"
    doc.write_text(doc.read_text().replace("$ref: 'schemas/order_placed.avsc'", "$ref: '../outside.avsc'"))
    check = actions.test_source_connection(SYSTEM, source_for(folder))
    assert check.stage == "document" and "may not leave the source folder" in check.message
    small = source_for(SHOP, name="small", max_file_bytes=1024)
    check = actions.test_source_connection(SYSTEM, small)
    assert check.stage == "document" and "the limit is 1,024 bytes" in check.message


def test_missing_folder_and_bad_config():
    check = actions.test_source_connection(SYSTEM, source_for("/nonexistent/asyncapi"))
    assert (check.ok, check.stage) == (False, "path")
    with pytest.raises(ActionError) as err:
        actions.create_source(SYSTEM, name="bad", kind="asyncapi", config={"paht": "/x"})
    assert {f for f, _, _ in err.value.errors} == {"config.paht"}
    uploads_only = actions.create_source(SYSTEM, name="uploads-only", kind="asyncapi", config={})
    check = actions.test_source_connection(SYSTEM, uploads_only)
    assert (check.ok, check.stage) == (False, "path") and "no documents were uploaded" in check.message
