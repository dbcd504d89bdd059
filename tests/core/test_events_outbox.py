"""The outbox: emit() writes in the caller's transaction and tells listeners only after commit."""

import pytest
from django.db import transaction

from apps.core import events
from apps.core.actors import SystemActor
from apps.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    """A listener that records the ids it heard of; removed after the test."""
    got: list[int] = []

    def listener(ids):
        got.extend(ids)

    events.register_event_listener(listener)
    yield got
    events._listeners.remove(listener)


@pytest.fixture(autouse=True)
def test_type():
    if "mesh.test.happened" not in events.EVENT_TYPES:
        events.register_event_type("mesh.test.happened", "A test event.")


def test_emit_is_delivered_after_commit_as_a_cloudevent(heard):
    with transaction.atomic():
        event = events.emit(
            "mesh.test.happened", subject="product/orders", data={"a": 1}, actor=SystemActor("test"), product="orders"
        )
        assert heard == []  # not before the commit
    assert heard == [event.pk]
    envelope = Event.objects.get(pk=event.pk).as_cloudevent()
    assert envelope["specversion"] == "1.0"
    assert envelope["type"] == "mesh.test.happened"
    assert envelope["subject"] == "product/orders"
    assert envelope["data"] == {"a": 1}
    assert envelope["id"] == str(event.uid)


def test_a_rolled_back_write_emits_nothing(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("mesh.test.happened", subject="product/orders")
        raise RuntimeError("the write failed")
    assert heard == []
    assert not Event.objects.exists()


def test_events_are_append_only_and_types_declared():
    event = events.emit("mesh.test.happened", subject="x")
    event.subject = "y"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(KeyError):
        events.emit("mesh.unknown.thing", subject="x")
    with pytest.raises(ValueError):
        events.register_event_type("badname", "no")


def test_emit_many_writes_one_batch(heard, django_assert_max_num_queries):
    # Counted inside the transaction: after commit, installed listeners (routing) do their own work.
    with transaction.atomic(), django_assert_max_num_queries(3):
        created = events.emit_many([{"type": "mesh.test.happened", "subject": f"dataset/{i}"} for i in range(50)])
    assert len(created) == 50
    assert sorted(heard) == sorted(Event.objects.values_list("pk", flat=True))
