"""Provision User: /devices/pending/provision/ and provisioning.single.services.user_provision."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import EndUser, UserType
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, Source
from lib.crypto import unseal
from notifications.models import Channel, Message
from provisioning.single.services import ProvisioningError, user_provision
from tests.conftest import PASSWORD, client_for, make_console_user
from tests.ldap_server import PASSWORDS
from tests.twofactor.clock import Clock

pytestmark = pytest.mark.django_db

URL = "/devices/pending/provision/"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "ownership": "corporate",
        "username": "eve",
        "user_type": "local",
        "email": "",
        "mobile": "",
        "authorizer_username": "ada",
        "authorizer_password": PASSWORD,
        # ada (an Administrator) uses two-step verification: her code at the time the ready fixture sets.
        "authorizer_code": Clock().code(),
    }
    data.update(overrides)
    return data


def counts() -> dict[str, int]:
    return {
        "enrollments": PendingEnrollment.objects.count(),
        "end_users": EndUser.objects.count(),
        "messages": Message.objects.count(),
        "provisioned": AuditEntry.objects.filter(action=AuditAction.USER_PROVISIONED).count(),
        "created": AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_CREATED).count(),
    }


def rows_containing(secret: str) -> list[str]:
    """Every table row (and every sealed message part, unsealed) that holds ``secret``."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            found += [f"{table}: {row}" for row in cursor.fetchall() if secret in str(row)]
    for message in Message.objects.all():
        for sealed in (message.subject_sealed, message.body_sealed, message.attachments_sealed):
            if sealed and secret in unseal(sealed):
                found.append(f"message {message.pk}")
    return found


@pytest.fixture
def ready(licences, admin_user, helpdesk_user, end_user, totp_clock):
    return client_for(helpdesk_user)


@pytest.mark.smoke
def test_the_form_renders_with_labelled_fields(ready):
    response = ready.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    for label in ("Ownership", "Username", "User Type", "Email", "Mobile", "Authorizing Credentials",
                  "Authorizing Password"):
        assert label in html
    assert reverse("provisioning:provision_user") == URL


def test_it_provisions_an_existing_local_user_and_shows_the_details(ready, helpdesk_user):
    response = ready.post(URL, form_data(mobile="+491712345678"))

    enrollment = PendingEnrollment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/devices/pending/{enrollment.token}/provisioned/"
    assert (enrollment.username, enrollment.source, enrollment.ownership) == ("eve", Source.SINGLE, "corporate")
    assert enrollment.end_user is not None and enrollment.end_user.username == "eve"
    assert enrollment.email == "eve@example.com"
    assert enrollment.mobile == "+491712345678"
    assert enrollment.created_by == helpdesk_user
    entry = AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED)
    assert entry.actor == helpdesk_user and entry.actor_name == "hal"
    assert entry.details["authorizer"] == "ada"
    assert entry.enrollment_token == enrollment.token
    channels = sorted(Message.objects.values_list("channel", "recipient"))
    assert channels == sorted([(Channel.EMAIL, "ada@onramp.test"), (Channel.EMAIL, "eve@example.com"),
                               (Channel.SMS, "+491712345678")])

    details = ready.get(response["Location"])
    assert "no-store" in details["Cache-Control"]
    html = details.content.decode()
    assert "Provisioned User Details" in html
    assert unseal(enrollment.otp_ciphertext) in html
    assert enrollment.token in html
    assert reverse("enrollment:pending_qr_png", args=[enrollment.token]) in html
    assert "+491712345678" in html
    assert AuditEntry.objects.filter(action=AuditAction.OTP_VIEWED, enrollment_token=enrollment.token).count() == 1


def test_the_details_page_without_mobile_shows_no_mobile_and_sends_no_sms(ready):
    response = ready.post(URL, form_data(username="nomobile", email="nomobile@example.com"))

    html = ready.get(response["Location"]).content.decode()
    assert 'data-testid="mobile"' not in html
    assert "no SMS is sent" in html
    assert not Message.objects.filter(channel=Channel.SMS).exists()


def test_it_creates_a_missing_local_user_from_the_email(ready):
    ready.post(URL, form_data(username="newbie", email="newbie@example.com"))

    newbie = EndUser.objects.get(username="newbie", user_type=UserType.LOCAL)
    assert newbie.email == "newbie@example.com"
    assert PendingEnrollment.objects.get().end_user == newbie
    assert AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED).details["end_user_created"] is True


def test_an_unknown_local_user_without_email_is_refused_and_nothing_is_created(ready):
    before = counts()

    response = ready.post(URL, form_data(username="ghost"))

    assert response.status_code == 400
    assert "Unknown local user" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(("authorizer", "password", "reason"), [
    ("ada", "wrong password", "username or password is not correct"),
    ("nobody", PASSWORD, "username or password is not correct"),
    ("oscar", PASSWORD, "not allowed to provision"),
])
def test_a_bad_authorizer_is_refused_and_nothing_is_created(ready, outsider, authorizer, password, reason):
    before = counts()

    response = ready.post(URL, form_data(authorizer_username=authorizer, authorizer_password=password))

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert counts() == before


def test_an_inactive_authorizer_is_refused(ready, admin_user):
    admin_user.is_active = False
    admin_user.save()

    response = ready.post(URL, form_data())

    assert "not correct" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_repeated_bad_authorizer_passwords_are_throttled(ready, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        ready.post(URL, form_data(authorizer_password="wrong"))

    response = ready.post(URL, form_data())

    assert "Too many failed authorizations" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_a_bad_mobile_is_refused_and_nothing_is_created(ready):
    before = counts()

    response = ready.post(URL, form_data(mobile="+49 abc", username="newbie", email="newbie@example.com"))

    assert response.status_code == 400
    assert "is not a phone number" in response.content.decode()
    assert counts() == before


def test_no_licence_left_is_refused_and_nothing_is_created(ready, licences):
    licences(0)
    before = counts()

    response = ready.post(URL, form_data(username="newbie", email="newbie@example.com", mobile="+491712345678"))

    assert response.status_code == 400
    assert "licence" in response.content.decode().lower()
    assert counts() == before
    assert not EndUser.objects.filter(username="newbie").exists()


def test_the_mobile_is_stored_as_e164_from_the_default_region(ready, settings):
    settings.PHONE_DEFAULT_REGION = "DE"

    ready.post(URL, form_data(mobile="0171 2345678"))

    assert PendingEnrollment.objects.get().mobile == "+491712345678"


def test_a_mobile_with_its_country_code_but_no_plus_keeps_its_country_code(ready, settings):
    settings.PHONE_DEFAULT_REGION = "DE"

    ready.post(URL, form_data(mobile="491712345670"))

    assert PendingEnrollment.objects.get().mobile == "+491712345670"


def test_a_mobile_that_reads_as_two_numbers_is_refused_next_to_the_field(ready, settings):
    settings.PHONE_DEFAULT_REGION = "DE"

    response = ready.post(URL, form_data(mobile="17123456789"))

    assert response.context["form"].errors["mobile"] == [
        "“17123456789” could be read as +17123456789 or as +4917123456789: write it with + and the country code."]
    assert not PendingEnrollment.objects.exists()


@pytest.mark.parametrize("username, reason", [
    ("=cmd|' /C calc'!A0", "The username starts with “=”, which a spreadsheet reads as a formula: start it with a "
                           "letter or a digit."),
    ("anna maria", "The username contains a space: use only letters, digits and @ . + - _."),
    ("bob!", "The username contains “!”: use only letters, digits and @ . + - _."),
], ids=["formula", "space", "exclamation-mark"])
def test_a_local_username_outside_the_console_rule_is_refused_and_nothing_is_created(ready, username, reason):
    before = counts()

    response = ready.post(URL, form_data(username=username, email="new@example.com"))

    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [reason]
    assert counts() == before


def test_the_username_rule_is_said_on_the_form_and_a_name_with_accents_is_provisioned(ready):
    assert "Letters (accents too), digits and @ . + - _ only; not starting with @, + or -." in ready.get(
        URL).content.decode()

    ready.post(URL, form_data(username="józef.müller", email="jozef@example.com"))

    assert PendingEnrollment.objects.get().username == "józef.müller"
    assert EndUser.objects.filter(username="józef.müller", user_type=UserType.LOCAL).exists()


def test_the_authorizer_password_is_never_stored_logged_or_rendered_back(ready, caplog):
    secret = "authorizer-Secret-771"
    carol = make_console_user("carol", "Administrator")
    carol.set_password(secret)
    carol.save()
    caplog.set_level(logging.DEBUG)

    refused = ready.post(URL, form_data(username="ghost", authorizer_username="carol", authorizer_password=secret))
    # The refused try used carol's code up (its authorizer check passed): the next step's code.
    ok = ready.post(URL, form_data(mobile="+491712345678", authorizer_username="carol",
                                   authorizer_password=secret, authorizer_code=Clock().code(offset=1)))

    assert secret not in refused.content.decode()
    assert ok.status_code == 302
    ready.get(ok["Location"])
    assert rows_containing(secret) == []
    assert secret not in caplog.text
    assert AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED).details["authorizer"] == "carol"


def test_an_ldap_user_is_provisioned_with_the_directory_email_and_mobile(ldap_settings, ready, caplog):
    caplog.set_level(logging.DEBUG)

    response = ready.post(URL, form_data(username="lars", user_type="ldap", authorizer_username="auth",
                                         authorizer_password=PASSWORDS["auth"]))

    assert response.status_code == 302
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.user_type, enrollment.email, enrollment.mobile) == (
        UserType.LDAP, "lars@ldap.onramp.test", "+491717654321")
    assert enrollment.end_user is not None and enrollment.end_user.user_type == UserType.LDAP
    entry = AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED)
    assert entry.details["authorizer"] == "auth" and entry.details["authorizer_type"] == "ldap"
    assert Message.objects.filter(channel=Channel.SMS, recipient="+491717654321").exists()
    assert rows_containing(PASSWORDS["auth"]) == []
    assert PASSWORDS["auth"] not in caplog.text


@pytest.mark.parametrize(("username", "authorizer", "password", "reason"), [
    ("lars", "lars", PASSWORDS["lars"], "not allowed to authorize"),
    ("lars", "auth", "wrong", "not correct"),
    ("ghost", "auth", PASSWORDS["auth"], "Unknown LDAP user"),
    ("lars", "ada", PASSWORD, "not correct"),
])
def test_ldap_provisioning_refusals_create_nothing(ldap_settings, ready, username, authorizer, password, reason):
    before = counts()

    response = ready.post(URL, form_data(username=username, user_type="ldap", authorizer_username=authorizer,
                                         authorizer_password=password))

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert counts() == before


def test_the_service_refuses_ldap_users_when_ldap_is_not_configured(licences, admin_user, settings):
    settings.LDAP_SERVER_URI = ""
    with pytest.raises(ProvisioningError, match="LDAP is not configured"):
        user_provision(actor=Actor.for_user(admin_user), ownership="corporate", username="lars", user_type="ldap",
                       mobile="", email="", authorizer_username="auth", authorizer_password="x")


def test_after_commit_the_admins_and_the_user_get_their_email(ready, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ready.post(URL, form_data(username="newbie", email="newbie@example.com"))

    assert response.status_code == 302
    assert sorted(address for mail in mailoutbox for address in mail.to) == ["ada@onramp.test", "newbie@example.com"]
    otp = unseal(PendingEnrollment.objects.get().otp_ciphertext)
    user_mail = next(mail for mail in mailoutbox if mail.to == ["newbie@example.com"])
    assert PASSWORD not in str(user_mail.message())
    assert otp in user_mail.body or otp in str(user_mail.message())


@pytest.mark.smoke
def test_without_ldap_the_form_offers_local_users_only(ready, settings):
    settings.LDAP_SERVER_URI = ""

    html = ready.get(URL).content.decode()
    response = ready.post(URL, form_data(user_type="ldap"))

    assert 'value="ldap"' not in html
    assert response.status_code == 400
    assert not PendingEnrollment.objects.exists()


def test_a_bad_mobile_is_shown_next_to_the_mobile_field(ready):
    response = ready.post(URL, form_data(mobile="12"))

    assert response.context["form"].errors["mobile"] == [
        "“12” is not a valid mobile number, with or without a country code: write it with + and the country code."]


@pytest.mark.parametrize("username, shown", [("ali\r\nce", "a carriage return"), ("ali\nce", "a line feed"),
                                             ("ali\u202ece", "U+202E RIGHT-TO-LEFT OVERRIDE")])
def test_a_username_with_a_control_character_is_refused_and_nothing_is_created(ready, username, shown):
    before = counts()

    response = ready.post(URL, form_data(username=username, email="alice@example.com"))

    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [f"The username contains a control character ({shown})."]
    assert counts() == before


# --- an authorizer who uses two-step verification: their current code too --------------------------


def test_the_form_asks_for_the_authorizing_code(ready):
    html = ready.get(URL).content.decode()
    assert "Authorizing Code" in html and 'name="authorizer_code"' in html


def test_an_authorizer_with_two_step_verification_and_no_code_is_asked_for_it_and_nothing_is_counted(
        ready, settings):
    settings.LOGIN_MAX_FAILURES = 1
    before = counts()

    for _ in range(3):
        response = ready.post(URL, form_data(authorizer_code=""))
        assert response.status_code == 400
        assert "ada uses two-step verification: enter their current code as the Authorizing Code." in \
            response.content.decode()
    assert counts() == before
    # The right password without a code was no failure: the next try, with the code, goes through.
    assert ready.post(URL, form_data()).status_code == 302


def test_a_wrong_authorizing_code_is_refused_counted_in_the_authorizer_throttle_and_audited(
        ready, settings, helpdesk_user):
    settings.LOGIN_MAX_FAILURES = 2
    before = counts()

    wrong = ready.post(URL, form_data(authorizer_code="000000"))

    assert wrong.status_code == 400 and "That code is not right." in wrong.content.decode()
    assert counts() == before
    entry = AuditEntry.objects.get(action=AuditAction.TWO_STEP_CODE_REFUSED)
    assert (entry.actor, entry.target_username, entry.details) == (
        helpdesk_user, "ada", {"reason": "wrong two-step verification code", "step": "provision user authorizer"})
    ready.post(URL, form_data(authorizer_code="111111"))
    # Two wrong codes: the username is at its limit, even with the right password and code.
    throttled = ready.post(URL, form_data())
    assert "Too many failed authorizations" in throttled.content.decode()
    assert not PendingEnrollment.objects.exists()


def test_an_authorizing_code_is_used_up_a_replay_is_refused_and_a_recovery_code_works_once(ready, totp_clock):
    from twofactor import codes
    from twofactor.models import RecoveryCode

    assert ready.post(URL, form_data(username="first", email="first@example.com")).status_code == 302
    replay = ready.post(URL, form_data(username="second", email="second@example.com"))
    assert replay.status_code == 400
    assert "This code was already used. Wait for the next one in your app." in replay.content.decode()

    (recovery,) = codes.codes_generate()[:1]
    ann = make_console_user("ann", "Administrator")
    RecoveryCode.objects.create(user=ann, code_hash=codes.code_hashes(recovery)[0])
    assert ready.post(URL, form_data(username="third", email="third@example.com", authorizer_username="ann",
                                     authorizer_code=recovery.upper())).status_code == 302
    used = AuditEntry.objects.get(action=AuditAction.RECOVERY_CODE_USED)
    assert (used.target_username, used.details) == ("ann", {"recovery_codes_left": 0})
    again = ready.post(URL, form_data(username="fourth", email="fourth@example.com", authorizer_username="ann",
                                      authorizer_code=recovery))
    assert again.status_code == 400 and "already used" in again.content.decode()
    assert sorted(PendingEnrollment.objects.values_list("username", flat=True)) == ["first", "third"]


def test_an_authorizer_without_two_step_verification_needs_no_code(ready, super_helpdesk_user):
    response = ready.post(URL, form_data(authorizer_username="sam", authorizer_code=""))

    assert response.status_code == 302
    assert AuditEntry.objects.get(action=AuditAction.USER_PROVISIONED).details["authorizer"] == "sam"


def test_an_ldap_authorizer_with_two_step_verification_in_the_console_enters_their_code(ldap_settings, ready):
    make_console_user("auth", "Helpdesk", second_factor=True)  # the directory user, signed in to the console once
    data = form_data(username="lars", user_type="ldap", authorizer_username="auth",
                     authorizer_password=PASSWORDS["auth"])

    asked = ready.post(URL, {**data, "authorizer_code": ""})
    assert asked.status_code == 400 and "auth uses two-step verification" in asked.content.decode()
    assert ready.post(URL, data).status_code == 302
