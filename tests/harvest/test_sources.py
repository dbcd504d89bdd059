"""Registering sources: validation per kind, secrets kept secret, schedules, bad input."""

import json

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from apps.catalog.models import Dataset
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM, make_user
from apps.harvest import actions
from apps.harvest.models import RunStatus, Source
from tests.harvest.pg_source import execute, source_database

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict:
    return {field: message for field, _, message in exc_info.value.errors}


@pytest.mark.parametrize(
    "config, field, fragment",
    [
        ({"dsn": "postgresql//harvester@db.example/shop"}, "config.dsn", "did you miss '://'"),
        ({"dsn": "postgresql://harvester@db.example:54x2/shop"}, "config.dsn", "port"),
        ({"dsn": "mysql://harvester@db.example/shop"}, "config.dsn", "Unknown scheme"),
        ({"dsn": "postgresql://harvester@db.example:5432"}, "config.dsn", "Name the database"),
        ({}, "config.dsn", "Required"),
        ({"dsn": "postgresql://h@db.example/shop", "shemas": ["sales"]}, "config.shemas", "Unknown key"),
        ({"dsn": "postgresql://h@db.example/shop", "include_schemas": "sales"}, "config.include_schemas", "list"),
        (
            {"dsn": "postgresql://h@db.example/shop", "password_env": "not a name"},
            "config.password_env",
            "environment variable",
        ),
    ],
)
def test_bad_config_is_refused_with_field_level_errors(config, field, fragment):
    with pytest.raises(ActionError) as exc_info:
        actions.create_source(SYSTEM, name="shop", kind="postgres", config=config)
    assert fragment in errors_of(exc_info)[field]
    assert not Source.objects.exists()


def test_unknown_kind_bad_schedule_and_bad_rules_are_all_reported_at_once():
    with pytest.raises(ActionError) as exc_info:
        actions.create_source(SYSTEM, name="shop", kind="oracle", config={})
    assert "Unknown source kind 'oracle'" in errors_of(exc_info)["kind"]
    with pytest.raises(ActionError) as exc_info:
        actions.create_source(
            SYSTEM,
            name="shop",
            kind="postgres",
            config={"dsn": "postgresql://h@db.example/shop"},
            schedule="61 * * *",
            mapping_rules=[{"schema": "sales"}, {"name": "x*", "domain": "nope"}],
        )
    errors = errors_of(exc_info)
    assert "five-field" in errors["schedule"]
    assert "Say where" in errors["mapping_rules[0]"] and "No domain 'nope'" in errors["mapping_rules[1].domain"]


def test_only_admins_manage_sources():
    casey = make_user("casey")
    with pytest.raises(PermissionDeniedError):
        actions.create_source(casey, name="shop", kind="postgres", config={"dsn": "postgresql://h@db.example/shop"})


def test_password_in_the_dsn_is_moved_into_encrypted_secrets_and_never_shown():
    source = actions.create_source(
        SYSTEM, name="shop", kind="postgres", config={"dsn": "postgresql://harvester:s3cr3t-pw@db.example:5432/shop"}
    )
    assert source.config["dsn"] == "postgresql://harvester@db.example:5432/shop"
    assert source.secret_keys == ["password"] and Source.objects.get().secrets == {"password": "s3cr3t-pw"}
    with connection.cursor() as cursor:
        cursor.execute("select config::text, secrets from harvest_source")
        raw = " ".join(cursor.fetchone())
    assert "s3cr3t-pw" not in raw
    assert "s3cr3t-pw" not in json.dumps(list(ObjectChange.objects.values("prechange_data", "postchange_data")))
    check = actions.test_source_connection(SYSTEM, source)
    assert "s3cr3t-pw" not in check.message


def test_schedule_is_synced_to_celery_beat():
    source = actions.create_source(
        SYSTEM, name="shop", kind="postgres", config={"dsn": "postgresql://h@db.example/shop"}, schedule="0 3 * * *"
    )
    task = PeriodicTask.objects.get(name=f"harvest-source-{source.pk}")
    assert task.task == "apps.harvest.tasks.run_harvest" and json.loads(task.kwargs)["source_id"] == source.pk
    assert (task.crontab.minute, task.crontab.hour) == ("0", "3")
    source = actions.update_source(SYSTEM, source, name="shop-eu", enabled=False)
    assert PeriodicTask.objects.get(name=f"harvest-source-{source.pk}").enabled is False
    actions.update_source(SYSTEM, source, schedule="")
    assert not PeriodicTask.objects.filter(name__startswith="harvest-source-").exists()
    assert PeriodicTask.objects.get(name="harvest-sweep-stale-runs").task == "apps.harvest.tasks.sweep_stale_runs"


@pytest.fixture
def shop():
    with source_database() as db:
        yield db


def test_connection_test_says_exactly_what_failed(shop):
    dsn, dbname, role = shop
    host = dsn.split("@", 1)[1].rsplit("/", 1)[0]
    cases = {
        "refused": f"postgresql://{role}@127.0.0.1:1/{dbname}",
        "dns": f"postgresql://{role}@no-such-host.invalid:5432/{dbname}",
        "database": f"postgresql://{role}@{host}/mesh_src_does_not_exist",
        "auth": f"postgresql://no_such_role_here@{host}/{dbname}",
    }
    for stage, bad_dsn in cases.items():
        source = actions.create_source(
            SYSTEM, name=f"bad-{stage}", kind="postgres", config={"dsn": bad_dsn, "connect_timeout_s": 3}
        )
        check = actions.test_source_connection(SYSTEM, source)
        assert (check.ok, check.stage) == (False, stage), check.message
    execute(dbname, f"revoke connect on database {dbname} from public")
    check = actions.test_source_connection(
        SYSTEM, actions.create_source(SYSTEM, name="no-connect", kind="postgres", config={"dsn": dsn})
    )
    assert (check.ok, check.stage) == (False, "permission") and "permission denied" in check.message.lower()
    execute(dbname, f'alter role "{role}" connection limit 0')  # "too many connections for role": not auth
    check = actions.test_source_connection(
        SYSTEM, actions.create_source(SYSTEM, name="no-slot", kind="postgres", config={"dsn": dsn})
    )
    assert (check.ok, check.stage) == (False, "unavailable"), check.message
    ok = actions.test_source_connection(
        SYSTEM,
        actions.create_source(SYSTEM, name="good", kind="postgres", config={"dsn": dsn.replace(role, "postgres")}),
    )
    assert ok.ok and "readable" in ok.message


def test_connection_can_be_checked_before_saving(shop):
    dsn, _, _ = shop
    assert actions.check_connection(SYSTEM, kind="postgres", config={"dsn": dsn}).ok
    bad = actions.check_connection(SYSTEM, kind="postgres", config={"dsn": dsn, "typo_key": 1})
    assert (bad.ok, bad.stage) == (False, "config") and "typo_key" in bad.message
    assert not Source.objects.exists()


def test_unreachable_source_fails_the_run_with_a_clear_error_and_changes_nothing(shop):
    dsn, dbname, role = shop
    good = actions.create_source(SYSTEM, name="good", kind="postgres", config={"dsn": dsn})
    actions.trigger_harvest(SYSTEM, good, run_async=False)
    before = list(Dataset.objects.order_by("pk").values())
    bad = actions.update_source(SYSTEM, good, config={"dsn": f"postgresql://{role}@127.0.0.1:1/{dbname}"})
    run = actions.trigger_harvest(SYSTEM, bad, run_async=False)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "refused"
    assert "refused the connection" in run.errors[0]["message"]
    assert list(Dataset.objects.order_by("pk").values()) == before


def test_password_env_names_the_variable_and_a_missing_one_is_reported(shop, monkeypatch):
    dsn, _, _ = shop
    source = actions.create_source(
        SYSTEM, name="env", kind="postgres", config={"dsn": dsn, "password_env": "MESH_TEST_PG_PASSWORD"}
    )
    monkeypatch.delenv("MESH_TEST_PG_PASSWORD", raising=False)
    run = actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert (
        run.status == RunStatus.FAILED
        and run.errors[0]["code"] == "config"
        and "MESH_TEST_PG_PASSWORD" in run.errors[0]["message"]
    )
    monkeypatch.setenv("MESH_TEST_PG_PASSWORD", "from-the-environment")
    assert actions.trigger_harvest(SYSTEM, source, run_async=False).status == RunStatus.PARTIAL


def test_a_server_out_of_connection_slots_is_unavailable_and_transient():
    """libpq reports these as text only (no SQLSTATE): they must not read as an unknown user."""
    import psycopg

    from apps.harvest.harvesters.base import TransientSourceError
    from apps.harvest.harvesters.postgres.connect import classify

    for text in (
        'connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  too many connections for role "harvester"',
        'connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many clients already',
    ):
        error = classify(psycopg.OperationalError(text))
        assert isinstance(error, TransientSourceError) and error.stage == "unavailable", text
