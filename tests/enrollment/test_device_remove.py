"""Devices > Remove: a retired device stops counting toward the device limit, its consumed licence
goes back to the pool and its corporate identifier may enroll again; audited; not for the Helpdesk."""

import pytest

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device, Ownership
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import licence_counts
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus
from tests.conftest import client_for
from tests.restrictions.conftest import redeem_api

pytestmark = [pytest.mark.django_db]


def test_removing_a_device_frees_the_limit_the_licence_and_the_identifier(make_pending, restrict, admin_user):
    restrict(device_limit=1, corporate_list_required=True)
    old = CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="OLD-PHONE")
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="NEW-PHONE")
    first = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(first.enrollment.token, first.otp, serial_number="old-phone").status_code == 201
    device = Device.objects.get()
    second = make_pending("alice", ownership=Ownership.CORPORATE)
    assert redeem_api(second.enrollment.token, second.otp, serial_number="NEW-PHONE").json()["rule"] == "device_limit"
    assert licence_counts().consumed == 1

    client = client_for(admin_user)
    page = client.get("/devices/").content.decode()
    assert f"/devices/{device.public_id}/remove/" in page
    confirm = client.get(f"/devices/{device.public_id}/remove/")
    assert confirm.status_code == 200 and "OLD-PHONE" in confirm.content.decode().upper()
    assert Device.objects.exists()  # a GET only asks
    response = client.post(f"/devices/{device.public_id}/remove/")
    assert response.status_code == 302 and response["Location"] == "/devices/"

    assert not Device.objects.exists()
    assert licence_counts().consumed == 0
    returned = LedgerEntry.objects.filter(kind=LedgerKind.CONSUME).latest("id")
    assert (returned.quantity, returned.username) == (-1, "alice") and str(device.public_id) in returned.note
    identifier = CorporateIdentifier.objects.get(pk=old.pk)
    assert (identifier.status, identifier.device, identifier.enrolled_at) == (IdentifierStatus.NOT_CONTACTED, None,
                                                                              None)
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_REMOVED)
    assert entry.actor_name == admin_user.username and entry.target_username == "alice"
    assert entry.details["device_id"] == str(device.public_id)
    assert entry.details["corporate_identifiers"] == ["Serial number OLD-PHONE"]
    # The new phone enrolls now: alice is under the limit again.
    assert redeem_api(second.enrollment.token, second.otp, serial_number="NEW-PHONE").status_code == 201
    assert CorporateIdentifier.objects.get(value="NEW-PHONE").device == Device.objects.get()


def test_a_device_removed_meanwhile_is_not_found(make_pending, super_helpdesk_user):
    made = make_pending("bob")
    assert redeem_api(made.enrollment.token, made.otp, serial_number="S1").status_code == 201
    device = Device.objects.get()
    client = client_for(super_helpdesk_user)
    assert client.post(f"/devices/{device.public_id}/remove/").status_code == 302
    assert client.post(f"/devices/{device.public_id}/remove/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_REMOVED).count() == 1
    assert licence_counts().consumed == 0


def test_the_helpdesk_sees_no_remove_and_may_not_remove(make_pending, helpdesk_user):
    made = make_pending("carol")
    assert redeem_api(made.enrollment.token, made.otp, serial_number="S2").status_code == 201
    device = Device.objects.get()
    client = client_for(helpdesk_user)
    assert "/remove/" not in client.get("/devices/").content.decode()
    assert client.post(f"/devices/{device.public_id}/remove/").status_code == 403
    assert Device.objects.exists()
