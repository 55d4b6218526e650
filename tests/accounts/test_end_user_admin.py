"""Admin > End users: local end users get a portal password through the console."""

import json

import pytest
from django.test import Client

from accounts.models import EndUser, UserType
from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase"
NEW_END_USER = {"username": "nora", "email": "nora@example.com", "mobile": "0171 2345679", "first_name": "Nora",
                "last_name": "North", "is_active": "on", "password": NEW_PASSWORD}


def _edit_data(end_user: EndUser, **change: str) -> dict[str, str]:
    data = {"username": end_user.username, "email": end_user.email, "mobile": end_user.mobile,
            "first_name": end_user.first_name, "last_name": end_user.last_name, "is_active": "on", "password": ""}
    return {**data, **change}


def _end_user_audits() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED, details__has_key="end_user"))


def test_the_list_shows_local_and_ldap_end_users_with_their_pending_count(admin_user, end_user, make_pending):
    EndUser.objects.create(username="larry", user_type=UserType.LDAP, email="larry@corp.example")
    make_pending("eve", end_user=end_user)
    response = client_for(admin_user).get("/settings/end-users/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [u.username for u in response.context["page"]] == ["eve", "larry"]
    assert {u.username: u.pending_count for u in response.context["page"]} == {"eve": 1, "larry": 0}
    assert "+491712345678" in html and "LDAP" in html and "Add end user" in html
    assert f'href="/settings/end-users/{end_user.pk}/"' in html


@pytest.mark.smoke
def test_the_list_searches_by_username_and_email(admin_user, end_user):
    EndUser.objects.create(username="larry", user_type=UserType.LDAP, email="larry@corp.example")
    client = client_for(admin_user)
    by_name = client.get("/settings/end-users/", {"q": "EV"}).context["page"]
    by_email = client.get("/settings/end-users/", {"q": "corp.example"}).context["page"]
    assert [u.username for u in by_name] == ["eve"]
    assert [u.username for u in by_email] == ["larry"]
    assert "No end users match this search." in client.get("/settings/end-users/", {"q": "zed"}).content.decode()


def test_the_list_is_paginated(admin_user):
    EndUser.objects.bulk_create([EndUser(username=f"user{i:03}") for i in range(51)])
    client = client_for(admin_user)
    first, second = client.get("/settings/end-users/"), client.get("/settings/end-users/", {"page": 2})
    assert len(first.context["page"]) == 50 and 'rel="next"' in first.content.decode()
    assert [u.username for u in second.context["page"]] == ["user050"]


@pytest.mark.smoke
def test_an_admin_creates_a_local_end_user_who_then_signs_in_to_the_portal(admin_user):
    response = client_for(admin_user).post("/settings/end-users/new/", NEW_END_USER, follow=True)
    assert "End user nora saved." in response.content.decode()
    nora = EndUser.objects.get(username="nora")
    assert (nora.user_type, nora.email, nora.mobile, nora.first_name, nora.last_name, nora.is_active) == (
        UserType.LOCAL, "nora@example.com", "+491712345679", "Nora", "North", True)
    assert nora.check_password(NEW_PASSWORD) and NEW_PASSWORD not in nora.password

    portal = Client()
    signed_in = portal.post("/portal/login/", {"username": "nora", "password": NEW_PASSWORD}, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/portal/"
    assert signed_in.context["end_user"] == nora
    assert "Signed in as <strong>nora</strong>" in signed_in.content.decode()


def test_a_new_end_user_needs_a_good_password(admin_user):
    client = client_for(admin_user)
    missing = client.post("/settings/end-users/new/", {**NEW_END_USER, "password": ""})
    weak = client.post("/settings/end-users/new/", {**NEW_END_USER, "password": "short"})
    like_name = client.post("/settings/end-users/new/", {**NEW_END_USER, "password": "nora@example.com"})
    assert missing.context["form"].errors["password"] == ["This field is required."]
    assert "This password is too short. It must contain at least 10 characters." in weak.context["form"].errors[
        "password"]
    assert "The password is too similar to the email." in like_name.context["form"].errors["password"]
    assert not EndUser.objects.exists()
    assert not _end_user_audits()


def test_the_password_is_never_rendered_back(admin_user):
    response = client_for(admin_user).post("/settings/end-users/new/", {**NEW_END_USER, "email": "not an email"})
    assert response.status_code == 200
    assert NEW_PASSWORD not in response.content.decode()


def test_editing_with_an_empty_password_keeps_it(admin_user, end_user):
    client_for(admin_user).post(f"/settings/end-users/{end_user.pk}/", _edit_data(end_user, first_name="Eve"))
    end_user.refresh_from_db()
    assert end_user.first_name == "Eve"
    assert end_user.check_password(PASSWORD)
    (entry,) = _end_user_audits()
    assert entry.details == {"end_user": "eve", "created": False, "changed": ["first_name"],
                             "password_changed": False}


def test_editing_with_a_password_changes_it(super_helpdesk_user, end_user):
    response = client_for(super_helpdesk_user).post(f"/settings/end-users/{end_user.pk}/",
                                                    _edit_data(end_user, password=NEW_PASSWORD))
    assert response.status_code == 302
    end_user.refresh_from_db()
    assert end_user.check_password(NEW_PASSWORD) and not end_user.check_password(PASSWORD)
    (entry,) = _end_user_audits()
    assert (entry.actor, entry.target_username) == (super_helpdesk_user, "eve")
    assert entry.details["password_changed"] is True and "password" not in entry.details["changed"]


def test_a_bad_mobile_is_refused_and_nothing_is_saved(admin_user, end_user):
    client = client_for(admin_user)
    created = client.post("/settings/end-users/new/", {**NEW_END_USER, "mobile": "12"})
    edited = client.post(f"/settings/end-users/{end_user.pk}/", _edit_data(end_user, mobile="not a phone"))
    assert created.context["form"].errors["mobile"] == [
        "“12” is not a valid mobile number, with or without a country code: write it with + and the country code."]
    assert edited.context["form"].errors["mobile"] == ["“not a phone” is not a phone number."]
    assert not EndUser.objects.filter(username="nora").exists()
    end_user.refresh_from_db()
    assert end_user.mobile == "+491712345678"
    assert not _end_user_audits()


@pytest.mark.parametrize("username, reason", [
    ("=cmd|' /C calc'!A0", "The username starts with “=”, which a spreadsheet reads as a formula: start it with a "
                           "letter or a digit."),
    ("nora north", "The username contains a space: use only letters, digits and @ . + - _."),
], ids=["formula", "space"])
def test_a_username_outside_the_console_rule_is_refused_and_nothing_is_saved(admin_user, end_user, username, reason):
    client = client_for(admin_user)
    created = client.post("/settings/end-users/new/", {**NEW_END_USER, "username": username})
    renamed = client.post(f"/settings/end-users/{end_user.pk}/", _edit_data(end_user, username=username))
    assert created.context["form"].errors["username"] == [reason]
    assert renamed.context["form"].errors["username"] == [reason]
    assert list(EndUser.objects.values_list("username", flat=True)) == ["eve"]
    assert not _end_user_audits()


def test_the_form_says_the_username_rule_and_keeps_a_name_from_before_it(admin_user):
    legacy = EndUser.objects.create(username="anna maria", email="anna@example.com")
    client = client_for(admin_user)
    assert "Letters (accents too), digits and @ . + - _ only" in client.get("/settings/end-users/new/").content.decode()
    response = client.post(f"/settings/end-users/{legacy.pk}/", _edit_data(legacy, first_name="Anna"))
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert (legacy.username, legacy.first_name) == ("anna maria", "Anna")


def test_a_taken_username_is_refused_and_nothing_is_saved(admin_user, end_user):
    EndUser.objects.create(username="larry", user_type=UserType.LDAP)
    client = client_for(admin_user)
    duplicate = client.post("/settings/end-users/new/", {**NEW_END_USER, "username": "eve"})
    assert duplicate.context["form"].errors["username"] == ["A local end user named “eve” already exists."]
    assert EndUser.objects.filter(username="eve").count() == 1
    assert not _end_user_audits()
    renamed = client.post(f"/settings/end-users/{end_user.pk}/", _edit_data(end_user, username="larry"))
    # Usernames are unique per user type: an LDAP "larry" does not block a local one.
    assert renamed.status_code == 302
    assert EndUser.objects.filter(username="larry").count() == 2
    assert len(_end_user_audits()) == 1


def test_an_ldap_end_user_is_shown_read_only(admin_user):
    larry = EndUser.objects.create(username="larry", user_type=UserType.LDAP, email="larry@corp.example")
    client = client_for(admin_user)
    page = client.get(f"/settings/end-users/{larry.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "managed in LDAP" in html and "larry@corp.example" in html
    assert 'type="password"' not in html and "<form method=\"post\" class=\"narrow\">" not in html

    refused = client.post(f"/settings/end-users/{larry.pk}/", {"username": "larry", "email": "x@example.com",
                                                              "is_active": "on", "password": NEW_PASSWORD})
    assert refused.status_code == 400 and "Nothing was changed." in refused.content.decode()
    larry.refresh_from_db()
    assert (larry.email, larry.password) == ("larry@corp.example", "")
    assert not _end_user_audits()


def test_editing_an_unknown_end_user_is_404(admin_user):
    assert client_for(admin_user).get("/settings/end-users/999999999/").status_code == 404


@pytest.mark.smoke
def test_the_helpdesk_is_refused_and_super_helpdesk_and_administrator_get_in(cast, end_user):
    paths = ["/settings/end-users/", "/settings/end-users/new/", f"/settings/end-users/{end_user.pk}/"]
    status = {role: [client_for(cast[role]).get(p).status_code for p in paths]
              for role in ("helpdesk", "super_helpdesk", "admin", "outsider")}
    assert status == {"helpdesk": [403] * 3, "super_helpdesk": [200] * 3, "admin": [200] * 3,
                      "outsider": [403] * 3}
    assert client_for(cast["helpdesk"]).post("/settings/end-users/new/", NEW_END_USER).status_code == 403
    assert not EndUser.objects.filter(username="nora").exists()


def test_the_admin_menu_shows_end_users_to_those_who_may_see_them(cast):
    assert 'href="/settings/end-users/"' in client_for(cast["super_helpdesk"]).get("/devices/pending/").content.decode()
    assert 'href="/settings/end-users/"' not in client_for(cast["helpdesk"]).get("/devices/pending/").content.decode()


def test_the_audit_entry_records_the_creation_without_the_password(admin_user):
    client_for(admin_user).post("/settings/end-users/new/", NEW_END_USER)
    (entry,) = _end_user_audits()
    assert (entry.actor, entry.target_username) == (admin_user, "nora")
    assert entry.details["end_user"] == "nora" and entry.details["created"] is True
    assert entry.details["password_changed"] is True
    assert set(entry.details["changed"]) == {"username", "email", "mobile", "first_name", "last_name"}
    hashed = EndUser.objects.get(username="nora").password
    for entry in AuditEntry.objects.all():
        dumped = json.dumps(entry.details)
        assert NEW_PASSWORD not in dumped and hashed not in dumped


def test_a_username_with_a_control_character_is_refused_and_nothing_is_saved(admin_user, end_user):
    client = client_for(admin_user)
    created = client.post("/settings/end-users/new/", {**NEW_END_USER, "username": "no\x1bra"})
    edited = client.post(f"/settings/end-users/{end_user.pk}/", _edit_data(end_user, username="e\nve"))
    assert created.status_code == 200 and edited.status_code == 200
    assert created.context["form"].errors["username"] == ["The username contains a control character (U+001B)."]
    assert edited.context["form"].errors["username"] == ["The username contains a control character (a line feed)."]
    assert list(EndUser.objects.values_list("username", flat=True)) == ["eve"]
