"""schemathesis fuzzes every REST operation from the OpenAPI schema, as an admin.

A bounded number of examples per operation keeps the run short. Every response must be
documented (status, content type, body schema) and none may be a server error. The
schema is generated in-process (drf-spectacular) and requests go through the real WSGI
application, one test (and one database transaction) per operation.
"""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.catalog import actions
from apps.core.actions import create_token
from apps.core.testing import SYSTEM
from mesh_catalog.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10
# What the API promises: no server errors, and every response documented and as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
)
schema.app = application
# The coverage phase sends dozens of boundary cases per operation; bounded fuzzing keeps the run short.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def keep_test_connection():
    """Keep the WSGI app from closing the test's database connection between requests
    (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(mesh):
    actions.register_dataset(
        SYSTEM,
        namespace="postgres://wh:5432",
        name="shop.public.orders",
        platform="postgres",
        columns=[{"name": "id", "type": "bigint"}],
    )
    return create_token(mesh.admin, name="fuzz")[1]


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_rest_api_conforms_to_its_openapi_schema(case, admin_token, keep_test_connection):
    case.call_and_validate(
        base_url="http://localhost", headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS
    )
