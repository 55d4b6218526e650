import pytest

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import PendingEnrollment
from enrollment.services import pending_enrollment_delete, pending_enrollments_delete
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_deleting_releases_the_reservations_and_audits(make_pending, helpdesk_user):
    made = make_pending("alice", usage_count=3)
    pending_enrollment_delete(enrollment=made.enrollment, actor=Actor.for_user(helpdesk_user))
    assert not PendingEnrollment.objects.exists()
    assert licence_counts().reserved == 0
    release = LedgerEntry.objects.get(kind=LedgerKind.RELEASE)
    assert (release.quantity, release.enrollment_token, release.actor) == (3, made.enrollment.token, helpdesk_user)
    entry = AuditEntry.objects.get(action=AuditAction.ENROLLMENT_DELETED)
    assert (entry.enrollment_token, entry.target_username, entry.actor) == (
        made.enrollment.token, "alice", helpdesk_user)


def test_deleting_an_already_deleted_enrollment_does_nothing(make_pending, helpdesk_user):
    made = make_pending("alice")
    actor = Actor.for_user(helpdesk_user)
    pending_enrollment_delete(enrollment=made.enrollment, actor=actor)
    pending_enrollment_delete(enrollment=made.enrollment, actor=actor)
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASE).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_DELETED).count() == 1


@pytest.mark.smoke
def test_deleting_many_releases_each_reservation_and_audits_each(make_pending, helpdesk_user):
    made = [make_pending(name, usage_count=n) for name, n in (("alice", 1), ("bob", 2), ("carol", 1))]
    keep = made[2].enrollment
    deleted = pending_enrollments_delete(ids=[made[0].enrollment.pk, made[1].enrollment.pk, 999_999_999],
                                         actor=Actor.for_user(helpdesk_user))
    assert deleted == 2
    assert list(PendingEnrollment.objects.values_list("pk", flat=True)) == [keep.pk]
    assert licence_counts().reserved == 1
    assert sorted(LedgerEntry.objects.filter(kind=LedgerKind.RELEASE).values_list("username", "quantity")) == [
        ("alice", 1), ("bob", 2)]
    assert sorted(AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_DELETED)
                  .values_list("target_username", flat=True)) == ["alice", "bob"]


def test_deleting_none_of_the_ids_returns_zero(make_pending, helpdesk_user):
    assert pending_enrollments_delete(ids=[123456789], actor=Actor.for_user(helpdesk_user)) == 0
    assert not LedgerEntry.objects.filter(kind=LedgerKind.RELEASE).exists()


def test_the_delete_page_asks_first_then_deletes_on_post(make_pending, helpdesk_user):
    made = make_pending("alice", usage_count=2)
    client = client_for(helpdesk_user)
    url = f"/devices/pending/{made.enrollment.token}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete the pending enrollment of alice?" in page.content.decode()
    assert "2 reserved licence(s) are released" in page.content.decode()
    assert PendingEnrollment.objects.exists()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [("/devices/pending/", 302)]
    assert "The pending enrollment of alice was deleted." in response.content.decode()
    assert not PendingEnrollment.objects.exists()
    assert AuditEntry.objects.get(action=AuditAction.ENROLLMENT_DELETED).ip == "127.0.0.1"


def test_deleting_an_unknown_token_is_404(helpdesk_user):
    assert client_for(helpdesk_user).post(f"/devices/pending/{'x' * 32}/delete/").status_code == 404


def test_delete_selected_shows_a_confirmation_step_then_deletes(make_pending, helpdesk_user):
    alice, bob, carol = (make_pending(n).enrollment for n in ("alice", "bob", "carol"))
    client = client_for(helpdesk_user)
    confirm = client.post("/devices/pending/delete/", {"ids": [alice.pk, bob.pk]})
    assert confirm.status_code == 200
    assert [e.username for e in confirm.context["selected"]] == ["alice", "bob"]
    assert "Delete 2 pending enrollments?" in confirm.content.decode()
    assert PendingEnrollment.objects.count() == 3
    done = client.post("/devices/pending/delete/", {"ids": [alice.pk, bob.pk], "confirm": "yes"}, follow=True)
    assert "2 pending enrollment(s) deleted." in done.content.decode()
    assert list(PendingEnrollment.objects.values_list("username", flat=True)) == ["carol"]


def test_delete_selected_with_nothing_ticked_says_so(make_pending, helpdesk_user):
    make_pending("alice")
    response = client_for(helpdesk_user).post("/devices/pending/delete/", {}, follow=True)
    assert "Select at least one pending enrollment to delete." in response.content.decode()
    assert PendingEnrollment.objects.count() == 1


def test_delete_selected_refuses_a_get(helpdesk_user):
    assert client_for(helpdesk_user).get("/devices/pending/delete/").status_code == 405
