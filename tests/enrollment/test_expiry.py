"""Expiry (F12): expired OTPs release their licences; reset re-reserves; old expired entries go."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.expiry import enrollments_expire, enrollments_purge_expired
from enrollment.models import PendingEnrollment, State
from enrollment.services import otp_reset
from enrollment.tasks import expire_enrollments, purge_expired_enrollments
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import NoLicenceLeft, licence_counts

pytestmark = [pytest.mark.django_db]


def past(hours: int = 1) -> datetime:
    return timezone.now() - timedelta(hours=hours)


@pytest.mark.smoke
def test_it_expires_entries_past_their_otp_expiry_and_releases_their_licences(make_pending):
    old = make_pending("alice", usage_count=3)
    fresh = make_pending("bob")
    PendingEnrollment.objects.filter(pk=old.enrollment.pk).update(otp_expires_at=past())
    assert licence_counts().reserved == 4

    assert enrollments_expire() == 1

    expired = PendingEnrollment.objects.get(pk=old.enrollment.pk)
    assert (expired.state, expired.reserved_licences) == (State.EXPIRED, 0)
    assert expired.expired_at is not None and expired.uses_remaining == 3
    assert PendingEnrollment.objects.get(pk=fresh.enrollment.pk).state == State.ACTIVE
    assert licence_counts().reserved == 1
    release = LedgerEntry.objects.get(kind=LedgerKind.RELEASE)
    assert (release.quantity, release.enrollment_token) == (3, old.enrollment.token)
    entry = AuditEntry.objects.get(action=AuditAction.ENROLLMENT_EXPIRED)
    assert entry.target_username == "alice" and entry.actor_name == "system:expiry"


def test_running_it_again_changes_nothing(make_pending):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    assert enrollments_expire() == 1
    assert enrollments_expire() == 0
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASE).count() == 1


def test_unlimited_otps_never_expire(make_pending):
    from enrollment.otp import OtpRule

    make_pending("alice", otp_rule=OtpRule(validity_hours=None))
    assert enrollments_expire(now=timezone.now() + timedelta(days=3650)) == 0


def test_a_locked_entry_past_expiry_expires_too(make_pending):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(state=State.LOCKED, otp_expires_at=past())
    assert enrollments_expire() == 1
    assert licence_counts().reserved == 0


def test_it_works_in_batches(make_pending):
    for n in range(5):
        made = make_pending(f"user{n}")
        PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    assert enrollments_expire(batch_size=2) == 5
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_EXPIRED).count() == 5


def test_a_reset_of_an_expired_entry_reserves_again(make_pending, admin_user):
    made = make_pending("alice", usage_count=2)
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    enrollments_expire()
    otp_reset(enrollment=PendingEnrollment.objects.get(), actor=Actor.for_user(admin_user))
    enrollment = PendingEnrollment.objects.get()
    assert (enrollment.state, enrollment.reserved_licences, enrollment.expired_at) == (State.ACTIVE, 2, None)
    assert licence_counts().reserved == 2


def test_a_reset_of_an_expired_entry_fails_clearly_without_licences(make_pending, admin_user, licences):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    enrollments_expire()
    make_pending("bob")
    licences(1)  # bob holds the only licence now
    with pytest.raises(NoLicenceLeft, match="Not enough device licences"):
        otp_reset(enrollment=PendingEnrollment.objects.get(username="alice"), actor=Actor.for_user(admin_user))
    alice = PendingEnrollment.objects.get(username="alice")
    assert (alice.state, alice.reserved_licences) == (State.EXPIRED, 0)
    assert unchanged_otp(alice, made.enrollment.otp_ciphertext)


def unchanged_otp(enrollment: PendingEnrollment, ciphertext: str) -> bool:
    return enrollment.otp_ciphertext == ciphertext


def test_the_console_reset_of_an_expired_entry_without_licences_says_why(make_pending, admin_user, licences):
    from tests.conftest import client_for

    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    enrollments_expire()
    make_pending("bob")
    licences(1)
    response = client_for(admin_user).post(f"/devices/pending/{made.enrollment.token}/reset/", follow=True)
    assert b"Not enough device licences" in response.content
    assert PendingEnrollment.objects.get(username="alice").state == State.EXPIRED


def test_it_purges_entries_expired_longer_than_the_retention(make_pending, settings):
    settings.EXPIRED_RETENTION_DAYS = 30
    old = make_pending("alice")
    recent = make_pending("bob")
    now = timezone.now()
    PendingEnrollment.objects.filter(pk=old.enrollment.pk).update(
        state=State.EXPIRED, reserved_licences=0, expired_at=now - timedelta(days=31))
    PendingEnrollment.objects.filter(pk=recent.enrollment.pk).update(
        state=State.EXPIRED, reserved_licences=0, expired_at=now - timedelta(days=29))

    assert enrollments_purge_expired() == 1

    assert list(PendingEnrollment.objects.values_list("username", flat=True)) == ["bob"]
    assert AuditEntry.objects.get(action=AuditAction.ENROLLMENT_PURGED).target_username == "alice"
    assert enrollments_purge_expired() == 0


def test_the_beat_tasks_call_the_services(make_pending, settings):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(otp_expires_at=past())
    assert expire_enrollments.delay().get() == 1
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(expired_at=past(24 * 40))
    assert purge_expired_enrollments.delay().get() == 1
    assert {"enrollment.tasks.expire_enrollments", "enrollment.tasks.purge_expired_enrollments"} <= {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
