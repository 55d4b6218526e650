"""schemathesis against the live server: every operation of /api/v1/openapi.json, the redeem endpoint
included, answers with a documented status and a body that matches the document, and nothing answers
5xx. A fixed seed and a bounded number of examples per operation keep the run short and repeatable.

The document is read from the API at collection (the live server is not up yet); the first test
checks that the server serves exactly that document."""

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from pytest_django.live_server_helper import LiveServer
from schemathesis.config import SchemathesisConfig

from integrations.api.app import api
from tests.integrations.conftest import MakeKey

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 15
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20261201,
    "generation": {"max-examples": EXAMPLES, "deterministic": True},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    # A request the document allows may still break a rule it cannot express (the username rule, a mobile
    # number that reads as none, a local user unknown without an email, a redemption with neither token nor
    # username): those refusals are 400 (redeem) and 422, never a 5xx or an undocumented status.
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 400, 401, 403, 404, 409, 410, 422, 423,
                                                                   429]}},
})
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@pytest.fixture
def bearer(make_key: MakeKey, licences: Callable[[int], None], settings: object) -> dict[str, str]:
    """A key with every scope, licences to spare and no rate limit in the way: the fuzzer, not the
    limit, is tested here (the limits have tests of their own)."""
    settings.RATE_LIMIT_API = settings.RATE_LIMIT_REDEEM = "100000/60"  # type: ignore[attr-defined]
    licences(100_000)
    return {"Authorization": f"Bearer {make_key()}"}


def test_the_server_serves_the_document_the_fuzzer_reads(db: None) -> None:
    assert Client().get("/api/v1/openapi.json").json() == DOCUMENT


@schema.parametrize()
# The fixtures hold for every example: one key, the licence pool, the live server.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_every_operation_answers_as_its_document_says(case: schemathesis.Case[Any], live_server: LiveServer,
                                                     bearer: dict[str, str]) -> None:
    case.call_and_validate(base_url=live_server.url, headers=bearer)
