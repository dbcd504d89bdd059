"""Benchmark: routing and delivering catalog events.

Scenarios (each in a fresh, migrated catalog database on ``--server``, dropped afterwards):

  fanout    one breaking schema change on an output port consumed by 500 products with
            2 owners each, granted to 200 people, queried in the lab by 2,000 people:
            time to route and store every notification (target ≤ 1 s).
  batch     2,000 schema changes (``--events``), 10 % on a consumed port, routed in chunks: time, statements.
  delivery  webhook latency from commit to a local receiver, 2 Celery workers on Redis,
            events committed one by one (target p95 ≤ 2 s).
  drain     10,000 events queued while no worker runs, then drained (routed, signed,
            POSTed) by 2 worker processes (target ≤ 60 s).
  harvest   the 5,250-table re-harvest with 1 % and 100 % of the schemas changed, with
            event emission off, on (outbox rows only) and on with in-process routing
            (target: emission adds ≤ 5 %).

    .venv/bin/python bench/events_bench.py all [--server postgresql://postgres@127.0.0.1:5432] [--redis redis://127.0.0.1:6379/4]
    .venv/bin/python bench/events_bench.py fanout --consumers 500 --lab-users 2000
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.events_support import (  # noqa: E402  (the project root first on the path)
    Receiver,
    make_users,
    producer_mesh,
    schema_change_burst,
    start_workers,
    stop_workers,
    wait_until,
)

SCENARIOS = ("fanout", "batch", "delivery", "drain", "harvest")


# --- setup -------------------------------------------------------------------------------------


def setup(args, *, broker: bool):
    """Create and migrate a fresh catalog database; Django configured for it."""
    name = f"mesh_bench_events_{secrets.token_hex(3)}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    os.environ.update(
        DATABASE_URL=f"{args.server}/{name}",
        DJANGO_SETTINGS_MODULE="mesh_catalog.settings",
        LOG_LEVEL="WARNING",
        MESH_WEBHOOK_ALLOW_PRIVATE="true",
        CELERY_QUEUE=f"mesh-bench-events-{secrets.token_hex(3)}",
    )
    if broker:
        os.environ["REDIS_URL"] = args.redis
    else:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"catalog {name}: migrated in {time.perf_counter() - t0:.1f} s")
    return name


def drop(args, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def fanout(args) -> None:
    name = setup(args, broker=False)
    try:
        from django.db import transaction
        from django.utils import timezone

        from apps.catalog.models import DataProduct, Ownership, Port
        from apps.core.events import emit
        from apps.core.models import Event
        from apps.events.models import EventRoute, Notification
        from apps.events.routing import route_event
        from apps.governance.models import AccessGrant
        from apps.lab.models import QueryRun

        t0 = time.perf_counter()
        domain, orders, port, dataset, _ = producer_mesh()
        consumers = DataProduct.objects.bulk_create(
            [DataProduct(domain=domain, slug=f"consumer-{i}", name=f"Consumer {i}") for i in range(args.consumers)]
        )
        owners = make_users("owner", 2 * args.consumers)
        Ownership.objects.bulk_create(
            [Ownership(product=p, user=owners[2 * i + k]) for i, p in enumerate(consumers) for k in (0, 1)],
            batch_size=2000,
        )
        Port.objects.bulk_create(
            [Port(product=p, name="orders-in", direction="input", upstream_port=port) for p in consumers],
            batch_size=2000,
        )
        lab = make_users("lab", args.lab_users)
        now = timezone.now()
        QueryRun.objects.bulk_create(
            [
                QueryRun(token=f"t{u.pk}", user=u, product=orders, port=port, sql="select 1", status="succeeded")
                for u in lab
            ],
            batch_size=2000,
        )
        QueryRun.objects.filter(token__startswith="t").update(created_at=now)
        AccessGrant.objects.bulk_create([AccessGrant(port=port, user=u) for u in lab[: args.grants]], batch_size=2000)
        print(
            f"data: {args.consumers} consumer products × 2 owners, {args.lab_users} lab users ({args.grants} with a grant) in {time.perf_counter() - t0:.1f} s"
        )

        def one_change():
            with transaction.atomic():
                return emit(
                    "mesh.dataset.schema_changed",
                    subject=f"dataset/{dataset.namespace}/{dataset.name}",
                    data={"dataset_id": dataset.pk, "name": dataset.name, "breaking": True, "changes": []},
                    domain="sales",
                )

        # End to end: emit + commit + the in-process listener routing and storing.
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            event = one_change()
            timings.append(time.perf_counter() - start)
        told = Notification.objects.filter(event=event).count()
        # Routing alone, re-run on the same event (its notifications dropped first).
        alone = []
        for _ in range(args.repeat):
            Notification.objects.filter(event=event).delete()
            EventRoute.objects.filter(event=event).delete()
            start = time.perf_counter()
            route_event(event)
            alone.append(time.perf_counter() - start)
        print(
            f"fan-out of one breaking change: {told} notifications (expected {2 * args.consumers + args.lab_users + 1}: consumers' owners, lab users, the producer's owner); "
            f"emit + route + store median {statistics.median(timings):.3f} s (max {max(timings):.3f}); "
            f"route + store alone median {statistics.median(alone):.3f} s — target ≤ 1 s"
        )
        print(f"  events in the outbox: {Event.objects.count()}")
    finally:
        drop(args, name)


def batch(args) -> None:
    name = setup(args, broker=False)
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from apps.events.dispatch import CHUNK, route
        from apps.events.models import Notification

        n, ids, start = args.events, schema_change_burst(args.events, consumers=20), time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            [route(ids[at : at + CHUNK]) for at in range(0, n, CHUNK)]
        spent = time.perf_counter() - start
        print(f"routed {n} schema changes in chunks of {CHUNK}: {spent:.2f} s ({spent / n * 1000:.2f} ms each), "
              f"{len(ctx.captured_queries)} statements, {Notification.objects.count()} notifications")  # fmt: skip
    finally:
        drop(args, name)


def delivery(args) -> None:
    name = setup(args, broker=True)
    receiver = Receiver()
    workers = []
    try:
        from django.db import transaction

        from apps.catalog import actions
        from apps.core.testing import make_user
        from apps.events import actions as events
        from apps.events.models import DeliveryStatus, WebhookDelivery

        _, orders, _, _, owner = producer_mesh()
        admin = make_user("bench-admin", superuser=True)
        events.create_subscription(admin, url=receiver.url, event_types=["mesh.product.updated"])
        workers = start_workers(2)
        time.sleep(3)  # let both workers connect
        committed: dict[str, float] = {}
        for i in range(args.events):
            with transaction.atomic():
                actions.update_product(owner, orders, summary=f"revision {i}")
                from apps.core.models import Event

                uid = str(Event.objects.filter(type="mesh.product.updated").latest("id").uid)
            committed[uid] = time.time()
            time.sleep(args.interval)
        wait_until(lambda: len(receiver.arrivals) >= args.events, timeout=120)
        wait_until(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() >= args.events, timeout=30
        )
        latencies = sorted(receiver.arrivals[u] - t for u, t in committed.items())
        p = statistics.quantiles(latencies, n=100)
        ok = WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count()
        print(
            f"webhook delivery after commit ({args.events} events, one every {args.interval * 1000:.0f} ms, 2 workers): "
            f"p50 {p[49] * 1000:.0f} ms, p95 {p[94] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {ok} delivered — target p95 ≤ 2 s"
        )
    finally:
        stop_workers(workers)
        receiver.stop()
        drop(args, name)


def drain(args) -> None:
    name = setup(args, broker=True)
    receiver = Receiver()
    workers = []
    try:
        from django.db import transaction

        from apps.core.events import emit_many
        from apps.core.testing import make_user
        from apps.events import actions as events
        from apps.events.models import DeliveryStatus, WebhookDelivery

        _, orders, _, _, owner = producer_mesh()
        admin = make_user("bench-admin", superuser=True)
        events.create_subscription(admin, url=receiver.url)
        t0 = time.perf_counter()
        with transaction.atomic():
            emit_many(
                [
                    {
                        "type": "mesh.product.updated",
                        "subject": "product/orders",
                        "domain": "sales",
                        "product": "orders",
                        "data": {"product_id": orders.pk, "product": "orders", "domain_id": orders.domain_id, "n": i},
                    }
                    for i in range(args.events)
                ]
            )
        print(
            f"queued {args.events} events (and their routing tasks) in {time.perf_counter() - t0:.2f} s, no worker running"
        )
        start = time.perf_counter()
        workers = start_workers(2)
        wait_until(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() >= args.events,
            timeout=600,
            every=0.5,
        )
        wall = time.perf_counter() - start
        print(
            f"drained {args.events} events by 2 worker processes in {wall:.1f} s (including worker start-up): "
            f"{len(receiver.arrivals)} distinct events received, {args.events / wall:.0f} events/s — target ≤ 60 s"
        )
    finally:
        stop_workers(workers)
        receiver.stop()
        drop(args, name)


def harvest(args) -> None:
    name = setup(args, broker=False)
    try:
        import apps.harvest.pipeline.columns as columns
        from apps.core import events as core_events
        from apps.harvest.models import Source
        from apps.harvest.pipeline import reconcile
        from apps.harvest.records import ColumnRecord, DatasetRecord, DatasetRef

        types = ["text", "integer", "bigint", "numeric(12,2)", "timestamp with time zone", "boolean", "date"]

        def records(variant: int, share: float):
            n = args.schemas * args.tables
            changed = set(range(0, n, max(1, round(1 / share)))) if share else set()
            out = []
            for i in range(n):
                cols = [ColumnRecord(name="id", ordinal=1, data_type="bigint", nullable=False)] + [
                    ColumnRecord(
                        name=f"c{c}", ordinal=c + 1, data_type=types[(c + i) % len(types)], nullable=c % 4 != 0
                    )
                    for c in range(1, args.columns)
                ]
                if i in changed and variant % 2:
                    cols[3] = ColumnRecord(name="c3", ordinal=4, data_type="text", nullable=True)  # breaking: retyped
                out.append(
                    DatasetRecord(
                        ref=DatasetRef("postgres://bench:5432", f"db.s{i % args.schemas}.t{i}"),
                        platform="postgres",
                        kind="table",
                        columns=tuple(cols),
                    )
                )
            return out

        source = Source.objects.create(name="bench", kind="postgres", max_removal_share=1.0)
        t0 = time.perf_counter()
        reconcile(source, records(0, 0))
        print(
            f"first harvest ({args.schemas * args.tables} datasets × {args.columns} columns): {time.perf_counter() - t0:.1f} s"
        )

        real_emit = columns.emit_schema_changes
        from apps.events.dispatch import on_events_committed

        spent = {"emit": 0.0, "route": 0.0}  # time inside emission and inside routing, measured directly

        def timed_emit(run, changes):
            start = time.perf_counter()
            try:
                return real_emit(run, changes)
            finally:
                spent["emit"] += time.perf_counter() - start

        def timed_route(ids):
            start = time.perf_counter()
            try:
                return on_events_committed(ids)
            finally:
                spent["route"] += time.perf_counter() - start

        def set_mode(mode: str):
            columns.emit_schema_changes = timed_emit if mode != "off" else (lambda run, changes: 0)
            for listener in (on_events_committed, timed_route):
                if listener in core_events._listeners:
                    core_events._listeners.remove(listener)
            if mode == "route":
                core_events._listeners.append(timed_route)

        variant = 0
        for share in (0.01, 1.0):
            results: dict[str, list[float]] = {"off": [], "emit": [], "route": []}
            spent.update(emit=0.0, route=0.0)
            for _ in range(args.repeat):
                for mode in results:
                    set_mode(mode)
                    variant += 1
                    batch = records(variant, share)
                    start = time.perf_counter()
                    report = reconcile(source, batch)
                    results[mode].append(time.perf_counter() - start)
            set_mode("route")
            med = {m: statistics.median(v) for m, v in results.items()}
            print(
                f"re-harvest with {share:.0%} of schemas changed ({report.counts.get('datasets_changed', 0)} datasets): "
                f"events off {med['off']:.2f} s, outbox on {med['emit']:.2f} s ({(med['emit'] / med['off'] - 1) * 100:+.1f} %), "
                f"outbox + in-process routing {med['route']:.2f} s ({(med['route'] / med['off'] - 1) * 100:+.1f} %) — target ≤ +5 %"
            )
            per_run_emit = spent["emit"] / (2 * args.repeat)
            per_run_route = spent["route"] / args.repeat
            print(
                f"  measured inside the runs: emission {per_run_emit * 1000:.0f} ms per re-harvest "
                f"({per_run_emit / med['off'] * 100:.1f} % of it); in-process routing {per_run_route * 1000:.0f} ms "
                f"({per_run_route / med['off'] * 100:.1f} %; with workers it runs outside the harvest)"
            )
    finally:
        drop(args, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("MESH_BENCH_REDIS", "redis://127.0.0.1:6379/4"))
    parser.add_argument("--consumers", type=int, default=500)
    parser.add_argument("--lab-users", type=int, default=2000)
    parser.add_argument("--grants", type=int, default=200)
    parser.add_argument("--events", type=int, default=0, help="batch: 2000, delivery: 200, drain: 10000 by default")
    parser.add_argument("--interval", type=float, default=0.02, help="delivery: seconds between commits")
    parser.add_argument("--schemas", type=int, default=10)
    parser.add_argument("--tables", type=int, default=525)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.scenario == "all":
        for scenario in SCENARIOS:  # one process each: Django is configured once per process
            subprocess.run([sys.executable, __file__, scenario, *sys.argv[2:]], check=False)
        return
    if not args.events:
        args.events = {"batch": 2000, "delivery": 200, "drain": 10000}.get(args.scenario, 0)
    {"fanout": fanout, "batch": batch, "delivery": delivery, "drain": drain, "harvest": harvest}[args.scenario](args)


if __name__ == "__main__":
    main()
