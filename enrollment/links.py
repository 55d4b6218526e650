from typing import Literal

from enrollment.models import GeneralSettings
from lib import qr

QrKind = Literal["link", "provisioning"]
QR_KINDS: tuple[QrKind, ...] = ("link", "provisioning")


def activation_base_url() -> str:
    return GeneralSettings.load().effective_activation_url()


def activation_link(token: str, base_url: str | None = None) -> str:
    """The link a device opens to finish enrolling: Activation URL + /enroll/<token>/.
    Pass ``base_url`` when building many links, to read the setting once."""
    return f"{base_url or activation_base_url()}/enroll/{token}/"


def activation_link_qr(token: str, fmt: qr.Format) -> bytes:
    """The QR code of the activation link (View OTP, the portal), cached under its enrollment."""
    return qr.render(activation_link(token), fmt, owner=qr_owner(token, "link"))


def qr_owner(token: str, kind: QrKind) -> str:
    """The cache owner (``lib.qr``) of a QR image that carries ``token``: its activation link,
    or an Automatic Provisioning code (which also holds the OTP). Deleting the pending enrollment or
    resetting its OTP forgets both kinds."""
    return f"enrollment:{token}:{kind}"
