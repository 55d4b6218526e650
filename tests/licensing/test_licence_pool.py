import pytest
from django.db import transaction

from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from licensing.models import LedgerEntry, LedgerKind, LicencePool
from licensing.services import (
    LicenceError,
    NoLicenceLeft,
    licence_consume,
    licence_counts,
    licence_release,
    licence_reserve,
    licence_total_set,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_setting_the_total_writes_the_ledger_and_the_audit(admin_user):
    licence_total_set(total=50, actor=Actor.for_user(admin_user))
    licence_total_set(total=70, actor=Actor.for_user(admin_user))
    assert LicencePool.objects.get().total == 70
    latest = LedgerEntry.objects.filter(kind=LedgerKind.SET_TOTAL).first()
    assert latest is not None
    assert (latest.quantity, latest.note, latest.actor) == (70, "was 50", admin_user)
    entry = AuditEntry.objects.filter(action=AuditAction.LICENCE_TOTAL_SET).first()
    assert entry is not None
    assert entry.details == {"total": 70, "previous": 50}


@pytest.mark.smoke
def test_the_total_cannot_go_below_what_is_in_use(make_pending, licences, admin_user):
    make_pending("alice", usage_count=3)
    made = make_pending("bob")
    licence_consume(actor=Actor.system("tests"), enrollment_token=made.enrollment.token, username="bob")
    with pytest.raises(LicenceError, match="cannot be lower than the 5 licences already reserved or consumed"):
        licence_total_set(total=4, actor=Actor.for_user(admin_user))
    assert LicencePool.objects.get().total == 100
    licence_total_set(total=5, actor=Actor.for_user(admin_user))
    assert licence_counts().remaining == 0


def test_a_negative_total_is_refused(admin_user):
    with pytest.raises(LicenceError, match="cannot be negative"):
        licence_total_set(total=-1, actor=Actor.for_user(admin_user))


def test_counts_are_total_reserved_consumed_and_remaining(make_pending, licences):
    licences(10)
    made = make_pending("alice", usage_count=4)
    licence_consume(actor=Actor.system("tests"), enrollment_token=made.enrollment.token, username="alice")
    counts = licence_counts()
    # licence_consume alone does not shrink the enrollment's reservation: the caller does.
    assert (counts.total, counts.reserved, counts.consumed, counts.remaining) == (10, 4, 1, 5)


@pytest.mark.smoke
def test_reserving_more_than_remains_is_refused_with_a_clear_message_and_writes_nothing(licences):
    licences(2)
    ledger, audit = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(NoLicenceLeft) as refused, transaction.atomic():
        licence_reserve(quantity=3, actor=Actor.system("tests"), username="alice")
    assert str(refused.value) == (
        "Not enough device licences: 3 needed, 2 remaining. "
        "Ask an Administrator to raise the licence total or delete unused pending enrollments."
    )
    assert (refused.value.needed, refused.value.remaining) == (3, 2)
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == (ledger, audit)


@pytest.mark.django_db(transaction=True)
def test_reserving_outside_a_transaction_is_a_programming_error(licences):
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        licence_reserve(quantity=1, actor=Actor.system("tests"))


def test_releasing_nothing_writes_no_ledger_entry(licences):
    before = LedgerEntry.objects.count()
    licence_release(quantity=0, actor=Actor.system("tests"))
    assert LedgerEntry.objects.count() == before


@pytest.mark.smoke
def test_the_licences_page_shows_the_counts_and_lets_the_admin_set_the_total(make_pending, admin_user):
    make_pending("alice", usage_count=2)
    client = client_for(admin_user)
    page = client.get("/licenses/")
    assert [page.context["counts"].total, page.context["counts"].reserved, page.context["counts"].remaining] == [
        100, 2, 98]
    assert 'data-testid="reserved">2<' in page.content.decode()
    response = client.post("/licenses/total/", {"total": "40"}, follow=True)
    assert "The licence total is now 40." in response.content.decode()
    assert LicencePool.objects.get().total == 40


def test_the_licences_page_explains_a_total_below_use(make_pending, admin_user):
    make_pending("alice", usage_count=2)
    response = client_for(admin_user).post("/licenses/total/", {"total": "1"})
    assert response.status_code == 200
    assert "The total cannot be lower than the 2 licences already reserved or consumed." in response.content.decode()
    assert LicencePool.objects.get().total == 100


def test_setting_the_total_needs_the_change_permission(make_pending, admin_user):
    from django.contrib.auth.models import Permission

    from accounts.models import User

    reader = User.objects.create_user("reader", password="a long enough passphrase")
    reader.user_permissions.add(Permission.objects.get(codename="view_licencepool"))
    client = client_for(reader)
    assert client.get("/licenses/").status_code == 200
    assert client.post("/licenses/total/", {"total": "40"}).status_code == 403
    assert LicencePool.objects.get().total == 100


def test_the_licences_page_posts_the_total_to_its_own_view(admin_user):
    page = client_for(admin_user).get("/licenses/").content.decode()
    assert 'action="/licenses/total/"' in page
    assert client_for(admin_user).post("/licenses/", {"total": "40"}).status_code == 405


def test_the_ledger_filters_by_kind(make_pending, admin_user):
    made = make_pending("alice")
    from enrollment.services import pending_enrollment_delete

    pending_enrollment_delete(enrollment=made.enrollment, actor=Actor.for_user(admin_user))
    ledger = client_for(admin_user).get("/licenses/", {"kind": "release"}).context["ledger"]
    assert [(e.kind, e.username) for e in ledger] == [("release", "alice")]
