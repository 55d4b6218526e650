"""accounts/end_users.py: local and LDAP end users, kept apart from console users."""

import pytest

from accounts.end_users import (
    EndUserError,
    end_user_authenticate,
    end_user_for_provisioning,
    end_user_mirror_ldap,
    mobile_e164,
)
from accounts.ldap import LdapUser
from accounts.models import EndUser, User, UserType
from tests.conftest import PASSWORD
from tests.ldap_server import PASSWORDS

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_a_local_end_user_authenticates_with_their_password(end_user):
    assert end_user_authenticate("eve", PASSWORD) == end_user
    assert end_user_authenticate("eve", "wrong") is None
    assert end_user_authenticate("eve", "") is None


@pytest.mark.smoke
def test_a_console_user_is_not_an_end_user(admin_user):
    assert end_user_authenticate("ada", PASSWORD) is None


def test_an_ldap_end_user_authenticates_and_is_mirrored(ldap_settings):
    user = end_user_authenticate("lars", PASSWORDS["lars"])

    assert user is not None
    assert (user.user_type, user.username, user.email, user.mobile) == (
        UserType.LDAP, "lars", "lars@ldap.onramp.test", "+491717654321")
    assert user.password == ""
    assert end_user_authenticate("lars", "wrong") is None
    assert not User.objects.filter(username="lars").exists()


def test_an_unreachable_directory_means_not_authenticated(ldap_settings):
    ldap_settings.LDAP_SERVER_URI = "ldap://127.0.0.1:1"

    assert end_user_authenticate("lars", PASSWORDS["lars"]) is None


def test_mirroring_refreshes_the_directory_values_and_drops_an_unreadable_mobile(db):
    end_user_mirror_ldap(LdapUser("lars", "old@x.test", "+491717654321", "L", "L", "uid=lars"))

    user = end_user_mirror_ldap(LdapUser("lars", "new@x.test", "not a number", "Lars", "Larsen", "uid=lars"))

    assert EndUser.objects.filter(username="lars").count() == 1
    assert (user.email, user.mobile, user.first_name) == ("new@x.test", "", "Lars")


@pytest.mark.smoke
def test_provisioning_finds_an_existing_local_user(end_user):
    assert end_user_for_provisioning(username="eve", user_type=UserType.LOCAL) == end_user


@pytest.mark.smoke
def test_provisioning_creates_a_missing_local_user_when_an_email_is_given(db):
    user = end_user_for_provisioning(username="newbie", user_type=UserType.LOCAL, email="newbie@example.com")

    assert EndUser.objects.get(username="newbie", user_type=UserType.LOCAL) == user
    assert user.email == "newbie@example.com"
    assert user.password == ""


@pytest.mark.smoke
def test_provisioning_refuses_an_unknown_local_user_without_email(db):
    with pytest.raises(EndUserError, match="Unknown local user"):
        end_user_for_provisioning(username="ghost", user_type=UserType.LOCAL)
    assert not EndUser.objects.exists()


def test_provisioning_an_ldap_user_mirrors_the_directory_entry(ldap_settings):
    user = end_user_for_provisioning(username="lars", user_type=UserType.LDAP)

    assert (user.user_type, user.email, user.mobile) == (UserType.LDAP, "lars@ldap.onramp.test", "+491717654321")


def test_provisioning_refuses_an_ldap_user_the_directory_does_not_know(ldap_settings):
    with pytest.raises(EndUserError, match="Unknown LDAP user"):
        end_user_for_provisioning(username="ghost", user_type=UserType.LDAP)


@pytest.mark.smoke
def test_provisioning_an_ldap_user_without_ldap_configured_is_refused(settings, db):
    settings.LDAP_SERVER_URI = ""
    with pytest.raises(EndUserError, match="LDAP is not configured"):
        end_user_for_provisioning(username="lars", user_type=UserType.LDAP)


def test_mobile_numbers_are_stored_as_e164(settings):
    settings.PHONE_DEFAULT_REGION = "DE"

    assert mobile_e164("0171 2345678") == "+491712345678"
    assert mobile_e164("+49 171 2345678") == "+491712345678"
    assert mobile_e164("") == ""
    with pytest.raises(EndUserError, match="not a phone number|not a valid phone number"):
        mobile_e164("+49 abc")
    with pytest.raises(EndUserError):
        mobile_e164("12")
