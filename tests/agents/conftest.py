"""A lab mesh (real PostgreSQL warehouse) with a restricted port, sample query and consumer's token."""

import pytest

from apps.catalog import actions
from apps.core.actions import create_token
from apps.core.testing import SYSTEM
from tests.lab.conftest import lab, lab_warehouse  # noqa: F401  (fixtures reused)


@pytest.fixture
def agent_mesh(lab):  # noqa: F811
    from apps.lab.models import SampleQuery

    SampleQuery.objects.create(
        port=lab.port, title="Orders per status", sql="SELECT status, count(*) AS n FROM sales.orders GROUP BY status"
    )
    actions.update_product(SYSTEM, lab.leads, classification="restricted")
    lab.secret_port = actions.create_port(
        SYSTEM, lab.leads, name="hr", direction="output", protocol="postgres", datasets=[lab.salaries_ds]
    )
    _, lab.consumer_token = create_token(lab.consumer, name="assistant")
    _, lab.expired_raw = create_token(lab.consumer, name="old", expires_days=1)
    from django.utils import timezone

    from apps.core.models import PersonalAccessToken

    PersonalAccessToken.objects.filter(name="old").update(expires_at=timezone.now() - timezone.timedelta(days=1))
    from apps.search.indexer import rebuild

    rebuild()
    return lab
