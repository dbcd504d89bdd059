"""The PostgreSQL source carries the lab's dedicated reader connection (config + secret)."""

import pytest

from apps.harvest.harvesters.base import ConfigError
from apps.harvest.harvesters.postgres import config as pg_config


def test_reader_dsn_is_accepted_and_kept():
    out = pg_config.validate(
        {"dsn": "postgresql://harvester@db:5432/wh", "reader_dsn": "postgresql://lab_reader@db:5432/wh"}
    )
    assert out["reader_dsn"] == "postgresql://lab_reader@db:5432/wh"


@pytest.mark.parametrize(
    "reader_dsn, message",
    [
        ("postgresql://lab_reader:hunter2@db:5432/wh", "reader_password"),
        ("mysql://x@db/wh", "Unknown scheme"),
    ],
)
def test_bad_reader_dsn_is_explained(reader_dsn, message):
    with pytest.raises(ConfigError) as exc:
        pg_config.validate({"dsn": "postgresql://harvester@db:5432/wh", "reader_dsn": reader_dsn})
    assert message in " ".join(exc.value.errors["reader_dsn"])
    assert "hunter2" not in str(exc.value)


def test_reader_password_is_a_secret_of_the_postgres_kind():
    from apps.harvest.harvesters.base import harvester_registry

    assert "reader_password" in harvester_registry["postgres"].secret_fields
