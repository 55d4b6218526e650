"""POST /api/v1/enrollments with a language: the enrollment remembers it and the user's messages follow it;
the one rule of lib.languages refuses what is not a language (SPEC F17)."""

import pytest

from lib.crypto import unseal
from notifications.models import Message

pytestmark = pytest.mark.django_db


def sent(recipient: str) -> str:
    return unseal(Message.objects.get(recipient=recipient).body_sealed)


def test_the_api_takes_the_language_in_any_case_and_the_messages_follow_it(api, licences, admin_user, end_user):
    response = api("enrollments:write").post("/api/v1/enrollments", {"username": "eve", "language": "IT",
                                                                     "mobile": "+491712345678"})
    assert response.status_code == 201 and response.json()["language"] == "it"
    assert sent("eve@example.com").startswith("Gentile eve,")
    assert sent("+491712345678").startswith("Registri il Suo dispositivo:")
    refused = api("enrollments:write").post("/api/v1/enrollments", {"username": "eve", "language": "klingon"})
    assert refused.status_code == 422 and refused.json()["fields"]["language"] == [
        "Unknown language 'klingon' (use en, de, fr, it)."]
