"""Sources and harvest runs pages: admins only, config validated, live progress, report."""

import json

import pytest
from django.urls import reverse

from apps.core.testing import make_user
from apps.harvest.models import HarvestRun, Source

pytestmark = pytest.mark.django_db
SOURCE_DB = "postgresql://postgres@127.0.0.1:5432/mesh_h_ui_src"


def ensure_source_database() -> None:
    """A small real database to harvest: two tables with a foreign key and a view."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = 'mesh_h_ui_src'").fetchone():
            conn.execute("create database mesh_h_ui_src")
    with psycopg.connect(SOURCE_DB, autocommit=True) as conn:
        conn.execute(
            "create schema if not exists shop; create table if not exists shop.orders(id int primary key, amount numeric); create table if not exists shop.items(id int primary key, order_id int references shop.orders(id)); create or replace view shop.big_orders as select * from shop.orders where amount > 100"
        )


@pytest.fixture(scope="module", autouse=True)
def source_database(django_db_blocker):
    with django_db_blocker.unblock():
        ensure_source_database()


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", superuser=True))
    return client


def create(client, **overrides):
    data = {
        "name": "shop-db",
        "kind": "postgres",
        "description": "The shop",
        "config": json.dumps({"dsn": SOURCE_DB, "include_schemas": ["shop"]}),
        "secrets": "",
        "schedule": "",
        "mapping_rules": "[]",
        "enabled": "on",
        **overrides,
    }
    return client.post(reverse("harvest:source_create"), data)


def test_sources_are_for_admins_only(client):
    client.force_login(make_user("casey"))
    assert client.get(reverse("harvest:source_list")).status_code == 403
    assert create(client).status_code == 403
    assert not Source.objects.exists()


def test_invalid_config_is_explained_field_by_field_and_nothing_saved(admin_client):
    bad_json = create(admin_client, config="{nope")
    assert bad_json.status_code == 422 and "Not valid JSON" in bad_json.content.decode()
    no_dsn = create(admin_client, config="{}", schedule="every day")
    html = no_dsn.content.decode()
    assert no_dsn.status_code == 422 and "dsn: Required" in html and "five-field cron" in html
    assert not Source.objects.exists()


def test_secrets_are_written_but_never_shown(admin_client):
    response = create(admin_client, secrets='{"password": "s3cr3t-value"}')
    assert response.status_code == 302
    source = Source.objects.get(name="shop-db")
    assert source.secrets == {"password": "s3cr3t-value"}
    for url in (
        reverse("harvest:source_detail", args=["shop-db"]),
        reverse("harvest:source_edit", args=["shop-db"]),
        reverse("harvest:source_list"),
    ):
        assert "s3cr3t-value" not in admin_client.get(url).content.decode()
    # Editing without secrets keeps them.
    admin_client.post(
        reverse("harvest:source_edit", args=["shop-db"]),
        {
            "description": "Edited",
            "config": json.dumps({"dsn": SOURCE_DB}),
            "secrets": "",
            "schedule": "0 3 * * *",
            "mapping_rules": "[]",
            "enabled": "on",
        },
    )
    source.refresh_from_db()
    assert (
        source.description == "Edited"
        and source.schedule == "0 3 * * *"
        and source.secrets == {"password": "s3cr3t-value"}
    )


def test_connection_test_reports_success_and_the_failing_stage(admin_client):
    create(admin_client)
    ok = admin_client.post(reverse("harvest:source_test", args=["shop-db"]), HTTP_HX_REQUEST="true").content.decode()
    assert "Connected" in ok
    create(
        admin_client, name="nowhere", config='{"dsn": "postgresql://postgres@127.0.0.1:1/x", "connect_timeout_s": 2}'
    )
    failed = admin_client.post(
        reverse("harvest:source_test", args=["nowhere"]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Could not connect" in failed and "stage:" in failed


def test_trigger_harvest_then_watch_progress_and_read_the_report(admin_client, django_capture_on_commit_callbacks):
    create(admin_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("harvest:source_harvest", args=["shop-db"]))
    run = HarvestRun.objects.get(source__name="shop-db")
    assert response.status_code == 302 and response["Location"] == reverse("harvest:run_detail", args=[run.pk])
    assert run.status == "succeeded", run.errors
    progress = admin_client.get(reverse("harvest:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Succeeded" in progress and 'hx-trigger="every 2s"' not in progress  # finished: polling stops
    detail = admin_client.get(reverse("harvest:run_detail", args=[run.pk])).content.decode()
    assert "All counters" in detail and "Read " in detail  # the human summary comes first
    assert "shop-db" in admin_client.get(reverse("harvest:source_list")).content.decode()


def test_an_active_run_is_polled(admin_client):
    create(admin_client)
    run = HarvestRun.objects.create(source=Source.objects.get(name="shop-db"), triggered_by="root")
    html = admin_client.get(reverse("harvest:run_detail", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and reverse("harvest:run_progress", args=[run.pk]) in html


def test_the_form_tests_a_connection_before_saving(admin_client):
    url = reverse("harvest:source_test_draft")
    base = {
        "name": "draft",
        "kind": "postgres",
        "config": json.dumps({"dsn": SOURCE_DB}),
        "secrets": "",
        "schedule": "",
        "mapping_rules": "[]",
    }
    ok = admin_client.post(url, base, HTTP_HX_REQUEST="true").content.decode()
    assert "Connected" in ok
    unreachable = admin_client.post(
        url,
        {**base, "config": '{"dsn": "postgresql://postgres@127.0.0.1:1/x", "connect_timeout_s": 2}'},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Could not connect" in unreachable
    invalid = admin_client.post(url, {**base, "config": "{oops"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Fix the form first" in invalid and "Not valid JSON" in invalid
    assert not Source.objects.exists()  # testing saves nothing
