"""The redeem API answers ``detail`` in the language of the request's Accept-Language, else in the
enrollment's (named by its token); ``error`` stays the code a companion app reads (SPEC F17)."""

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import MakePending

pytestmark = pytest.mark.django_db
URL = "/api/v1/enrollments/redeem"
DEVICE = {"platform": "android", "serial_number": "SN-1"}


def redeem(body: dict[str, object], **headers: Any) -> tuple[int, dict[str, Any], str]:
    response = Client().post(URL, json.dumps(body), content_type="application/json", **headers)
    return response.status_code, response.json(), response.get("Content-Language", "")


def test_a_wrong_otp_is_told_in_the_language_of_accept_language(make_pending: MakePending) -> None:
    created = make_pending("alice", language="de")
    status, body, language = redeem({"token": created.enrollment.token, "otp": "wrong", "device": DEVICE},
                                    HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert status == 401 and body["error"] == "wrong_otp" and language == "fr"
    assert body["detail"] == f"L'OTP est incorrect. Il reste {body['attempts_left']} tentatives."


def test_without_accept_language_the_enrollments_language_answers(make_pending: MakePending) -> None:
    created = make_pending("alice", language="it")
    status, body, language = redeem({"token": created.enrollment.token, "otp": "wrong", "device": DEVICE})
    assert status == 401 and language == "it"
    assert body["detail"] == f"L'OTP non è corretto. Restano {body['attempts_left']} tentativi."


def test_an_unsupported_accept_language_falls_back_to_the_enrollments_language(make_pending: MakePending) -> None:
    created = make_pending("alice", language="de")
    status, body, _ = redeem({"token": created.enrollment.token, "otp": "wrong", "device": DEVICE},
                             HTTP_ACCEPT_LANGUAGE="ja")
    assert status == 401 and body["detail"] == f"Das OTP ist nicht korrekt. Noch {body['attempts_left']} Versuche."


def test_a_request_that_cannot_be_read_is_answered_in_accept_languages_language(make_pending: MakePending) -> None:
    created = make_pending("alice", language="de")
    bad: dict[str, object] = {"token": created.enrollment.token, "otp": "wrong",
                              "device": {**DEVICE, "platform": "symbian"}}
    assert redeem(bad, HTTP_ACCEPT_LANGUAGE="it")[1]["detail"] == \
        "device.platform deve essere uno di questi valori: android, ios, macos, windows."
    # No enrollment is read for a request that cannot be redeemed: without the header it is English.
    assert redeem(bad)[1]["detail"] == "device.platform must be one of: android, ios, macos, windows."


def test_a_successful_redemption_is_the_same_in_every_language(make_pending: MakePending) -> None:
    created = make_pending("alice", language="de")
    status, body, _ = redeem({"token": created.enrollment.token, "otp": created.otp, "device": DEVICE},
                             HTTP_ACCEPT_LANGUAGE="it")
    assert status == 201 and set(body) == {"device_id", "username", "ownership", "remaining_uses"}


def test_refusals_before_any_enrollment_is_known_follow_accept_language(db: None) -> None:
    status, body, _ = redeem({"token": "x" * 32, "otp": "123456", "device": DEVICE}, HTTP_ACCEPT_LANGUAGE="de")
    assert status == 404 and body == {"error": "unknown", "detail": "Keine ausstehende Registrierung hat dieses "
                                                                     "Token.", "attempts_left": None}
    response = Client().post(URL, b"{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["detail"] == "Le corps de la requête doit être du JSON."
    assert redeem({"token": "x" * 32, "otp": "1", "device": DEVICE})[1]["detail"] == \
        "No pending enrollment has this token."


def test_by_username_the_answer_never_tells_the_users_language(make_pending: MakePending) -> None:
    make_pending("alice", language="de")
    known = redeem({"username": "alice", "otp": "wrong", "device": DEVICE})
    unknown = redeem({"username": "nobody", "otp": "wrong", "device": DEVICE})
    assert known[0] == unknown[0] == 401 and known[1] == unknown[1]
    assert known[1]["detail"] == "The username or the OTP is not correct."


def test_a_restriction_is_told_in_the_language_and_kept_in_english_for_the_console(make_pending, restrict):
    from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus

    restrict(platforms_corporate=["ios"])
    listed = CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="SN-1")
    created = make_pending("alice", language="fr", ownership="corporate")
    status, body, _ = redeem({"token": created.enrollment.token, "otp": created.otp, "device": DEVICE})
    assert status == 403 and body["rule"] == "platform"
    assert body["detail"] == ("Les appareils Android ne peuvent pas être enrôlés ici comme appareils d'entreprise. "
                              "Enrôlez un appareil d'un autre type (iOS/iPadOS) ou demandez à votre service "
                              "d'assistance quels appareils vous pouvez utiliser.")
    listed.refresh_from_db()
    assert listed.status == IdentifierStatus.REFUSED
    assert listed.refused_reason == ("Android devices cannot be enrolled as company-owned devices here. Enroll a "
                                     "device of another kind (iOS/iPadOS), or ask your helpdesk which devices you "
                                     "may use.")
