"""The options a person picks with the upload, stored as JSON in BulkJob.options."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from enrollment.models import Ownership
from enrollment.otp import OtpRule


@dataclass(frozen=True)
class OtpOverride:
    """Define OTP: replaces the OTP policy for this job. ``validity_hours`` None is unlimited."""

    content: str
    length: int
    validity_hours: int | None
    exclude_lookalikes: bool = True


@dataclass(frozen=True)
class BulkOptions:
    ownership: str = Ownership.UNKNOWN
    email_user: bool = False
    sms_user: bool = False
    otp: OtpOverride | None = None

    def otp_rule(self) -> OtpRule:
        if self.otp is None:
            return OtpRule.from_policy()
        return OtpRule(content=self.otp.content, length=self.otp.length, validity_hours=self.otp.validity_hours,
                       exclude_lookalikes=self.otp.exclude_lookalikes)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BulkOptions:
        otp = data.get("otp")
        return cls(
            ownership=str(data.get("ownership", Ownership.UNKNOWN)),
            email_user=bool(data.get("email_user", False)),
            sms_user=bool(data.get("sms_user", False)),
            otp=OtpOverride(**otp) if otp else None,
        )
