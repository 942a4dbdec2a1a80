"""Schemathesis against /api/v1/openapi.json, in-process through the WSGI app: for a bounded number of generated
requests per operation, no 5xx and no response that breaks the schema (status, content type, body)."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")

MAX_EXAMPLES = 12


@pytest.fixture
def wsgi_app(settings):
    """The real WSGI app, sharing the test's database transaction (as Django's test client does)."""
    from django.core.wsgi import get_wsgi_application

    settings.YOULIN_API_POST_RATE = "off"
    settings.YOULIN_API_ANON_POST_RATE = "off"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.early  # a few hundred generated requests: first among the demo tests
def test_api_conforms_to_its_schema(wsgi_app, users):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from youlin.api.services import token_create
    from youlin.cases.tests.factories import register

    number = register(users.spk_grid).number
    from youlin.places.models import Community

    code = Community.objects.order_by("code").values_list("code", flat=True).first()
    _row, raw = token_create(user=users.district, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # Real identifiers in the path, so the bodies reach the services instead of stopping at 404.
            if "number" in (case.path_parameters or {}):
                case.path_parameters["number"] = number
            if "code" in (case.path_parameters or {}):
                case.path_parameters["code"] = code
            response = case.call(headers={"Authorization": f"Bearer {raw}"})
            case.validate_response(response, checks=checks)

        run()
