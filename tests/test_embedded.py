"""The embedded default and production settings, each in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({"MESH_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings"}, **env_overrides)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.slow
def test_embedded_sqlite_default_migrates_loads_demo_and_renders_home(tmp_path):
    """What `make run` does, without PostgreSQL or Redis: SQLite in MESH_DATA_DIR, eager tasks."""
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "assert connection.vendor == 'sqlite', connection.vendor;"
        "assert settings.CELERY_TASK_ALWAYS_EAGER;"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0); call_command('load_demo');"
        "from django.test import Client; c = Client(); assert c.login(username='olivia', password='mesh-demo-owner');"
        "r = c.get('/'); assert r.status_code == 200, r.status_code;"
        "assert b'Customer Lifetime Value' in r.content; print('OK')"
    )
    result = _run(["-c", script], {}, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK" in result.stdout
    assert (tmp_path / "catalog.sqlite3").exists()


def test_debug_off_refuses_the_development_secret_key(tmp_path):
    result = _run(["manage.py", "check"], {"DEBUG": "False"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    env = {
        "DEBUG": "False",
        "SECRET_KEY": "x" * 20 + "-production-grade-secret-key-0123456789-abcdefgh",
        "FIELD_ENCRYPTION_KEY": "bXktcHJvZHVjdGlvbi1mZXJuZXQta2V5LTMyLWJ5dGU=",
        "ALLOWED_HOSTS": "catalog.example.com",
        "SECURE_HSTS_PRELOAD": "True",
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
    }
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
