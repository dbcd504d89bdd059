"""Fixtures of the trust tests: the page-test mesh, scored."""

import pytest

from apps.trust.rubric import set_rubric
from tests.e2e.conftest import demo_mesh  # noqa: F401  (the browser tests' fixture)


@pytest.fixture
def mesh(db):
    from apps.catalog.testing import make_mesh
    from tests.web.conftest import add_catalog

    return add_catalog(make_mesh())


@pytest.fixture(autouse=True)
def default_rubric():
    set_rubric(None)
    yield
    set_rubric(None)


def outcome(product, criterion_id):
    """Recompute ``product`` and return its stored outcome of ``criterion_id``."""
    from apps.trust.models import ProductMaturity
    from apps.trust.scoring import recompute

    recompute([product.pk])
    return ProductMaturity.objects.get(product=product).criteria[criterion_id]
