"""The RabbitMQ harvester end to end against the real broker's management API."""

import json
import os
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.catalog.models import Dataset, LineageEdge
from apps.core.errors import ActionError
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import RunStatus
from tests.harvest.rabbitmq.broker import MANAGEMENT_URL, api, broker_vhost, publish, q, wait_for_messages

pytestmark = pytest.mark.django_db
GOLDEN = Path(settings.BASE_DIR) / "fixtures" / "golden" / "rabbitmq_shop_export.json"


@pytest.fixture
def broker():
    with broker_vhost() as found:
        yield found


def source_for(broker, name="bus", **config):
    vhost, user, password = broker
    return actions.create_source(
        SYSTEM,
        name=name,
        kind="rabbitmq",
        config={"management_url": MANAGEMENT_URL, "username": user, **config},
        secrets={"password": password},
    )


def harvest(source, **kwargs):
    return actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False, **kwargs)


def export() -> dict:
    out = StringIO()
    call_command("export_catalog", stdout=out)
    return json.loads(out.getvalue())


def test_export_of_a_harvested_vhost_matches_the_golden_file(broker):
    vhost = broker[0]
    out = StringIO()
    config = {"management_url": MANAGEMENT_URL, "username": broker[1], "password": broker[2]}
    call_command("add_source", "bus", "--kind", "rabbitmq", "--config", json.dumps(config), "--test", stdout=out)
    assert "secrets set: password" in out.getvalue() and "Connection: ok" in out.getvalue(), out.getvalue()
    assert broker[2] not in out.getvalue()
    call_command("harvest", "bus", stdout=StringIO())
    text = json.dumps(export(), indent=2).replace(q(vhost), "VHOST") + "\n"
    if os.environ.get("MESH_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "export differs from the golden file (MESH_REGEN_GOLDEN=1 regenerates it)"


def test_exchanges_queues_and_bindings_become_datasets_and_lineage(broker):
    vhost = broker[0]
    run = harvest(source_for(broker))
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.counts["source_queries"] == 5
    v = q(vhost)
    kinds = dict(Dataset.objects.values_list("name", "kind"))
    assert kinds == {
        f"exchange/{v}/shop.events": "topic",
        f"exchange/{v}/shop.dead": "topic",
        f"exchange/{v}/audit": "topic",
        f"queue/{v}/billing.orders": "queue",
        f"queue/{v}/shipping.orders": "queue",
        f"queue/{v}/dead.letters": "queue",
        f"queue/{v}/audit.log": "queue",
    }  # no amq.* system exchanges, no default exchange, nothing of other vhosts
    assert {d.namespace for d in Dataset.objects.all()} == {"amqp://127.0.0.1:5672"}
    edges = {
        (e.upstream.short_name, e.downstream.short_name): e.details
        for e in LineageEdge.objects.select_related("upstream", "downstream")
    }
    assert edges[("shop.events", "billing.orders")] == {"routing_keys": ["order.cancelled", "order.placed"]}
    assert edges[("shop.events", "shipping.orders")] == {"routing_keys": ["order.placed"]}
    assert edges[("shop.events", "audit")] == {"routing_keys": ["#"]}  # exchange → exchange
    assert edges[("billing.orders", "shop.dead")] == {"dead_letter": True}
    assert set(edges) == {
        ("shop.events", "billing.orders"),
        ("shop.events", "shipping.orders"),
        ("shop.events", "audit"),
        ("audit", "audit.log"),
        ("shop.dead", "dead.letters"),
        ("billing.orders", "shop.dead"),
    }
    shipping = Dataset.objects.get(name=f"queue/{v}/shipping.orders").properties["rabbitmq"]
    assert shipping["type"] == "quorum" and shipping["durable"]
    audit = Dataset.objects.get(name=f"exchange/{v}/audit").properties["rabbitmq"]
    assert audit["type"] == "fanout" and audit["internal"] is True


def test_message_counts_and_rates_are_properties(broker):
    vhost = broker[0]
    publish(vhost, "shop.events", "order.placed", n=3)
    wait_for_messages(vhost, "billing.orders", 3)
    harvest(source_for(broker))
    billing = Dataset.objects.get(name=f"queue/{q(vhost)}/billing.orders")
    props = billing.properties["rabbitmq"]
    assert props["messages"] == 3 and props["messages_ready"] == 3 and billing.row_estimate == 3
    assert props["consumers"] == 0 and props["messages_unacknowledged"] == 0
    assert props["arguments"] == {"x-dead-letter-exchange": "shop.dead"}


def test_vhosts_are_schemas_for_mapping_rules_and_can_be_excluded(broker):
    from apps.catalog.testing import make_mesh

    make_mesh()
    vhost = broker[0]
    source = source_for(broker, exclude_vhosts=["nothing-*"])
    source = actions.update_source(SYSTEM, source, mapping_rules=[{"schema": q(vhost), "domain": "sales"}])
    harvest(source)
    assert set(Dataset.objects.values_list("domain__slug", flat=True)) == {"sales"}
    excluded = source_for(broker, name="bus-none", exclude_vhosts=[vhost])
    check = actions.test_source_connection(SYSTEM, excluded)
    assert (check.ok, check.stage) == (False, "permission")


def test_a_removed_queue_is_soft_deleted_on_the_next_harvest(broker):
    vhost = broker[0]
    source = source_for(broker)
    harvest(source)
    api("DELETE", f"queues/{q(vhost)}/audit.log")
    run = harvest(source)
    assert run.counts["datasets_removed"] == 1
    assert Dataset.objects.get(name=f"queue/{q(vhost)}/audit.log").removed_at is not None


def test_wrong_password_fails_at_auth_and_changes_nothing(broker):
    source = source_for(broker)
    harvest(source)
    before = export()
    source = actions.update_source(SYSTEM, source, secrets={"password": "definitely-wrong"})
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, "auth"), check.message
    run = harvest(source)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "auth"
    assert export() == before


def test_a_user_without_a_management_tag_fails_at_permission():
    with broker_vhost(tags="", declare=None) as found:
        check = actions.test_source_connection(SYSTEM, source_for(found))
        assert (check.ok, check.stage) == (False, "permission"), check.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "stage"),
    [("http://127.0.0.1:{free}", "refused"), ("http://no-such-host.invalid:15672", "dns")],
)
def test_unreachable_brokers_name_the_failing_stage(url, stage):
    source = actions.create_source(
        SYSTEM,
        name="down",
        kind="rabbitmq",
        config={"management_url": url.format(free=_free_port()), "username": "x", "timeout_s": 3},
    )
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, stage), check.message
    run = harvest(source)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == stage


def test_a_url_that_is_not_the_management_api_fails_at_api(live_server):
    source = actions.create_source(
        SYSTEM, name="not-rabbit", kind="rabbitmq", config={"management_url": live_server.url, "username": "x"}
    )
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, "api"), check.message


def test_bad_config_is_refused_with_field_errors():
    with pytest.raises(ActionError) as err:
        actions.create_source(
            SYSTEM, name="bad", kind="rabbitmq", config={"management_url": "amqp://x", "username": "", "timeout_s": 0}
        )
    assert {f for f, _, _ in err.value.errors} == {"config.management_url", "config.username", "config.timeout_s"}
