"""Removing an enrolled device (Devices > Remove): the device is retired, so it no longer counts
toward a device limit (Admin > Enrollment restrictions), its consumed licence goes back to the pool
and the corporate identifiers it enrolled with may enroll a device again."""

from django.db import transaction

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import Device
from licensing.services import licence_consumed_return
from restrictions.rules import identifiers_device_removed


def device_remove(*, device: Device, actor: Actor) -> bool:
    """Remove ``device``; False when it was removed meanwhile (by someone else: nothing done)."""
    with transaction.atomic():
        locked = Device.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None:
            return False
        identifiers = identifiers_device_removed(locked)
        licence_consumed_return(actor=actor, enrollment_token=locked.enrollment_token, username=locked.username,
                                note=f"device {locked.public_id} removed")
        locked.delete()
        audit_record(actor=actor, action=AuditAction.DEVICE_REMOVED, enrollment_token=locked.enrollment_token,
                     target_username=locked.username,
                     details={"device_id": str(locked.public_id), "platform": locked.platform,
                              "serial_number": locked.serial_number, "imei": locked.imei, "model": locked.model,
                              "ownership": locked.ownership, "corporate_identifiers": identifiers})
    return True
