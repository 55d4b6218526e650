"""The options a person picks with the upload, stored as JSON in BulkJob.options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enrollment.models import Ownership
from enrollment.otp import OtpRule
from lib.languages import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class BulkOptions:
    ownership: str = Ownership.UNKNOWN
    email_user: bool = False
    sms_user: bool = False
    otp: OtpRule | None = None  # Define OTP: replaces the OTP policy for this job
    language: str = DEFAULT_LANGUAGE  # for rows that leave the language column empty

    def otp_rule(self) -> OtpRule:
        return self.otp or OtpRule.from_policy()

    def as_json(self) -> dict[str, Any]:
        return {"ownership": self.ownership, "email_user": self.email_user, "sms_user": self.sms_user,
                "otp": self.otp.as_json() if self.otp else None, "language": self.language}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BulkOptions:
        # Jobs uploaded before the rule was stored as such hold the same four keys under "otp".
        otp = data.get("otp")
        return cls(
            ownership=str(data.get("ownership", Ownership.UNKNOWN)),
            email_user=bool(data.get("email_user", False)),
            sms_user=bool(data.get("sms_user", False)),
            otp=OtpRule.from_json(otp) if otp else None,
            language=str(data.get("language", DEFAULT_LANGUAGE)),
        )
