"""End users: the people who enroll devices. Local ones live only here (with a password hash);
LDAP ones authenticate against the directory and are mirrored here for their email and mobile.

End users are kept apart from console users (``accounts.User``): nothing here grants console
access.
"""

from __future__ import annotations

import logging

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.views.decorators.debug import sensitive_variables

from accounts.ldap import LdapError, LdapUser, ldap_authenticate, ldap_enabled, ldap_lookup_user
from accounts.models import EndUser, UserType
from accounts.throttle import username_normalize

logger = logging.getLogger(__name__)


class EndUserError(Exception):
    """A refusal a person can act on (unknown user, bad email or mobile); shown as it is."""


def mobile_e164(raw: str) -> str:
    """``raw`` as E.164 ("+491712345678"), read in PHONE_DEFAULT_REGION when it has no country
    code; "" for blank input. Raises EndUserError for anything that is not a valid phone number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise EndUserError(f"“{raw}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise EndUserError(f"“{raw}” is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email_checked(raw: str) -> str:
    email = (raw or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise EndUserError(f"“{email}” is not a valid email address.") from exc
    return email


def end_user_mirror_ldap(ldap_user: LdapUser) -> EndUser:
    """Create or refresh the EndUser of type LDAP for a directory entry. The directory wins for
    email, names and mobile; a mobile the directory holds in a form we cannot read is dropped
    (logged), not refused, so one odd entry does not block the person."""
    try:
        mobile = mobile_e164(ldap_user.mobile)
    except EndUserError:
        logger.warning("LDAP user %s has an unreadable mobile number; ignored", ldap_user.username)
        mobile = ""
    end_user, _ = EndUser.objects.update_or_create(
        user_type=UserType.LDAP,
        username=ldap_user.username,
        defaults={
            "email": ldap_user.email,
            "mobile": mobile,
            "first_name": ldap_user.first_name,
            "last_name": ldap_user.last_name,
        },
    )
    return end_user


@sensitive_variables()
def end_user_authenticate(username: str, password: str) -> EndUser | None:
    """The end user whose password checks: a local EndUser with a password first, else (when LDAP
    is configured) the directory, mirrored as an EndUser of type LDAP. None when neither accepts.
    An unreachable directory counts as "not accepted" (logged), so the portal answers.

    Every refusal costs one run of the password hasher, like an accepted password: an unknown
    username must not answer faster than a known one (that would tell which usernames exist)."""
    username = username_normalize(username)
    if not username or not password:
        return None
    local = EndUser.objects.filter(user_type=UserType.LOCAL, username=username, is_active=True).first()
    if local is not None and local.password:
        return local if local.check_password(password) else None
    if not ldap_enabled():
        make_password(password)  # what checking a real hash would cost
        return None
    try:
        ldap_user = ldap_authenticate(username, password)
    except LdapError:
        logger.exception("LDAP authentication of end user %s failed", username)
        return None
    if ldap_user is None:
        return None
    end_user = end_user_mirror_ldap(ldap_user)
    return end_user if end_user.is_active else None


def end_user_for_provisioning(*, username: str, user_type: str, email: str = "") -> EndUser:
    """The end user an enrollment is provisioned for.

    Local: the existing local EndUser; a missing one is created when ``email`` is given, else
    refused ("Unknown local user"). LDAP: the directory entry, mirrored (refused when the
    directory does not know the user). Raises EndUserError; LdapError when the directory cannot
    be asked. Call inside the provisioning transaction so a later refusal rolls the new row back.
    """
    username = (username or "").strip()
    if not username:
        raise EndUserError("A username is required.")
    email = _email_checked(email)
    if user_type == UserType.LDAP:
        if not ldap_enabled():
            raise EndUserError("LDAP is not configured; provision a local user instead.")
        ldap_user = ldap_lookup_user(username)
        if ldap_user is None:
            raise EndUserError(f"Unknown LDAP user “{username}”.")
        return end_user_mirror_ldap(ldap_user)
    if user_type != UserType.LOCAL:
        raise EndUserError(f"Unknown user type “{user_type}”.")
    existing = EndUser.objects.filter(user_type=UserType.LOCAL, username=username).first()
    if existing is not None:
        return existing
    if not email:
        raise EndUserError(f"Unknown local user “{username}”: give an email address to create the user.")
    # get_or_create: two provisionings of the same new user at once end with one row.
    end_user, _ = EndUser.objects.get_or_create(user_type=UserType.LOCAL, username=username, defaults={"email": email})
    return end_user
