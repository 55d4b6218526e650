"""Advanced QR-Code Provisioning: create and delete QR codes, save the companion app settings.

Licence rule: an Automatic Provisioning code owns one pending enrollment (source qr) holding
``usage_count`` reservations, made through ``pending_enrollment_create`` (which locks the pool),
so reserved + consumed <= total holds; deleting the code deletes the enrollment and releases what
is still reserved. Self Service Portal codes hold nothing and can be scanned without limit.
"""

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accounts.models import EndUser, UserType
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.links import activation_base_url
from enrollment.models import Ownership, PendingEnrollment, Source
from enrollment.otp import OtpRule, otp_matches
from enrollment.services import EnrollmentError, pending_enrollment_create, pending_enrollment_delete
from lib.crypto import seal, unseal
from lib.languages import language_for_locale
from notifications.models import TemplateKey
from notifications.outbox import Attachment, email_queue, notify_enrollment_created
from provisioning.models import DpcSettings, EnrollmentOption, ErrorCorrection, NetworkType, QrProvisioning
from provisioning.qr import images
from provisioning.qr.payload import (
    ADMIN_EXTRAS_BUNDLE,
    EXTRA_OTP,
    EXTRA_PORTAL_URL,
    CompanionApp,
    WifiNetwork,
    admin_extras,
    build_payload,
    serialise,
)

# Provision User's words (provisioning/single/forms.py), not the directory module's.
LDAP_NOT_CONFIGURED = "LDAP users can be provisioned once an LDAP server is configured."


class QrProvisioningError(Exception):
    """A refusal a person can act on; nothing was written."""


@dataclass(frozen=True)
class QrSpec:
    """What the admin asked for, already validated by the form."""

    option: str
    locale: str
    wifi: WifiNetwork | None  # None: mobile data
    time_zone: str = ""  # IANA name; empty: the device keeps its own
    username: str = ""
    user_type: str = UserType.LOCAL
    usage_count: int = 1
    otp_rule: OtpRule | None = None  # None: the OTP policy
    send_to_user: bool = False
    alternative_email: str = ""
    error_correction: str = ErrorCorrection.M
    ldap_authorizer: tuple[str, str] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CreatedQr:
    qr: QrProvisioning
    payload_text: str = field(repr=False)  # holds the OTP and the Wi-Fi password
    enrollment: PendingEnrollment | None


def companion_app() -> CompanionApp:
    """The companion app settings, refused with a clear message when incomplete."""
    companion = CompanionApp.from_settings(DpcSettings.load())
    if companion.is_blank():
        raise QrProvisioningError("No companion app is configured yet: set it up in Admin > Companion app.")
    missing = companion.missing()
    if missing:
        raise QrProvisioningError(
            "The companion app settings are incomplete (" + ", ".join(missing) + "). "
            "Complete them in Admin > Companion app before creating a QR code."
        )
    return companion


@sensitive_variables()
def qr_provisioning_create(*, actor: Actor, spec: QrSpec) -> CreatedQr:
    """Make a QR code: the pending enrollment (Automatic Provisioning), the sealed payload row,
    the notification rows and the audit entry, in one transaction.

    The PNG is drawn and decoded back before commit; a mismatch raises QrProvisioningError and
    rolls everything back (licences included). Raises NoLicenceLeft when the usage count exceeds
    the remaining licences, again with nothing written.
    """
    companion = companion_app()
    end_user, email = _resolve_user(spec) if spec.option == EnrollmentOption.AUTOMATIC else (None, "")
    server_url = activation_base_url()
    with transaction.atomic():
        created = None
        if spec.option == EnrollmentOption.AUTOMATIC:
            try:
                created = pending_enrollment_create(
                    actor=actor, username=spec.username, source=Source.QR, user_type=spec.user_type,
                    ownership=Ownership.CORPORATE, email=email, end_user=end_user, usage_count=spec.usage_count,
                    otp_rule=spec.otp_rule, audit_details={"qr": True},
                    # The code's Localization (de_CH, it_IT) is the device's language: the user's too.
                    language=language_for_locale(spec.locale),
                )
            except EnrollmentError as exc:
                raise QrProvisioningError(str(exc)) from exc
            extras = admin_extras(server_url=server_url, enrollment_token=created.enrollment.token, otp=created.otp)
        else:
            extras = admin_extras(server_url=server_url, portal_url=f"{server_url}/portal/")
        payload = build_payload(companion=companion, locale=spec.locale, wifi=spec.wifi, extras=extras,
                                time_zone=spec.time_zone)
        text = serialise(payload)
        try:
            png = images.verified_png(text, enrollment_token=created.enrollment.token if created else "",
                                      error_correction=spec.error_correction)
        except images.QrImageError as exc:
            raise QrProvisioningError(str(exc)) from exc
        enrollment = created.enrollment if created else None
        qr = QrProvisioning.objects.create(
            option=spec.option,
            created_by=actor.user,
            created_by_name=actor.name[:150],
            enrollment_token=enrollment.token if enrollment else "",
            username=enrollment.username if enrollment else "",
            usage_count=spec.usage_count if enrollment else 0,
            ownership=Ownership.CORPORATE,
            locale=spec.locale,
            time_zone=spec.time_zone,
            network_type=NetworkType.MOBILE_DATA if spec.wifi is None else NetworkType.WIFI,
            wifi_ssid=spec.wifi.ssid if spec.wifi else "",
            wifi_security=spec.wifi.security if spec.wifi else "",
            wifi_password_sealed=seal(spec.wifi.password) if spec.wifi and spec.wifi.password else "",
            wifi_hidden=bool(spec.wifi and spec.wifi.hidden),
            payload_sealed=seal(text),
            payload_size=len(text.encode("utf-8")),
            error_correction=spec.error_correction,
            otp_expires_at=enrollment.otp_expires_at if enrollment else None,
        )
        audit_record(
            actor=actor, action=AuditAction.QR_CREATED,
            enrollment_token=qr.enrollment_token, target_username=qr.username,
            details=_audit_details(qr, spec),
        )
        attachment = qr_attachment(png)
        if created is not None:
            notify_enrollment_created(
                enrollment=created.enrollment, otp=created.otp, actor=actor, notify_admins=True,
                email_user=spec.send_to_user, sms_user=False, alternative_email=spec.alternative_email,
                attachments=[attachment], user_template=TemplateKey.QR_USER,
                alternative_template=TemplateKey.QR_ALTERNATIVE,
            )
        elif spec.alternative_email:
            _queue_portal_email(address=spec.alternative_email, attachment=attachment, actor=actor,
                                portal_url=extras[EXTRA_PORTAL_URL])
    return CreatedQr(qr=qr, payload_text=text, enrollment=enrollment)


@sensitive_variables()
def qr_codes_renew_otp(*, enrollment: PendingEnrollment, otp: str) -> list[bytes]:
    """An Automatic Provisioning code carries its enrollment's OTP, so a Reset OTP would leave it
    dead: rebuild each code of ``enrollment`` with the new ``otp`` (everything else as it was), check
    it decodes back, and return the PNGs (to attach to the re-sent email). Call inside the reset's
    transaction; a code that does not decode back rolls the reset back (QrProvisioningError)."""
    pngs = []
    for qr in QrProvisioning.objects.select_for_update().filter(enrollment_token=enrollment.token).order_by("pk"):
        payload = json.loads(unseal(qr.payload_sealed))
        payload[ADMIN_EXTRAS_BUNDLE][EXTRA_OTP] = otp
        text = serialise(payload)
        try:
            pngs.append(images.verified_png(text, enrollment_token=enrollment.token,
                                            error_correction=qr.error_correction))
        except images.QrImageError as exc:
            raise QrProvisioningError(str(exc)) from exc
        qr.payload_sealed = seal(text)
        qr.payload_size = len(text.encode("utf-8"))
        qr.otp_expires_at = enrollment.otp_expires_at
        qr.save(update_fields=["payload_sealed", "payload_size", "otp_expires_at"])
    return pngs


def qr_attachment(png: bytes) -> Attachment:
    return Attachment(filename="android-enrollment-qr.png", content=png, mimetype="image/png")


ENROLLMENT_GONE = ("The pending enrollment of this code is gone (used up or deleted): "
                   "it no longer enrolls devices.")
OTP_RESET_SINCE = ("The OTP of this pending enrollment was reset after the code was made: this QR code "
                   "no longer works. Delete it and create a new one.")


@sensitive_variables()
def qr_reveal(
    *, qr: QrProvisioning, enrollment: PendingEnrollment | None, payload: dict[str, Any], actor: Actor,
    revealed: bool,
) -> str:
    """Show a code's details. An Automatic Provisioning code carries the OTP, so showing it is
    viewing the OTP: audited (OTP_VIEWED) on every call, masked or ``revealed``. Returns why the code
    no longer enrolls devices (its pending enrollment is gone, or its OTP was reset since it was
    made), or "" while it works. Self Service Portal codes hold no OTP: nothing is audited."""
    if qr.option != EnrollmentOption.AUTOMATIC:
        return ""
    otp = payload.get(ADMIN_EXTRAS_BUNDLE, {}).get(EXTRA_OTP, "")
    audit_record(actor=actor, action=AuditAction.OTP_VIEWED, enrollment_token=qr.enrollment_token,
                 target_username=qr.username, details={"via": "qr", "qr_id": qr.pk, "revealed": revealed})
    if enrollment is None:
        return ENROLLMENT_GONE
    if not otp_matches(enrollment.otp_ciphertext, otp):
        return OTP_RESET_SINCE
    return ""


def qr_provisioning_delete(*, qr: QrProvisioning, actor: Actor) -> None:
    """Delete the code and, for Automatic Provisioning, its pending enrollment (releasing the
    licences it still reserves). Devices already enrolled keep their consumed licences. Its cached
    images are dropped once this commits."""
    with transaction.atomic():
        locked = QrProvisioning.objects.select_for_update().filter(pk=qr.pk).first()
        if locked is None:
            return
        released = 0
        if locked.enrollment_token:
            enrollment = PendingEnrollment.objects.filter(token=locked.enrollment_token).first()
            if enrollment is not None:
                released = enrollment.reserved_licences
                pending_enrollment_delete(enrollment=enrollment, actor=actor)
        locked.delete()
        transaction.on_commit(partial(images.forget, unseal(locked.payload_sealed),
                                      enrollment_token=locked.enrollment_token))
        audit_record(actor=actor, action=AuditAction.QR_DELETED, enrollment_token=locked.enrollment_token,
                     target_username=locked.username,
                     details={"qr_id": qr.pk, "option": locked.option, "released_licences": released})


@sensitive_variables()
def _resolve_user(spec: QrSpec) -> tuple[EndUser | None, str]:
    """The end user record and email address for the code's user. LDAP users need the admin's
    LDAP credentials (checked against the authorizer groups) and must exist in the directory."""
    if spec.user_type == UserType.LDAP:
        from accounts.ldap import (
            LdapAuthorizationError,
            LdapError,
            ldap_authorizer_check,
            ldap_enabled,
            ldap_lookup_user,
        )

        if not ldap_enabled():  # not configured, or python-ldap missing: not the admin's to fix here
            raise QrProvisioningError(LDAP_NOT_CONFIGURED)
        if spec.ldap_authorizer is None:
            raise QrProvisioningError("LDAP users need your LDAP username and password.")
        try:
            ldap_authorizer_check(*spec.ldap_authorizer)
            directory_user = ldap_lookup_user(spec.username)
        except (LdapAuthorizationError, LdapError) as exc:
            raise QrProvisioningError(str(exc)) from exc
        if directory_user is None:
            raise QrProvisioningError(f"There is no LDAP user named {spec.username}.")
        end_user = EndUser.objects.filter(user_type=UserType.LDAP, username=directory_user.username).first()
        return end_user, directory_user.email or (end_user.email if end_user else "")
    end_user = EndUser.objects.filter(user_type=UserType.LOCAL, username=spec.username).first()
    email = end_user.email if end_user else ""
    if spec.send_to_user and not email:
        raise QrProvisioningError(
            f"No email address is known for {spec.username}: untick Send QR-Code to User or add the user's email."
        )
    return end_user, email


def _audit_details(qr: QrProvisioning, spec: QrSpec) -> dict[str, Any]:
    return {
        "qr_id": qr.pk,
        "option": qr.option,
        "network": qr.network_type,
        "ssid": qr.wifi_ssid,
        "security": qr.wifi_security,
        "usage_count": qr.usage_count,
        "locale": qr.locale,
        "time_zone": qr.time_zone,
        "payload_size": qr.payload_size,
        "error_correction": qr.error_correction,
        "send_to_user": spec.send_to_user,
        "alternative_email": spec.alternative_email,
        "user_type": spec.user_type if qr.username else "",
    }


def _queue_portal_email(*, address: str, attachment: Attachment, actor: Actor, portal_url: str) -> None:
    """Self Service Portal codes have no enrollment, so no template context: a ready-made email
    through the outbox."""
    body = (
        "Hello,\n\n"
        "An Administrator has created an Android Enterprise enrollment QR code for you (attached).\n\n"
        "On a new or factory-reset Android device, tap the Welcome screen six times in the same place, "
        "scan the code, and sign in at the Self Service Portal when asked:\n\n"
        f"{portal_url}\n\n"
        "The code can be used for several devices. Keep it private: it may contain a Wi-Fi password.\n"
    )
    email_queue(to=address, subject="An Administrator has provisioned a device on your behalf", body=body,
                actor=actor, attachments=[attachment], template_key=TemplateKey.QR_ALTERNATIVE)
