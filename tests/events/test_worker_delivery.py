"""Real Celery workers on Redis deliver webhooks to a real receiver: nothing is lost.

Events are emitted by a separate ``manage.py shell`` process configured like production
(PostgreSQL + Redis), so routing and delivery happen in the worker, not in this process.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.catalog.testing import make_mesh
from apps.events import actions as events
from apps.events.models import DeliveryStatus, WebhookDelivery
from tests.events.receiver import Receiver, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def worker_env():
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CELERY_QUEUE": f"mesh-test-events-{uuid.uuid4().hex[:8]}",
        "CONN_MAX_AGE": "0",
        "MESH_WEBHOOK_ALLOW_PRIVATE": "true",
        "MESH_WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
    }


class Workers:
    """Start and stop Celery worker processes on the test's private queue."""

    def __init__(self, env):
        self.env, self.procs = env, []

    def start(self, **extra_env):
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mesh_catalog", "worker", "--pool", "solo", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "warning", "-Q", self.env["CELERY_QUEUE"]],
            cwd=ROOT, env={**self.env, **extra_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def workers(worker_env):
    w = Workers(worker_env)
    yield w
    w.stop_all()


def manage(env, *args, code: str | None = None):
    cmd = [sys.executable, "manage.py", *args] + (["-c", code] if code else [])
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def emit_updates(env, n: int):
    """``n`` product updates by the owner, each its own transaction, in a production-like process."""
    manage(
        env,
        "shell",
        code=(
            "from apps.catalog import actions; from apps.catalog.models import DataProduct; "
            "from django.contrib.auth import get_user_model; "
            "u = get_user_model().objects.get(username='olivia'); "
            f"[actions.update_product(u, DataProduct.objects.get(slug='orders'), summary=f'v{{i}}') for i in range({n})]"
        ),
    )


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_receiver_down_for_the_whole_window_then_up_gets_every_event(workers, worker_env, settings):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    mesh = make_mesh()
    receiver = Receiver(port=free_port())
    sub, secret = events.create_subscription(mesh.admin, url=receiver.url, event_types=["mesh.product.updated"])
    receiver.secrets = [secret]
    workers.start()
    emit_updates(worker_env, 20)
    # Every delivery was attempted at least twice against a closed port.
    wait_for(lambda: WebhookDelivery.objects.filter(attempts__gte=2).count() == 20, timeout=90)
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists()
    receiver.start()
    try:
        wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 20, timeout=90)
    finally:
        receiver.stop()
    ids = receiver.ids()
    assert len(set(ids)) == 20 and all(r["verified"] for r in receiver.received)
    assert set(ids) == set(WebhookDelivery.objects.values_list("webhook_id", flat=True))


def test_worker_killed_mid_delivery_is_redelivered_with_the_same_webhook_id(workers, worker_env, settings):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    mesh = make_mesh()
    receiver = Receiver(mode="hang_first", delay=30).start()
    try:
        sub, secret = events.create_subscription(mesh.admin, url=receiver.url, event_types=["mesh.product.updated"])
        receiver.secrets = [secret]
        first = workers.start(MESH_WEBHOOK_TIMEOUT_SECONDS="25", MESH_WEBHOOK_LEASE_SECONDS="2")
        emit_updates(worker_env, 1)
        wait_for(lambda: len(receiver.received) == 1)  # the worker is inside the POST now
        assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERING
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        time.sleep(2.5)  # the dead worker's lease lapses
        workers.start()
        assert "queued 1 delivery" in manage(worker_env, "events_sweep")
        delivery = wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first())
    finally:
        receiver.stop()
    ids = receiver.ids()
    assert len(ids) == 2 and ids[0] == ids[1] == delivery.webhook_id
    assert all(r["verified"] for r in receiver.received)
    assert delivery.attempts == 2
