"""Schemathesis against GET /api/v1/openapi.json: the document is valid OpenAPI 3.1, and
for every operation, generated requests (valid and invalid, a bounded number with a
fixed seed) never make a 5xx and get answers that conform to the document, on a small
seeded county read with the CC_API_TOKEN bearer token (PostgreSQL, the stricter store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import select

from data_access.db import make_engine
from data_access.models import Incident
from tests.small_county import seed_small_county

EXAMPLES_PER_OPERATION = 25
SEED = 20261202
# Rules across parameters that OpenAPI cannot state: start and end both or neither, start
# not after end, at most ten years apart. A schema-valid request may break them (a 400).
CROSS_PARAMETER_RULES = {"/api/v1/kpis"}


@pytest.fixture
def settings(settings):
    """The fuzz makes hundreds of requests a minute: above CC_RATE_LIMIT_API's default,
    whose 429s would hide every later answer (test_auth_hardening tests the limit)."""
    return replace(settings, rate_limit_api="100000/minute")


@pytest.fixture
def county(settings):
    """A small county (120 incidents, 20 disputes over 60 days); three of its incident ids."""
    engine = make_engine(settings.database_url)
    seed_small_county(engine, datetime.now(UTC), incidents=120, disputes=20)
    with engine.connect() as conn:
        ids = conn.execute(select(Incident.id).order_by(Incident.id).limit(3)).scalars().all()
    engine.dispose()
    return ids


def _fuzz(operation, mode: GenerationMode, headers: dict, excluded: list) -> None:
    """EXAMPLES_PER_OPERATION generated requests of one mode, each checked by Schemathesis'
    default checks (no 5xx, documented status, schema-conformant body, ...)."""

    @seed(SEED)
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    call()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_api_conforms_to_its_openapi_document(app, auth_header, county):
    # Schemathesis' WSGI transport does not decode a compressed body (dashboard.compression)
    auth_header = {**auth_header, "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server, headers=auth_header)
    schema.validate()  # the document against the OpenAPI 3.1 meta-schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/kpis", "/api/v1/overdue", "/api/v1/alerts"}

    for operation in operations:
        excluded = [positive_data_acceptance] if operation.path in CROSS_PARAMETER_RULES else []
        # nothing to make invalid in an operation without parameters
        modes = [GenerationMode.POSITIVE]
        if operation.definition.raw.get("parameters"):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            _fuzz(operation, mode, auth_header, excluded)

    detail = schema["/api/v1/incidents/{id}"]["GET"]
    assert county
    for incident_id in county:
        detail.Case(path_parameters={"id": incident_id}).call_and_validate(headers=auth_header)
