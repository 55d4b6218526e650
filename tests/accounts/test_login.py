import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_signing_in_lands_on_the_pending_list_and_is_audited(helpdesk_user):
    response = Client().post("/login/", {"username": "hal", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == ("/devices/pending/", 302)
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).actor == helpdesk_user


def test_a_wrong_password_is_refused_and_audited(helpdesk_user):
    response = Client().post("/login/", {"username": "hal", "password": "wrong"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.actor_name, entry.ip, entry.actor) == ("hal", "127.0.0.1", None)
    assert "wrong" not in str(entry.details)


@pytest.mark.smoke
def test_sign_in_is_throttled_after_the_maximum_failures(helpdesk_user, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        assert client.post("/login/", {"username": "hal", "password": "wrong"}).status_code == 200
    blocked = client.post("/login/", {"username": "hal", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins." in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 4
    first = failures.first()
    assert first is not None and first.details == {"throttled": True}


def test_the_throttle_also_counts_per_ip(helpdesk_user, admin_user, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    client.post("/login/", {"username": "x1", "password": "wrong"})
    client.post("/login/", {"username": "x2", "password": "wrong"})
    assert client.post("/login/", {"username": "ada", "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.9").post(
        "/login/", {"username": "ada", "password": PASSWORD}).status_code == 302


def test_signing_out_is_audited(helpdesk_user):
    client = Client()
    client.force_login(helpdesk_user)
    assert client.post("/logout/").status_code == 302
    assert AuditEntry.objects.get(action=AuditAction.LOGOUT).actor == helpdesk_user
