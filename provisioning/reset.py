"""Reset OTP with its optional re-send: a new OTP for a pending enrollment, the Automatic
Provisioning codes that carry the old one rebuilt with the new one, and the user told by email
and/or SMS through the outbox. One transaction: a code that cannot be rebuilt, or no licence left to
re-reserve, changes nothing.

It lives here, not in ``enrollment``, because it ties together what provisioning owns (QR codes)
and what notifications sends; ``enrollment`` depends on neither.
"""

from __future__ import annotations

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from enrollment.models import PendingEnrollment, Source
from enrollment.services import CreatedEnrollment, otp_reset
from notifications.models import TemplateKey
from notifications.outbox import notify_enrollment_created
from provisioning.qr.services import qr_attachment, qr_codes_renew_otp


@sensitive_variables()
def otp_reset_and_resend(*, enrollment: PendingEnrollment, actor: Actor, email: bool = False,
                         sms: bool = False) -> CreatedEnrollment:
    """Reset the OTP of ``enrollment`` (see ``enrollment.services.otp_reset``); rebuild its QR codes;
    queue the new OTP to the user's email (with the rebuilt codes attached) and/or mobile when asked
    and the user has one. Raises NoLicenceLeft (expired entry, no licence to re-reserve) or
    QrProvisioningError, and then nothing changed."""
    with transaction.atomic():
        created = otp_reset(enrollment=enrollment, actor=actor)
        pngs = qr_codes_renew_otp(enrollment=created.enrollment, otp=created.otp)
        if email or sms:
            qr_code = created.enrollment.source == Source.QR and bool(pngs)
            notify_enrollment_created(
                enrollment=created.enrollment, otp=created.otp, actor=actor, notify_admins=False,
                email_user=email, sms_user=sms, attachments=[qr_attachment(png) for png in pngs],
                user_template=TemplateKey.QR_USER if qr_code else TemplateKey.OTP_RESET,
            )
    return created
