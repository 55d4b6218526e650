from datetime import timedelta

import pytest
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment, State
from enrollment.otp import otp_matches
from enrollment.services import otp_reset, otp_reveal
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import NoLicenceLeft, licence_counts

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_revealing_the_otp_returns_it_and_audits_the_view(make_pending, helpdesk_user):
    made = make_pending("alice")
    assert otp_reveal(enrollment=made.enrollment, actor=Actor.for_user(helpdesk_user)) == made.otp
    entry = AuditEntry.objects.get(action=AuditAction.OTP_VIEWED)
    assert (entry.actor, entry.enrollment_token, entry.target_username) == (
        helpdesk_user, made.enrollment.token, "alice")


@pytest.mark.smoke
def test_a_reset_gives_a_new_otp_and_the_old_one_stops_matching(make_pending, helpdesk_user):
    made = make_pending("alice")
    reset = otp_reset(enrollment=made.enrollment, actor=Actor.for_user(helpdesk_user))
    stored = PendingEnrollment.objects.get(pk=made.enrollment.pk).otp_ciphertext
    assert otp_matches(stored, reset.otp)
    assert reset.otp == made.otp or not otp_matches(stored, made.otp)
    entry = AuditEntry.objects.get(action=AuditAction.OTP_RESET)
    assert (entry.actor, entry.enrollment_token, entry.details) == (
        helpdesk_user, made.enrollment.token, {"previous_state": "active"})


def test_a_reset_moves_the_expiry_and_unlocks_a_locked_enrollment(make_pending, admin_user):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(
        state=State.LOCKED, failed_attempts=5, locked_at=timezone.now(),
        otp_expires_at=timezone.now() + timedelta(minutes=1))
    otp_reset(enrollment=made.enrollment, actor=Actor.for_user(admin_user))
    enrollment = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    assert (enrollment.state, enrollment.failed_attempts, enrollment.locked_at) == (State.ACTIVE, 0, None)
    assert enrollment.otp_expires_at is not None
    assert enrollment.otp_expires_at > timezone.now() + timedelta(hours=71)
    assert licence_counts().reserved == 1
    assert LedgerEntry.objects.filter(kind=LedgerKind.RESERVE).count() == 1


def test_resetting_an_expired_enrollment_reserves_its_licences_again(make_pending, admin_user):
    made = make_pending("alice", usage_count=2)
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(
        state=State.EXPIRED, reserved_licences=0, expired_at=timezone.now())
    assert licence_counts().reserved == 0
    otp_reset(enrollment=made.enrollment, actor=Actor.for_user(admin_user))
    enrollment = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    assert (enrollment.state, enrollment.reserved_licences, enrollment.expired_at) == (State.ACTIVE, 2, None)
    assert licence_counts().reserved == 2
    assert list(LedgerEntry.objects.filter(kind=LedgerKind.RESERVE).values_list("quantity", "note")) == [
        (2, "OTP reset"), (2, "single enrollment")]
    assert AuditEntry.objects.get(action=AuditAction.OTP_RESET).details == {"previous_state": "expired"}


@pytest.mark.smoke
def test_resetting_an_expired_enrollment_with_no_licence_left_changes_nothing(make_pending, admin_user, licences):
    licences(1)
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(state=State.EXPIRED, reserved_licences=0)
    make_pending("bob")  # takes the licence alice gave back
    before = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    ledger, audit = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(NoLicenceLeft, match="1 needed, 0 remaining"):
        otp_reset(enrollment=made.enrollment, actor=Actor.for_user(admin_user))
    after = PendingEnrollment.objects.get(pk=made.enrollment.pk)
    assert (after.state, after.reserved_licences, after.otp_ciphertext) == (
        State.EXPIRED, 0, before.otp_ciphertext)
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == (ledger, audit)
