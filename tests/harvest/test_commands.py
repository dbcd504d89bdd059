"""The commands scripts rely on: add_source, harvest, export_catalog."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Dataset
from apps.harvest.models import HarvestRun, Source
from tests.harvest.pg_source import execute, source_database

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_source_prints_every_validation_error_and_saves_nothing():
    with pytest.raises(CommandError) as exc_info:
        run(
            "add_source", "shop", "--kind", "postgres", "--config", '{"dsn": "postgresql//h@db/shop", "schemas": ["x"]}'
        )
    message = str(exc_info.value)
    assert "config.dsn: Not a connection string" in message and "config.schemas: Unknown key" in message
    with pytest.raises(CommandError, match="--config is not valid JSON"):
        run("add_source", "shop", "--kind", "postgres", "--config", "{dsn:")
    assert not Source.objects.exists()


def test_add_source_harvest_and_export_round_trip():
    with source_database() as (dsn, dbname, role):
        out = run(
            "add_source",
            "shop",
            "--kind",
            "postgres",
            "--config",
            json.dumps({"dsn": dsn.replace(f"{role}@", f"{role}:pw-not-echoed@")}),
            "--test",
        )
        assert "Source 'shop' (postgres) saved (secrets set: password)." in out and "Connection: ok" in out
        assert "pw-not-echoed" not in out
        report = run("harvest", "shop")
        assert "Harvest of 'shop'" in report and ": partial" in report and "datasets_added: 10" in report
        assert "warning schema_skipped [secret]" in report
        execute(dbname, "drop table marketing.campaigns")
        run("harvest", "shop")
        live = json.loads(run("export_catalog"))
        everything = json.loads(run("export_catalog", "--include-removed"))
    names = [d["name"].rsplit(".", 1)[-1] for d in live["datasets"]]
    assert "campaigns" not in names
    removed = [d for d in everything["datasets"] if d["removed"]]
    assert [d["name"].rsplit(".", 1)[-1] for d in removed] == ["campaigns"]
    assert [d["name"] for d in live["datasets"]] == sorted(d["name"] for d in live["datasets"])
    assert Dataset.objects.live().count() == 9


def test_harvest_async_queues_the_run_and_unknown_source_is_named(django_capture_on_commit_callbacks):
    with pytest.raises(CommandError, match="No source named 'nope'"):
        run("harvest", "nope")
    with source_database() as (dsn, _, _):
        run("add_source", "shop", "--kind", "postgres", "--config", json.dumps({"dsn": dsn}))
        with django_capture_on_commit_callbacks(execute=True):
            out = run("harvest", "shop", "--async")
    assert out.startswith("Harvest of 'shop' queued as run #")
    assert HarvestRun.objects.get().status in ("partial", "succeeded")  # tests run tasks in-process
