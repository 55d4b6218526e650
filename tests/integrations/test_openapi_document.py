"""/api/v1/openapi.json describes every endpoint with its scope and every answer with its body; the
redeem endpoint (a plain view, routed before ninja's paths) is in it and still answers as before."""

import pytest
from django.test import Client
from django.urls import resolve

from enrollment import api as redeem_api

pytestmark = pytest.mark.django_db

SCOPES = {
    ("post", "/api/v1/enrollments"): "enrollments:write",
    ("get", "/api/v1/enrollments"): "enrollments:read",
    ("get", "/api/v1/enrollments/{token}"): "enrollments:read",
    ("post", "/api/v1/enrollments/{token}/reset-otp"): "enrollments:write",
    ("delete", "/api/v1/enrollments/{token}"): "enrollments:write",
    ("get", "/api/v1/devices"): "devices:read",
}


@pytest.fixture
def document() -> dict:  # type: ignore[type-arg]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict) -> dict:  # type: ignore[type-arg]
    return {(method, path): op for path, ops in document["paths"].items() for method, op in ops.items()}


def test_every_endpoint_is_described_with_the_scope_it_needs(document):
    found = operations(document)

    assert set(found) == set(SCOPES) | {("post", "/api/v1/enrollments/redeem")}
    assert {key: op["security"] for key, op in found.items() if key in SCOPES} == {
        key: [{"BearerKey": [scope]}] for key, scope in SCOPES.items()}
    assert all(f"Needs the scope `{scope}`." in found[key]["description"] for key, scope in SCOPES.items())
    scheme = document["components"]["securitySchemes"]["BearerKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer") and "Admin > API keys" in scheme["description"]


def test_every_error_has_its_body_and_words_and_429_its_retry_after(document):
    for key, op in operations(document).items():
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                assert schema in {"Error", "ValidationFailed", "Restricted"}, (key, status)
                assert "`" in answer["description"], (key, status)
        assert {"401", "429"} <= set(op["responses"]) or key[1].endswith("/redeem"), key
        assert op["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    error = document["components"]["schemas"]["ValidationFailed"]
    assert set(error["required"]) == {"error", "detail", "fields"} and "attempts_left" in error["properties"]


def test_the_redeem_endpoint_is_described_with_its_body_and_every_answer(document):
    redeem = document["paths"]["/api/v1/enrollments/redeem"]["post"]

    assert redeem["security"] == []
    assert redeem["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RedeemRequest"}
    assert sorted(redeem["responses"]) == ["200", "201", "400", "401", "403", "404", "409", "410", "413", "423",
                                           "429"]
    assert redeem["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Restricted")
    request = document["components"]["schemas"]["RedeemRequest"]
    assert set(request["required"]) == {"otp", "device"}


def test_the_redeem_url_still_reaches_the_redeem_view_unchanged(make_pending):
    made = make_pending("eve")

    match = resolve("/api/v1/enrollments/redeem")
    response = Client().post("/api/v1/enrollments/redeem", {"token": made.enrollment.token, "otp": made.otp,
                                                            "device": {"platform": "android", "serial_number": "S1"}},
                             content_type="application/json")

    assert match.func is redeem_api.redeem
    assert response.status_code == 201 and set(response.json()) == {"device_id", "username", "ownership",
                                                                     "remaining_uses"}
