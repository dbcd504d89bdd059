"""Fixtures: the Faker warehouse (once per session) harvested by the real PostgreSQL harvester."""

import pytest

from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from tests.privacy import warehouse


@pytest.fixture(scope="session")
def privacy_warehouse():
    dbname = warehouse.create()
    yield dbname
    warehouse.drop()


@pytest.fixture
def harvested(db, privacy_warehouse, settings, django_capture_on_commit_callbacks):
    """make_mesh() plus the warehouse harvested (detection by name runs after the harvest)."""
    from types import SimpleNamespace

    from apps.harvest import actions as harvest_actions

    settings.MESH_PRIVACY_SAMPLE_AFTER_HARVEST = False
    mesh = make_mesh()
    source = harvest_actions.create_source(
        SYSTEM,
        name="privacy-wh",
        kind="postgres",
        config={
            "dsn": warehouse.reader_dsn(privacy_warehouse).replace(warehouse.names()[1], "postgres"),
            "reader_dsn": warehouse.reader_dsn(privacy_warehouse),
        },
        secrets={"reader_password": warehouse.READER_PASSWORD},
    )
    with django_capture_on_commit_callbacks(execute=True):  # after-commit listeners: detection
        run = harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False)
    assert run.status == "succeeded", run.error
    return SimpleNamespace(**vars(mesh), source=source, dbname=privacy_warehouse)


@pytest.fixture
def lab_port(harvested):
    """Port orders:people on crm.customers and web.sessions of the harvested warehouse."""
    from django.core.cache import cache

    from apps.catalog import actions as catalog_actions
    from apps.catalog.models import Dataset

    cache.clear()
    datasets = list(
        Dataset.objects.filter(name__in=[f"{harvested.dbname}.crm.customers", f"{harvested.dbname}.web.sessions"])
    )
    assert len(datasets) == 2
    return catalog_actions.create_port(
        SYSTEM, harvested.orders, name="people", direction="output", protocol="postgres", datasets=datasets
    )
