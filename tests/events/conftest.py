import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """The bell's count and follow sets are cached per user id; start every test clean."""
    cache.clear()
    yield
    cache.clear()
