"""Settings for the test suite: the production database (PostgreSQL) by default.

``MESH_TEST_DATABASE_URL`` names the server and database whose ``test_`` twin pytest-django
creates; ``MESH_TEST_REDIS_URL`` the Redis used by tests that need a real broker.
"""

import os

os.environ["DATABASE_URL"] = os.environ.get(
    "MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog"
)
os.environ.setdefault("MESH_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
os.environ.setdefault("MESH_DEMO_WAREHOUSE", "postgres")  # tests of the embedded demo set duckdb
os.environ.pop("REDIS_URL", None)  # tasks run eagerly unless a test starts a real worker

from mesh_catalog.settings import *  # noqa: F403

TEST_REDIS_URL = os.environ.get("MESH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user fixtures
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The locmem cache outlives each test's rolled-back transaction (whose on-commit hooks never run):
# tests of the GraphQL result cache turn it on themselves (tests/graphql/test_page_cache.py).
MESH_GRAPHQL_CACHE_SECONDS = 0
