"""Scores: set-based, incremental equals full, history only on change, level changes emitted."""

import io
import random

import pytest
from django.core.management import call_command

from apps.catalog import actions
from apps.catalog.models import Column, DataProduct
from apps.core.models import Event
from apps.core.testing import SYSTEM
from apps.trust.criteria import Scope
from apps.trust.models import MaturityScore, ProductMaturity
from apps.trust.scoring import compute, recompute

pytestmark = pytest.mark.django_db


def stored() -> dict:
    return {
        m.product_id: (m.score, m.level, m.principles, m.criteria, m.weakest)
        for m in ProductMaturity.objects.order_by("product_id")
    }


def full() -> dict:
    return {pid: (r.score, r.level, r.principles, r.criteria, r.weakest) for pid, r in compute(Scope(None)).items()}


def generate(mesh, n_products: int, seed: int = 7, start: int = 0) -> list:
    """A small random mesh: products with ports, datasets, columns, some described, some tagged."""
    rnd = random.Random(seed)
    products = []
    for i in range(start, start + n_products):
        domain = rnd.choice([mesh.sales, mesh.emea, mesh.marketing])
        product = actions.create_product(
            SYSTEM,
            domain=domain,
            slug=f"gen-{i}",
            name=f"Generated {i}",
            summary="A generated product for scoring tests." if rnd.random() < 0.5 else "",
            tags=["gen"] if rnd.random() < 0.5 else [],
        )
        datasets = []
        for d in range(rnd.randint(0, 3)):
            datasets.append(
                actions.register_dataset(
                    SYSTEM,
                    namespace="postgres://gen:5432",
                    name=f"gen.p{i}.t{d}",
                    platform="postgres",
                    columns=[
                        {
                            "name": f"c{c}" if rnd.random() < 0.9 else f"Col{c}",
                            "description": "x" if rnd.random() < 0.6 else "",
                            "primary_key": c == 0 and rnd.random() < 0.5,
                        }
                        for c in range(rnd.randint(1, 6))
                    ],
                )
            )
        if datasets or rnd.random() < 0.5:
            actions.create_port(
                SYSTEM,
                product,
                name="out",
                direction="output",
                protocol=rnd.choice(["postgres", "other"]),
                endpoint="postgres://gen:5432/gen" if rnd.random() < 0.7 else "",
                datasets=datasets,
            )
        if products and rnd.random() < 0.4:
            upstream = rnd.choice(products).ports.filter(direction="output").first()
            actions.create_port(SYSTEM, product, name="in", direction="input", upstream_port=upstream)
        if rnd.random() < 0.6:
            actions.add_owner(SYSTEM, product, user=mesh.owner)
        products.append(product)
    return products


def test_scores_explain_themselves(mesh):
    recompute()
    orders = ProductMaturity.objects.get(product=mesh.orders)
    assert 0 <= orders.score <= 100 and 1 <= orders.level <= 5
    assert set(orders.principles) == {
        "discoverable",
        "addressable",
        "trustworthy",
        "self_describing",
        "interoperable",
        "secure",
    }
    # points of applicable criteria add up to 100 (the overall score's scale)
    applicable = [c["points"] for c in orders.criteria.values() if c["passed"] is not None]
    assert sum(applicable) == pytest.approx(100, abs=0.1)
    earned = sum(c["points"] for c in orders.criteria.values() if c["passed"])
    assert earned == pytest.approx(orders.score, abs=0.2)


def test_a_recompute_of_unchanged_facts_writes_nothing(mesh):
    first = recompute()
    assert first["changed"] == 2 and first["trend_points"] == 2
    again = recompute()
    assert again == {"products": 2, "changed": 0, "trend_points": 0, "level_changes": 0}
    assert MaturityScore.objects.count() == 2


def test_a_trend_point_is_written_only_when_the_score_moves(mesh):
    recompute()
    actions.update_product(SYSTEM, mesh.orders, summary="Every order placed in EMEA shops, one row each.")
    recompute([mesh.orders.pk])
    actions.update_product(SYSTEM, mesh.orders, name="Orders (EMEA)")  # moves no criterion
    recompute([mesh.orders.pk])
    points = list(
        MaturityScore.objects.filter(product=mesh.orders).order_by("recorded_at", "id").values_list("score", flat=True)
    )
    assert len(points) == 2 and points[1] > points[0]


def test_a_level_change_is_an_event(mesh):
    recompute()
    before = ProductMaturity.objects.get(product=mesh.orders)
    actions.update_product(
        SYSTEM,
        mesh.orders,
        summary="Every order placed in EMEA shops, one row each.",
        description="## Purpose\nSales analysis.\n\n## Grain\nOne row per order.\n\n## Caveats\nRefunds arrive late.\n"
        + "More. " * 40,
        classification="confidential",
    )
    Column.objects.filter(dataset=mesh.orders_ds).update(description="Documented.")
    recompute([mesh.orders.pk])
    after = ProductMaturity.objects.get(product=mesh.orders)
    assert after.level > before.level
    event = Event.objects.get(type="mesh.maturity.level_changed")
    assert event.product_slug == "orders" and event.data["from"] == before.level and event.data["to"] == after.level


def test_incremental_recompute_after_commit_equals_a_full_recompute(mesh, django_capture_on_commit_callbacks):
    generate(mesh, 12)
    recompute()
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_product(SYSTEM, mesh.orders, summary="Every order placed in EMEA shops, one row each.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_port(SYSTEM, mesh.leads_port, endpoint="postgres://warehouse:5432/wh")
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_owner(SYSTEM, mesh.marketing, user=mesh.other_owner)  # every marketing product's domain_owned
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_dataset(  # a "harvest" re-describes a dataset: its products re-score
            SYSTEM,
            namespace="postgres://gen:5432",
            name="gen.p1.t0",
            platform="postgres",
            columns=[{"name": "c0", "description": "now described", "primary_key": True}],
        )
    assert stored() == full()


def test_incremental_equals_full_on_the_demo_mesh(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    incremental = stored()  # every demo write was re-scored after its commit
    assert incremental, "the demo loader's writes were scored"
    assert incremental == full()
    assert len(incremental) == DataProduct.objects.count()


def test_full_recompute_queries_do_not_grow_with_the_mesh(mesh, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    generate(mesh, 10)
    recompute()
    with CaptureQueriesContext(connection) as small:
        compute(Scope(None))
    generate(mesh, 30, seed=8, start=10)
    with CaptureQueriesContext(connection) as big:
        compute(Scope(None))
    # A few queries per criterion, whatever the size: only the evidence queries are skipped
    # when nothing is at fault.
    from apps.trust.rubric import get_rubric

    bound = 3 * len(get_rubric().criteria)
    assert len(small.captured_queries) <= bound and len(big.captured_queries) <= bound
    assert abs(len(big.captured_queries) - len(small.captured_queries)) <= 2
    with django_assert_max_num_queries(len(small.captured_queries) + 12):  # + reading and writing the rows
        recompute()


def test_incremental_recompute_of_one_product_has_a_fixed_query_budget(mesh, django_assert_max_num_queries):
    generate(mesh, 10)
    recompute()
    actions.update_product(SYSTEM, mesh.orders, summary="Every order placed in EMEA shops, one row each.")
    with django_assert_max_num_queries(31):  # contract_met: one query (two with an active contract)
        counts = recompute([mesh.orders.pk])
    assert counts["products"] == 1 and counts["changed"] == 1


def test_a_changed_rubric_rescores_everything_on_the_next_change(mesh, django_capture_on_commit_callbacks):
    from apps.trust import listeners

    recompute()
    ProductMaturity.objects.update(rubric_digest="an older rubric", digest="computed with the older rubric")
    listeners._rubric_checked.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_product(SYSTEM, mesh.orders, name="Orders (EMEA)")
    assert set(ProductMaturity.objects.values_list("rubric_digest", flat=True)) != {"an older rubric"}
    assert not ProductMaturity.objects.filter(rubric_digest="an older rubric").exists()  # leads too
