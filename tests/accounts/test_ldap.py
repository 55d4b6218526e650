"""accounts/ldap.py and console login through django-auth-ldap, against a real slapd."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from accounts.ldap import (
    LdapAuthorizationError,
    LdapError,
    LdapUser,
    ldap_authenticate,
    ldap_authorizer_check,
    ldap_enabled,
    ldap_lookup_user,
)
from accounts.models import User
from accounts.roles import ADMINISTRATOR, HELPDESK
from audit.models import AuditAction, AuditEntry
from tests.conftest import ensure_roles
from tests.ldap_server import PASSWORDS, PEOPLE

pytestmark = pytest.mark.django_db
PASSWORD_ALICE = PASSWORDS["alice"]


def test_it_looks_up_an_ldap_end_user_with_email_and_mobile(ldap_settings):
    user = ldap_lookup_user("lars")

    assert user == LdapUser(username="lars", email="lars@ldap.onramp.test", mobile="0171 7654321",
                            first_name="Lars", last_name="Larsen", dn=f"uid=lars,{PEOPLE}")


def test_it_returns_none_for_a_user_the_directory_does_not_know(ldap_settings):
    assert ldap_lookup_user("nobody") is None


def test_a_username_cannot_inject_a_filter(ldap_settings):
    assert ldap_lookup_user("*") is None
    assert ldap_lookup_user("lars)(uid=*") is None


def test_it_authenticates_with_the_directory_password_only(ldap_settings):
    lars = ldap_authenticate("lars", PASSWORDS["lars"])
    assert lars is not None and lars.username == "lars"
    assert ldap_authenticate("lars", "wrong") is None
    assert ldap_authenticate("lars", "") is None
    assert ldap_authenticate("nobody", "x") is None


def test_an_authorizer_in_the_authorizer_group_passes(ldap_settings):
    assert ldap_authorizer_check("auth", PASSWORDS["auth"]).username == "auth"


def test_an_authorizer_outside_the_authorizer_group_is_refused(ldap_settings):
    with pytest.raises(LdapAuthorizationError, match="not allowed to authorize"):
        ldap_authorizer_check("lars", PASSWORDS["lars"])


def test_an_authorizer_with_a_wrong_password_is_refused(ldap_settings):
    with pytest.raises(LdapAuthorizationError, match="not correct"):
        ldap_authorizer_check("auth", "wrong")


def test_an_unreachable_directory_raises_ldap_error(ldap_settings):
    ldap_settings.LDAP_SERVER_URI = "ldap://127.0.0.1:1"
    with pytest.raises(LdapError):
        ldap_lookup_user("lars")


def test_an_ldap_admin_signs_in_to_the_console_as_administrator(ldap_settings):
    ensure_roles()
    client = Client()

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORDS["alice"]})

    # Administrators must use two-step verification (the default): the directory user sets it up in Onramp first.
    assert response.status_code == 302 and response["Location"] == reverse("twofactor:setup")
    alice = User.objects.get(username="alice")
    assert alice.role_names() == [ADMINISTRATOR]
    assert alice.email == "alice@ldap.onramp.test"
    assert client.get(reverse("enrollment:pending_list"))["Location"] == reverse("twofactor:setup")


def test_an_ldap_user_keeps_the_second_factor_in_onramp_and_signs_in_with_password_and_code(ldap_settings,
                                                                                            totp_clock):
    from tests.twofactor.clock import sign_in_with_code
    from tests.twofactor.test_setup import page_secret

    ensure_roles()
    client = Client()
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD_ALICE})
    secret = page_secret(client.get(reverse("twofactor:setup")))
    assert client.post(reverse("twofactor:setup"), {"code": totp_clock.code(secret)}).status_code == 302

    again = Client()
    assert again.post(reverse("login"), {"username": "alice", "password": PASSWORD_ALICE})["Location"] == "/login/code/"
    assert "_auth_user_id" not in again.session
    response = sign_in_with_code(again, "alice", totp_clock, secret=secret, password=PASSWORD_ALICE)

    assert response["Location"] == reverse("enrollment:pending_list")
    assert again.get(reverse("enrollment:pending_list")).status_code == 200
    assert again.session["_auth_user_backend"] == "accounts.ldap_backend.ConsoleLdapBackend"


def test_an_ldap_helpdesk_user_gets_the_helpdesk_role_only(ldap_settings):
    ensure_roles()
    from django.contrib.auth.models import Group

    bob = User.objects.create_user(username="bob")
    bob.set_unusable_password()
    bob.save()
    bob.groups.add(Group.objects.get(name=ADMINISTRATOR))  # stale: the directory decides

    user = authenticate(username="bob", password=PASSWORDS["bob"])

    assert user is not None
    assert user.role_names() == [HELPDESK]
    entry = AuditEntry.objects.get(action=AuditAction.CONSOLE_USER_CHANGED, target_username="bob")
    assert entry.details["roles_before"] == [ADMINISTRATOR] and entry.details["roles_after"] == [HELPDESK]
    authenticate(username="bob", password=PASSWORDS["bob"])
    assert AuditEntry.objects.filter(action=AuditAction.CONSOLE_USER_CHANGED).count() == 1


def test_a_wrong_ldap_password_is_refused_at_login(ldap_settings):
    ensure_roles()
    response = Client().post(reverse("login"), {"username": "alice", "password": "wrong-password"})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_a_directory_user_without_a_console_group_cannot_sign_in(ldap_settings):
    ensure_roles()
    assert authenticate(username="lars", password=PASSWORDS["lars"]) is None


@pytest.mark.smoke
def test_the_console_runs_with_no_ldap_configured(settings, admin_user):
    settings.LDAP_SERVER_URI = ""

    assert not ldap_enabled()
    assert "accounts.ldap_backend.ConsoleLdapBackend" not in settings.AUTHENTICATION_BACKENDS
    client = Client()
    response = client.post(reverse("login"), {"username": "ada", "password": "correct horse battery staple"})
    assert response.status_code == 302
    with pytest.raises(LdapError, match="not configured"):
        ldap_lookup_user("lars")
