"""Helpers of bench/events_bench.py: people, a producer mesh, a local webhook receiver, Celery workers."""

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_users(prefix: str, n: int) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", password="!") for i in range(n)],
        batch_size=2000,
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("id"))


def producer_mesh():
    """A domain, the producer product with one output port publishing one dataset, its owner."""
    from apps.catalog import actions
    from apps.catalog.models import Dataset
    from apps.core.actors import SystemActor

    system = SystemActor("bench")
    domain = actions.create_domain(system, slug="sales", name="Sales")
    orders = actions.create_product(system, domain=domain, slug="orders", name="Orders", lifecycle="published")
    owner = make_users("producer", 1)[0]
    actions.add_owner(system, orders, user=owner)
    dataset = Dataset.objects.create(
        namespace="postgres://wh:5432", name="wh.sales.orders", short_name="orders", platform="postgres"
    )
    port = actions.create_port(system, orders, name="orders-tables", direction="output", datasets=[dataset])
    return domain, orders, port, dataset, owner


class Receiver:
    """A local webhook receiver recording the arrival time of each CloudEvents id."""

    def __init__(self):
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                at = time.time()
                import orjson

                event_id = orjson.loads(body)["id"]
                with receiver.lock:
                    receiver.arrivals.setdefault(event_id, at)
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def schema_change_burst(n: int, *, consumers: int) -> list[int]:
    """``n`` unrouted schema-change events on ``n`` datasets, a tenth published on a port ``consumers`` read."""
    from apps.catalog.models import DataProduct, Dataset, Ownership, Port, PortDataset
    from apps.core.models import Event

    domain, _orders, port, _dataset, _ = producer_mesh()
    datasets = Dataset.objects.bulk_create(
        [Dataset(namespace="postgres://bench:5432", name=f"db.s.t{i}", platform="postgres") for i in range(n)],
        batch_size=2000,
    )
    PortDataset.objects.bulk_create([PortDataset(port=port, dataset=d) for d in datasets[: n // 10]])
    products = DataProduct.objects.bulk_create(
        [DataProduct(domain=domain, slug=f"consumer-{i}", name=f"Consumer {i}") for i in range(consumers)]
    )
    owners = make_users("owner", consumers)
    Ownership.objects.bulk_create([Ownership(product=p, user=u) for p, u in zip(products, owners, strict=True)])
    Port.objects.bulk_create([Port(product=p, name="in", direction="input", upstream_port=port) for p in products])
    events = Event.objects.bulk_create(
        [
            Event(
                type="mesh.dataset.schema_changed",
                subject=d.name,
                data={"dataset_id": d.pk, "name": d.name, "breaking": i % 2 == 0, "changes": []},
            )
            for i, d in enumerate(datasets)
        ],
        batch_size=2000,
    )
    return [e.pk for e in events]


def start_workers(n: int) -> list:
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mesh_catalog",
                "worker",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
                "-Q",
                os.environ["CELERY_QUEUE"],
                "-n",
                f"bench{i}@%h",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            start_new_session=True,
        )  # fmt: skip
        for i in range(n)
    ]


def stop_workers(procs) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def wait_until(predicate, timeout: float, every: float = 0.1) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout} s")


# --- scenarios ---------------------------------------------------------------------------------
