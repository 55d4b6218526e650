import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import EndUser
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import OtpContent, OtpPolicy, PendingEnrollment, Source
from enrollment.otp import LOOKALIKES, OtpRule, otp_matches
from enrollment.services import EnrollmentError, pending_enrollment_create
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import NoLicenceLeft, licence_counts

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_it_reserves_one_licence_per_use_and_audits_the_creation(make_pending, admin_user):
    made = make_pending("alice", usage_count=3, mobile="+491712345678")
    enrollment = made.enrollment
    assert (enrollment.usage_count, enrollment.uses_remaining, enrollment.reserved_licences) == (3, 3, 3)
    assert licence_counts().reserved == 3
    ledger = LedgerEntry.objects.get(kind=LedgerKind.RESERVE)
    assert (ledger.quantity, ledger.enrollment_token, ledger.username) == (3, enrollment.token, "alice")
    entry = AuditEntry.objects.get(action=AuditAction.ENROLLMENT_CREATED)
    assert (entry.actor, entry.enrollment_token, entry.target_username) == (admin_user, enrollment.token, "alice")
    assert entry.details == {"source": "single", "usage_count": 3, "language": "en"}
    assert enrollment.created_by == admin_user


def test_its_tokens_are_32_url_safe_characters_and_all_distinct(make_pending):
    tokens = [make_pending(f"user{i}").enrollment.token for i in range(50)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens)
    assert len(set(tokens)) == 50


def test_its_otp_follows_the_policy_and_matches_the_stored_ciphertext(make_pending):
    OtpPolicy.objects.update_or_create(pk=1, defaults={
        "content": OtpContent.LETTERS_DIGITS, "length": 12, "exclude_lookalikes": True, "validity_hours": 5})
    before = timezone.now()
    made = make_pending("alice")
    assert len(made.otp) == 12 and made.otp.isalnum()
    assert not set(made.otp) & LOOKALIKES
    assert otp_matches(made.enrollment.otp_ciphertext, made.otp)
    expires = made.enrollment.otp_expires_at
    assert before + timedelta(hours=5) <= expires <= timezone.now() + timedelta(hours=5)


@pytest.mark.parametrize(("content", "pattern"), [
    (OtpContent.DIGITS, r"[2-9]{10}"),
    (OtpContent.LETTERS, r"[A-HJ-NP-Za-km-np-z]{10}"),
    (OtpContent.LETTERS_DIGITS, r"[2-9A-HJ-NP-Za-km-np-z]{10}"),
])
def test_each_otp_content_draws_from_its_alphabet_without_look_alikes(content, pattern):
    rule = OtpRule(content=content, length=10, exclude_lookalikes=True)
    assert all(re.fullmatch(pattern, rule.generate()) for _ in range(200))


def test_look_alikes_are_allowed_when_the_policy_allows_them():
    rule = OtpRule(content=OtpContent.DIGITS, length=32, exclude_lookalikes=False)
    assert set("".join(rule.generate() for _ in range(50))) == set("0123456789")


@pytest.mark.parametrize("length", [3, 33])
def test_an_otp_length_outside_4_to_32_is_refused(length):
    with pytest.raises(ValueError, match="between 4 and 32"):
        OtpRule(length=length)


def test_an_unlimited_otp_has_no_expiry(make_pending):
    made = make_pending("alice", otp_rule=OtpRule(length=8, validity_hours=None))
    assert made.enrollment.otp_expires_at is None
    assert made.enrollment.is_unlimited


@pytest.mark.smoke
def test_it_refuses_with_a_clear_message_and_writes_nothing_when_no_licence_is_left(make_pending, licences):
    licences(2)
    make_pending("alice", usage_count=2)
    counts = (PendingEnrollment.objects.count(), LedgerEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NoLicenceLeft) as refused:
        make_pending("bob")
    assert str(refused.value).startswith("Not enough device licences: 1 needed, 0 remaining.")
    assert (PendingEnrollment.objects.count(), LedgerEntry.objects.count(), AuditEntry.objects.count()) == counts
    assert not PendingEnrollment.objects.filter(username="bob").exists()


def test_it_refuses_a_usage_count_beyond_what_remains(make_pending, licences):
    licences(3)
    with pytest.raises(NoLicenceLeft, match="4 needed, 3 remaining"):
        make_pending("alice", usage_count=4)
    assert licence_counts().reserved == 0


@pytest.mark.parametrize(("username", "usage_count", "message"), [
    ("  ", 1, "A username is required."),
    ("alice", 0, "The usage count must be at least 1."),
    ("ali\r\nce", 1, r"The username contains a control character \(a carriage return\)."),
])
def test_it_refuses_bad_input_before_writing(licences, username, usage_count, message):
    with pytest.raises(EnrollmentError, match=message):
        pending_enrollment_create(actor=Actor.system("tests"), username=username, source=Source.SINGLE,
                                  usage_count=usage_count)
    assert not PendingEnrollment.objects.exists()


def test_it_stores_the_mobile_in_e164_by_the_one_parser(make_pending, settings):
    settings.PHONE_DEFAULT_REGION = "DE"
    assert make_pending("alice", mobile="491712345670").enrollment.mobile == "+491712345670"
    assert make_pending("bob", mobile="(0171) 2345678").enrollment.mobile == "+491712345678"
    with pytest.raises(EnrollmentError, match="could be read as"):
        make_pending("carol", mobile="17123456789")
    assert PendingEnrollment.objects.count() == 2


def test_a_bare_username_follows_the_console_rule_and_an_end_users_own_name_is_kept(make_pending):
    with pytest.raises(EnrollmentError, match="The username starts with “=”, which a spreadsheet reads as a formula"):
        make_pending("=cmd|' /C calc'!A0")
    with pytest.raises(EnrollmentError, match="The username contains a space"):
        make_pending("anna maria")
    assert not PendingEnrollment.objects.exists()
    legacy = EndUser.objects.create(username="anna maria", email="anna@example.com")  # made before the rule
    assert make_pending("anna maria", end_user=legacy).enrollment.username == "anna maria"
