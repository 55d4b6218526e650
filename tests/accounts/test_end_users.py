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


@pytest.mark.parametrize("raw, e164", [
    ("491712345670", "+491712345670"),  # a spreadsheet dropped the plus: not +49 4917 1234567 (a landline)
    ("491712345678", "+491712345678"),
    ("49 171 2345678", "+491712345678"),
    ("447911123456", "+447911123456"),
    ("0171 2345678", "+491712345678"),
    ("(0171) 2345678", "+491712345678"),
    ("0171/234-5678", "+491712345678"),
    ("1712345678", "+491712345678"),  # a national mobile number without its 0
    ("0049 171 2345678", "+491712345678"),  # 00: the international prefix
    ("+49 (0) 171 2345678", "+491712345678"),
    ("+4930123456", "+4930123456"),  # with + or a 0 in front, a landline is taken as it is
    ("030 123456", "+4930123456"),
], ids=lambda value: value)
def test_a_mobile_number_is_read_by_its_digits(settings, raw, e164):
    settings.PHONE_DEFAULT_REGION = "DE"

    assert mobile_e164(raw) == e164
    assert mobile_e164(e164) == e164


@pytest.mark.parametrize("raw, reason", [
    ("17123456789", "“17123456789” could be read as +17123456789 or as +4917123456789: write it with + and the "
                    "country code."),
    ("491512345678", "“491512345678” is not a valid mobile number, with or without a country code: write it with + "
                     "and the country code."),
    ("+49 171", "“+49 171” is not a valid phone number."),
    ("0049 12", "“0049 12” is not a valid phone number."),
    ("0171 CALL ME", "“0171 CALL ME” is not a phone number."),
], ids=["both-readings", "neither-reading", "plus-too-short", "00-too-short", "letters"])
def test_a_mobile_number_that_reads_two_ways_or_none_is_refused_with_its_reason(settings, raw, reason):
    settings.PHONE_DEFAULT_REGION = "DE"

    with pytest.raises(EndUserError) as refused:
        mobile_e164(raw)
    assert str(refused.value) == reason


def test_national_numbers_take_the_default_region(settings):
    settings.PHONE_DEFAULT_REGION = "US"

    assert mobile_e164("(201) 555-0123") == "+12015550123"
    assert mobile_e164("12015550123") == "+12015550123"  # both readings are the same number


@pytest.mark.parametrize("username, reason", [
    ("=cmd|' /C calc'!A0", "The username starts with “=”, which a spreadsheet reads as a formula: start it with a "
                           "letter or a digit."),
    ("anna maria", "The username contains a space: use only letters, digits and @ . + - _."),
], ids=["formula", "space"])
def test_provisioning_refuses_to_create_a_local_user_outside_the_username_rule(db, username, reason):
    with pytest.raises(EndUserError) as refused:
        end_user_for_provisioning(username=username, user_type=UserType.LOCAL, email="new@example.com")
    assert str(refused.value) == reason
    assert not EndUser.objects.exists()


def test_provisioning_creates_a_local_user_whose_name_carries_accents(db):
    user = end_user_for_provisioning(username="józef.łukasz-müller_2@corp", user_type=UserType.LOCAL,
                                     email="jozef@example.com")
    assert EndUser.objects.get(user_type=UserType.LOCAL).username == user.username == "józef.łukasz-müller_2@corp"
