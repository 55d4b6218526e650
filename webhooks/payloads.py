"""The ``data`` of each webhook event: identifiers, usernames, states and device facts, never an OTP,
a password or a secret. The enrollment token is included: it is the identifier the integration API
takes (``GET /api/v1/enrollments/{token}``), and it enrolls nothing without the OTP.

One function per shape, so an event carries the same keys whichever service emits it (a Provision
User, the portal, a bulk job's batch, the API).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enrollment.models import Device, PendingEnrollment
    from provisioning.models import BulkJob


def enrollment_fields(
    *, token: str, username: str, user_type: str, ownership: str, source: str, state: str, usage_count: int,
    uses_remaining: int, otp_expires_at: datetime | None, created_at: datetime, bulk_job_id: int | None,
    actor: str,
) -> dict[str, Any]:
    """enrollment.created: a new pending enrollment (``actor``: who made it, a console user's username,
    ``api:<key name>`` or ``system:...``)."""
    return {"token": token, "username": username, "user_type": user_type, "ownership": ownership, "source": source,
            "state": state, "usage_count": usage_count, "uses_remaining": uses_remaining,
            "otp_expires_at": otp_expires_at, "created_at": created_at, "bulk_job_id": bulk_job_id, "actor": actor}


def enrollment_created(enrollment: PendingEnrollment, *, actor: str) -> dict[str, Any]:
    return enrollment_fields(
        token=enrollment.token, username=enrollment.username, user_type=enrollment.user_type,
        ownership=enrollment.ownership, source=enrollment.source, state=enrollment.state,
        usage_count=enrollment.usage_count, uses_remaining=enrollment.uses_remaining,
        otp_expires_at=enrollment.otp_expires_at, created_at=enrollment.created_at,
        bulk_job_id=enrollment.bulk_job_id, actor=actor)


def enrollment_otp_reset(enrollment: PendingEnrollment, *, previous_state: str, actor: str) -> dict[str, Any]:
    """enrollment.otp_reset: a new OTP (not in the payload) and expiry; a locked or expired entry is
    active again."""
    return {"token": enrollment.token, "username": enrollment.username, "state": enrollment.state,
            "previous_state": previous_state, "otp_expires_at": enrollment.otp_expires_at,
            "uses_remaining": enrollment.uses_remaining, "actor": actor}


def enrollment_deleted(*, token: str, username: str, source: str, actor: str) -> dict[str, Any]:
    return {"token": token, "username": username, "source": source, "actor": actor}


def enrollment_expired(*, token: str, username: str, expired_at: datetime) -> dict[str, Any]:
    return {"token": token, "username": username, "state": "expired", "expired_at": expired_at}


def enrollment_locked(enrollment: PendingEnrollment) -> dict[str, Any]:
    """enrollment.locked: the wrong OTP that reached the policy's maximum."""
    return {"token": enrollment.token, "username": enrollment.username, "state": enrollment.state,
            "failed_attempts": enrollment.failed_attempts, "locked_at": enrollment.locked_at}


def device_enrolled(device: Device, *, remaining_uses: int) -> dict[str, Any]:
    """device.enrolled: the device as it reported itself, and what is left of its enrollment."""
    return {"device_id": str(device.public_id), "username": device.username, "user_type": device.user_type,
            "ownership": device.ownership, "platform": device.platform, "serial_number": device.serial_number,
            "imei": device.imei, "manufacturer": device.manufacturer, "model": device.model,
            "os_version": device.os_version, "enrolled_at": device.enrolled_at, "source": device.source,
            "enrollment_token": device.enrollment_token, "remaining_uses": remaining_uses}


def bulk_job_finished(job: BulkJob, *, actor: str) -> dict[str, Any]:
    """bulk_job.finished: completed or failed, with its counts (each created row also sent its own
    enrollment.created)."""
    return {"bulk_job_id": job.pk, "file_name": job.file_name, "status": job.status,
            "total_rows": job.total_rows, "created_rows": job.created_rows, "refused_rows": job.error_rows,
            "not_created_rows": max(job.valid_rows - job.created_rows, 0), "failure_reason": job.failure_reason,
            "finished_at": job.finished_at, "actor": actor}


def webhook_test(*, endpoint_name: str, actor: str) -> dict[str, Any]:
    return {"message": "A test event from Onramp: this endpoint receives and verifies webhooks.",
            "endpoint": endpoint_name, "actor": actor}
