"""Suite-wide checks: the test suite needs PostgreSQL and Redis; say so at once if they are down."""

import os
import socket
from urllib.parse import urlparse

import pytest


def _reachable(url: str, default_port: int) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port, True
    except OSError:
        return host, port, False


def pytest_configure(config):
    db_url = os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog")
    redis_url = os.environ.get("MESH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    problems = []
    host, port, ok = _reachable(db_url, 5432)
    if not ok:
        problems.append(
            f"PostgreSQL is not reachable at {host}:{port}. Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect "
            f"$(ls /etc/postgresql) main start`) or point MESH_TEST_DATABASE_URL at a server."
        )
    host, port, ok = _reachable(redis_url, 6379)
    if not ok:
        problems.append(
            f"Redis is not reachable at {host}:{port}. Start it (e.g. `redis-server --daemonize yes --bind 127.0.0.1 "
            f"--port 6379 --save '' --appendonly no`) or point MESH_TEST_REDIS_URL at a server."
        )
    if problems:
        pytest.exit("The test suite needs its services:\n  " + "\n  ".join(problems), returncode=3)
