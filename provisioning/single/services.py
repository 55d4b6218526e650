"""Provision User: a console user creates a pending enrollment on behalf of an end user, vouched
for by an authorizer's credentials.

The authorizer's password is checked and forgotten: it is never stored, logged, put in audit
details or passed on. Everything the use case writes (end user, enrollment, licence reservation,
audit entries, outbox messages) commits together or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from accounts import throttle
from accounts.end_users import EndUserError, end_user_for_provisioning, mobile_e164
from accounts.ldap import LdapAuthorizationError, LdapError, ldap_authorizer_check, ldap_enabled
from accounts.models import EndUser, User, UserType
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import Ownership, Source
from enrollment.otp import OtpRule
from enrollment.services import CreatedEnrollment, EnrollmentError, pending_enrollment_create
from lib.languages import DEFAULT_LANGUAGE
from licensing.services import LicenceError
from notifications.outbox import notify_enrollment_created
from twofactor.selectors import second_factor_active
from twofactor.services import WrongCode, code_refused_record, second_factor_verify

logger = logging.getLogger(__name__)

PROVISION_PERMISSION = "provisioning.provision_user"


class ProvisioningError(Exception):
    """A refusal a person can act on; the message is shown on the form as it is, next to
    ``field`` when the refusal is about one field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ProvisioningNoLicence(ProvisioningError):
    """Too few licences remain for the enrollment's usage count."""


@dataclass(frozen=True)
class Authorizer:
    username: str
    kind: str  # "console" or "ldap"; "api_key" for the integration API


@sensitive_variables()
def authorizer_check(*, user_type: str, username: str, password: str, ip: str | None = None, code: str = "",
                     actor: Actor | None = None) -> Authorizer:
    """Who vouches for a provisioning. Local users: an active console user allowed to provision,
    whose password checks. LDAP users: a directory user who binds and is in one of
    LDAP_AUTHORIZER_GROUP_DNS. Either, when they use two-step verification (as a console user), with
    their current ``code`` too (or a recovery code: checked and used up as at sign-in, a wrong one
    audited for ``actor``). Every try counts towards the console sign-in throttle of that username
    before the password is checked (a right one is given back, a wrong password or code keeps its
    count), so the form cannot be used to guess passwords or codes. Raises ProvisioningError."""
    username = throttle.username_normalize(username)
    if not username or not password:
        raise ProvisioningError("Enter the authorizing username and password.")
    if not throttle.attempt(username, ip):
        raise ProvisioningError("Too many failed authorizations. Wait 15 minutes and try again.")
    try:
        authorizer = _authorizer_verify(user_type=user_type, username=username, password=password, code=code,
                                        actor=actor or Actor.system("provisioning"))
    except _WrongCredentials:
        raise
    except ProvisioningError:
        throttle.release(username, ip)  # refused for another reason than a wrong password
        raise
    throttle.release(username, ip)
    return authorizer


class _WrongCredentials(ProvisioningError):
    """A refusal that keeps its count in the throttle: the password (or LDAP group) was wrong."""


@sensitive_variables()
def _authorizer_verify(*, user_type: str, username: str, password: str, code: str, actor: Actor) -> Authorizer:
    if user_type == UserType.LDAP:
        if not ldap_enabled():
            raise ProvisioningError("LDAP is not configured; provision a local user instead.")
        try:
            ldap_user = ldap_authorizer_check(username, password)
        except LdapAuthorizationError as exc:
            raise _WrongCredentials(str(exc)) from exc
        except LdapError as exc:
            raise ProvisioningError(f"The directory could not check the authorizer: {exc}") from exc
        # A directory user who signs in to the console keeps their second factor on that console user.
        console_user = User.objects.filter(username=ldap_user.username).first()
        if console_user is not None and second_factor_active(console_user):
            _authorizer_code_verify(console_user, code, actor)
        return Authorizer(username=ldap_user.username, kind="ldap")
    user = User.objects.filter(username=username).first()
    if user is None:
        # Same cost as a real check, so response times do not tell which usernames exist.
        User().set_password(password)
        password_ok = False
    else:
        password_ok = user.check_password(password)
    if user is None or not password_ok or not user.is_active:
        raise _WrongCredentials("The authorizing username or password is not correct.")
    if not user.has_perm(PROVISION_PERMISSION):
        raise ProvisioningError(f"The authorizing user {user.username} is not allowed to provision users.")
    if second_factor_active(user):
        _authorizer_code_verify(user, code, actor)
    return Authorizer(username=user.username, kind="console")


@sensitive_variables()
def _authorizer_code_verify(user: User, code: str, actor: Actor) -> None:
    """The authorizer's second factor, as the sign-in checks it: none given asks for it (the password was
    right: its count is given back), a wrong or used one keeps its count and is audited."""
    if not code.strip():
        raise ProvisioningError(f"{user.username} uses two-step verification: enter their current code as the "
                                "Authorizing Code.", field="authorizer_code")
    try:
        second_factor_verify(user=user, code=code, actor=actor)
    except WrongCode as exc:
        code_refused_record(actor=actor, username=user.username, step="provision user authorizer")
        raise _WrongCredentials(str(exc), field="authorizer_code") from exc


@sensitive_variables()
def user_provision(
    *,
    actor: Actor,
    ownership: str,
    username: str,
    user_type: str,
    mobile: str,
    email: str,
    authorizer_username: str,
    authorizer_password: str,
    language: str = DEFAULT_LANGUAGE,
    authorizer_code: str = "",
) -> CreatedEnrollment:
    """Create a single pending enrollment for ``username`` and queue its notifications, vouched for
    by the authorizer's credentials (``authorizer_check``), then as ``user_provision_authorized``.
    Raises ProvisioningError (bad number, bad credentials, unknown user, no licence left) and then
    nothing is written.
    """
    mobile = _provision_checked(ownership=ownership, user_type=user_type, mobile=mobile)
    authorizer = authorizer_check(user_type=user_type, username=authorizer_username,
                                  password=authorizer_password, ip=actor.ip, code=authorizer_code, actor=actor)
    return user_provision_authorized(actor=actor, authorizer=authorizer, ownership=ownership, username=username,
                                     user_type=user_type, mobile=mobile, email=email, language=language)


def _provision_checked(*, ownership: str, user_type: str, mobile: str) -> str:
    """``mobile`` in E.164, once ownership and user type are known values; else ProvisioningError."""
    if ownership not in Ownership.values:
        raise ProvisioningError("Choose the ownership.")
    if user_type not in UserType.values:
        raise ProvisioningError("Choose the user type.")
    try:
        return mobile_e164(mobile)
    except EndUserError as exc:
        raise ProvisioningError(str(exc), field="mobile") from exc


@sensitive_variables()
def user_provision_authorized(
    *,
    actor: Actor,
    authorizer: Authorizer,
    ownership: str,
    username: str,
    user_type: str,
    mobile: str,
    email: str,
    usage_count: int = 1,
    otp_rule: OtpRule | None = None,
    email_user: bool = True,
    sms_user: bool = True,
    language: str = DEFAULT_LANGUAGE,
) -> CreatedEnrollment:
    """Provision User once someone vouched for it: the form's authorizer (``user_provision``) or the
    integration API's key (its name as the authorizer). Creates the pending enrollment holding
    ``usage_count`` reservations and queues the admins' alert, the user's email and the SMS
    (``email_user`` / ``sms_user`` may leave out the last two), the user's in ``language``.

    ``mobile`` is read with PHONE_DEFAULT_REGION and stored E.164. For LDAP users, email and
    mobile come from the directory unless given. A missing local user is created when ``email``
    is given. Raises ProvisioningError (ProvisioningNoLicence when too few licences remain) and
    then nothing is written.
    """
    mobile = _provision_checked(ownership=ownership, user_type=user_type, mobile=mobile)
    try:
        with transaction.atomic():
            existed = EndUser.objects.filter(user_type=user_type, username=username.strip()).exists()
            end_user = end_user_for_provisioning(username=username, user_type=user_type, email=email)
            email = email.strip() or end_user.email
            mobile = mobile or end_user.mobile
            details = {"authorizer": authorizer.username, "authorizer_type": authorizer.kind}
            created = pending_enrollment_create(
                actor=actor,
                username=end_user.username,
                source=Source.SINGLE,
                user_type=user_type,
                ownership=ownership,
                mobile=mobile,
                email=email,
                end_user=end_user,
                usage_count=usage_count,
                otp_rule=otp_rule,
                audit_details=details,
                language=language,
            )
            audit_record(
                actor=actor,
                action=AuditAction.USER_PROVISIONED,
                enrollment_token=created.enrollment.token,
                target_username=end_user.username,
                details={
                    **details,
                    "user_type": user_type,
                    "ownership": ownership,
                    "end_user_created": not existed,
                    "email": bool(email),
                    "mobile": bool(mobile),
                },
            )
            notify_enrollment_created(
                enrollment=created.enrollment, otp=created.otp, actor=actor, authorizer=authorizer.username,
                email_user=email_user, sms_user=sms_user,
            )
    except (EndUserError, EnrollmentError) as exc:
        raise ProvisioningError(str(exc), field="username") from exc
    except LicenceError as exc:
        raise ProvisioningNoLicence(str(exc)) from exc
    except LdapError as exc:
        raise ProvisioningError(f"The directory could not be asked about {username}: {exc}") from exc
    logger.info("User %s provisioned by %s, authorized by %s", end_user.username, actor.name, authorizer.username)
    return created
