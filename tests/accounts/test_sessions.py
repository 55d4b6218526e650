"""Sessions end when the password changes (console and portal) and idle out after
SESSION_IDLE_TIMEOUT_SECONDS (default 8 hours)."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.middleware import REFRESH_SECONDS, SEEN_KEY
from accounts.models import EndUser, User
from tests.conftest import PASSWORD, client_for
from tests.twofactor.clock import Clock, sign_in_with_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def console_signed_in(user: User, clock: Clock | None = None) -> Client:
    """Signed in through the login form: the password, and the authenticator's code when asked (an admin:
    give the test's ``totp_clock``)."""
    client = Client()
    assert sign_in_with_code(client, user.username, clock or Clock()).status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def portal_signed_in(end_user: EndUser) -> Client:
    client = Client()
    assert client.post("/portal/login/", {"username": end_user.username, "password": PASSWORD}).status_code == 302
    assert client.get("/portal/").status_code == 200
    return client


def console_user_data(user: User, role: str, **change: str) -> dict[str, str]:
    return {"username": user.username, "first_name": "", "last_name": "", "email": user.email, "is_active": "on",
            "role": role, "password": "", **change}


def end_user_data(end_user: EndUser, **change: str) -> dict[str, str]:
    return {"username": end_user.username, "email": end_user.email, "mobile": end_user.mobile, "first_name": "",
            "last_name": "", "is_active": "on", "password": "", **change}


def test_a_console_password_changed_by_an_admin_ends_that_users_sessions(admin_user, helpdesk_user):
    hal = console_signed_in(helpdesk_user)

    response = client_for(admin_user).post(f"/settings/users/{helpdesk_user.pk}/",
                                           console_user_data(helpdesk_user, "Helpdesk", password=NEW_PASSWORD))

    assert response.status_code == 302
    assert hal.get("/devices/pending/")["Location"].startswith("/login/")


def test_an_admin_who_changes_their_own_password_stays_signed_in_there_only(admin_user, totp_clock):
    here, elsewhere = console_signed_in(admin_user, totp_clock), console_signed_in(admin_user, totp_clock)

    response = here.post(f"/settings/users/{admin_user.pk}/",
                         console_user_data(admin_user, "Administrator", password=NEW_PASSWORD))

    assert response.status_code == 302
    assert here.get("/devices/pending/").status_code == 200
    assert elsewhere.get("/devices/pending/")["Location"].startswith("/login/")


def test_a_portal_password_changed_by_an_admin_ends_the_end_users_sessions(admin_user, end_user):
    eve = portal_signed_in(end_user)

    response = client_for(admin_user).post(f"/settings/end-users/{end_user.pk}/",
                                           end_user_data(end_user, password=NEW_PASSWORD))

    assert response.status_code == 302
    assert eve.get("/portal/")["Location"] == "/portal/login/"
    assert Client().post("/portal/login/", {"username": "eve", "password": NEW_PASSWORD}).status_code == 302


def test_editing_an_end_user_without_a_new_password_keeps_their_session(admin_user, end_user):
    eve = portal_signed_in(end_user)
    client_for(admin_user).post(f"/settings/end-users/{end_user.pk}/", end_user_data(end_user, first_name="Eve"))
    assert eve.get("/portal/").status_code == 200


def test_sessions_idle_out_after_eight_hours_by_default(settings, helpdesk_user):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = console_signed_in(helpdesk_user)
    session = Session.objects.get()
    assert session.expire_date == pytest.approx(timezone.now() + timedelta(hours=8), abs=timedelta(seconds=30))

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get("/devices/pending/")["Location"].startswith("/login/")


def test_activity_moves_the_idle_deadline_at_most_every_few_minutes(helpdesk_user):
    client = console_signed_in(helpdesk_user)
    client.get("/devices/pending/")
    session = Session.objects.get()
    early = timezone.now() + timedelta(hours=1)
    Session.objects.filter(pk=session.pk).update(expire_date=early)

    client.get("/devices/pending/")  # seen just now: no write, the deadline stays
    assert Session.objects.get().expire_date == early

    stored = client.session
    stored[SEEN_KEY] = int(time.time()) - REFRESH_SECONDS
    stored.save()
    client.get("/devices/pending/")  # last seen five minutes ago: the deadline moves to now + 8 hours

    assert Session.objects.get().expire_date == pytest.approx(timezone.now() + timedelta(hours=8),
                                                              abs=timedelta(seconds=30))


def test_requests_without_a_session_get_none(db):
    Client().get("/healthz")
    Client().post("/api/v1/enrollments/redeem", "{}", content_type="application/json")
    assert not Session.objects.exists()
