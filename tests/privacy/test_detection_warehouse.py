"""Detection against a real PostgreSQL warehouse of Faker personal data with decoys."""

import pytest

from apps.catalog.models import Column
from apps.privacy.actions import detect_pii
from apps.privacy.models import ColumnClassification, DetectionRun, State
from tests.privacy import warehouse

pytestmark = pytest.mark.django_db


def predictions() -> set[tuple[str, str, str]]:
    out = set()
    for name, column, category in ColumnClassification.objects.exclude(state=State.REJECTED).values_list(
        "column__dataset__name", "column__name", "category"
    ):
        out.add((name.split(".", 1)[1], column, category))
    return out


def test_harvest_runs_name_detection_for_new_columns(harvested):
    run = DetectionRun.objects.filter(trigger="harvest").first()
    assert run is not None and run.status == "succeeded" and run.columns_checked > 100
    assert ("crm.customers", "email", "email") in predictions()
    assert ("crm.customers", "email_sent", "email") not in predictions()


def test_sampling_reaches_precision_and_recall_targets(harvested):
    run = detect_pii(sample_values=True, trigger="test")
    assert run.status == "succeeded"
    assert run.columns_sampled > 100
    result = warehouse.score(predictions())
    print(result)
    assert result["precision"] >= 0.95, result["false_positives"]
    assert result["recall"] >= 0.95, result["false_negatives"]


def test_only_counts_are_stored_never_values(harvested):
    detect_pii(sample_values=True, trigger="test")
    row = ColumnClassification.objects.get(column__dataset__name__endswith="crm.customers", column__name="email")
    assert row.sampled and row.matched and row.matched <= row.sampled <= 100
    assert row.rule == "value:email"
    # no sampled value anywhere in what was stored: reasons, rules, run warnings
    import psycopg

    with psycopg.connect(warehouse.conninfo(harvested.dbname)) as conn:
        emails = [r[0] for r in conn.execute("SELECT email FROM crm.customers LIMIT 50")]
    stored = " ".join(ColumnClassification.objects.values_list("reason", flat=True)) + " ".join(
        str(w) for r in DetectionRun.objects.all() for w in r.warnings
    )
    assert not any(e in stored for e in emails)


def test_binary_and_huge_values_warn_without_crashing(harvested):
    run = detect_pii(sample_values=True, trigger="test")
    text = "\n".join(run.warnings)
    assert "binary columns not sampled (photo)" in text
    assert "longer than 256 characters" in text
    assert not ColumnClassification.objects.filter(column__name__in=["photo", "col_f"]).exists()


def test_source_down_is_a_warning_and_keeps_name_suggestions(harvested):
    source = harvested.source
    source.config = {**source.config, "reader_dsn": "postgresql://nobody@127.0.0.1:1/nothing"}
    source.save(update_fields=["config"])
    before = ColumnClassification.objects.count()
    run = detect_pii(sample_values=True, trigger="test")
    assert run.status == "succeeded"
    assert any("Could not reach the reader of source privacy-wh" in w for w in run.warnings)
    assert ColumnClassification.objects.count() == before


def test_slow_source_times_out_per_dataset(harvested, settings):
    settings.MESH_PRIVACY_SAMPLE_TIMEOUT_MS = 1
    run = detect_pii(sample_values=True, trigger="test")
    assert run.status == "succeeded"
    assert any("statement timeout" in w for w in run.warnings)


def test_decisions_stick_across_detection_runs(harvested):
    from apps.privacy.actions import decide

    email = ColumnClassification.objects.get(column__dataset__name__endswith="crm.customers", column__name="email")
    notes = ColumnClassification.objects.get(column__dataset__name__endswith="crm.customers", column__name="notes")
    decide(harvested.admin, email, "confirm")
    decide(harvested.admin, notes, "reject")
    detect_pii(sample_values=True, trigger="test")
    from apps.core.testing import SYSTEM
    from apps.harvest import actions as harvest_actions

    harvest_actions.trigger_harvest(SYSTEM, harvested.source, triggered_by="test", run_async=False)
    email.refresh_from_db()
    notes.refresh_from_db()
    assert (email.state, notes.state) == (State.CONFIRMED, State.REJECTED)
    assert Column.objects.filter(pk=email.column_id).exists()
