"""Fixes from the outside test of the end-user languages (SPEC F17): each finding's outcome, per language."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("header", "expected"), [("de;q=0", "en"), ("de;q=0, fr;q=0.5", "fr"),
                                                  ("it;q=0.0, en;q=0.1", "en"), ("fr;q=0.001", "fr")])
def test_an_accept_language_entry_with_q_0_is_no_preference(header: str, expected: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=header).get("/portal/login/")
    assert f'<html lang="{expected}">'.encode() in response.content and response["Content-Language"] == expected


@pytest.mark.parametrize("target", ["/portal/../login/", "/portal/./../devices/pending/", "/enroll/../settings/",
                                    "/portal/%2e%2e/login/", "/portal/" + "a" * 17000, "/portal/..\\login/"])
def test_the_switch_refuses_a_next_outside_the_end_user_pages_or_too_long(target: str) -> None:
    response = Client().post("/portal/language/", {"language": "de", "next": target})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_switch_still_returns_to_an_end_user_page_with_its_query() -> None:
    response = Client().post("/portal/language/", {"language": "de", "next": "/enroll/" + "x" * 32 + "/?a=%20"})
    assert response.status_code == 302 and response["Location"] == "/enroll/" + "x" * 32 + "/?a=%20"
