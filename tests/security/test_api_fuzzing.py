"""Fuzzing the JSON API from its own schema (issue 14, "Must have" 4).

Schemathesis reads ``/api/v1/schema/`` from the engine itself (its WSGI application, in
this process: no server, no network) and, for every operation, generates requests that
the schema allows and many it does not — odd strings, NUL bytes, huge and negative
numbers, missing and extra fields, wrong types — sent as a caseworker whose township
holds records (tests/security/world.py). Half of the generated requests that name a record
name one of that township's own, so the fuzz reaches the code behind the 404.

The run passes only with no server error: every answer below 500. The number of
examples per operation is fixed (``EXAMPLES``) and the generation derandomized, so the
run takes the same time and finds the same things every time; the totals are printed
at the end of the run.
"""

from __future__ import annotations

import os

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .routes import ROUTES, Record, schema_operations
from .world import build_world

pytestmark = pytest.mark.django_db

# Examples per operation: about fifty operations, so some two thousand requests a pass.
# A longer hunt, outside CI: SECURITY_FUZZ_EXAMPLES=500 ./scripts/test tests/security/test_api_fuzzing.py
EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "40"))


def _real_ids(region) -> dict[str, dict[str, object]]:
    """For each API path of the schema with parameters, the region's own record for each."""
    out = {}
    for template, kind in ROUTES.items():
        if template.startswith("api/v1/") and isinstance(kind, Record):
            path = "/" + template.replace("<pk>", "{id}").replace("<code>", "{code}")
            out[path] = {("id" if name == "pk" else name): region.keys[key] for name, key in kind.params.items()}
    return out


def test_the_api_answers_no_server_error(root, django_capture_on_commit_callbacks, client, record_property):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from rest_framework.authtoken.models import Token
    from schemathesis.checks import not_a_server_error

    world = build_world(root, django_capture_on_commit_callbacks, only=("A",))
    region = world.regions["A"]
    token = Token.objects.create(user=region.staff["caseworker"])
    headers = {"Authorization": f"Token {token.key}"}
    real = _real_ids(region)
    expected = sum(len(m) for m in schema_operations(_schema(client)).values())

    sent, failures = [], []
    # As Django's test client does: a request starting or ending must not close the test's
    # database connection (inside the test's transaction, close_old_connections would on
    # PostgreSQL). From the schema's own request on.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        _fuzz(operations, real, headers, sent, failures, not_a_server_error)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert len(operations) == expected

    server_errors = sum(code >= 500 for code in sent)
    record_property("security_totals", {"api_fuzzing": {
        "operations": len(operations), "examples_per_operation": EXAMPLES, "requests": len(sent),
        "server_errors": server_errors}})
    assert not failures, "\n\n".join(failures)
    assert server_errors == 0
    assert len(sent) >= len(operations) * 10  # the fuzz really ran


def _fuzz(operations, real, headers, sent, failures, not_a_server_error):
    for operation in operations:
        try:
            _fuzz_one(operation, real.get(operation.path, {}), headers, sent, not_a_server_error)
        except Exception as exc:  # noqa: BLE001 - every operation runs; all failures reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")


def _fuzz_one(operation, known, headers, sent, not_a_server_error):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), own=st.booleans())
    def fuzz(case, own):
        if own and known:
            case.path_parameters = {**(case.path_parameters or {}), **known}
        response = case.call(headers=headers)
        sent.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    fuzz()


def _schema(client) -> dict:
    import json

    return json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
