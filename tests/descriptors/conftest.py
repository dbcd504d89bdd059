"""The descriptor tests use the API tests' permission-matrix mesh."""

from tests.api.conftest import mesh  # noqa: F401
