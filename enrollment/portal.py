"""The self-service portal: end users sign in and start their own enrollment.

Portal sessions are not console sessions: the signed-in end user's id lives under its own
session key, never in ``request.user``, and console users cannot sign in here (only ``EndUser``
rows are looked up, through ``accounts.end_users.end_user_authenticate``).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext, ngettext
from django.views.decorators.debug import sensitive_variables

from accounts import throttle
from accounts.end_users import end_user_authenticate
from accounts.models import EndUser
from audit.actor import Actor, client_ip
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import Ownership, PendingEnrollment, Source, State
from enrollment.services import CreatedEnrollment, EnrollmentError, pending_enrollment_create
from lib.languages import DEFAULT_LANGUAGE
from restrictions.rules import Restriction, device_limit_refusal

SESSION_KEY = "portal_end_user_id"
SESSION_HASH_KEY = "portal_end_user_hash"


class PortalSignInRefused(Exception):
    """Wrong username or password (the message does not say which)."""


class PortalSignInThrottled(PortalSignInRefused):
    """Too many failures for this username or from this address."""


def portal_actor(request: HttpRequest, end_user: EndUser | None = None, *, username: str = "") -> Actor:
    """The end user (or the person trying to sign in) as an actor: never a console user, even
    when the same browser is signed in to the console."""
    name = end_user.username if end_user is not None else (username[:140] or "anonymous")
    return Actor.outside(request, f"portal:{name}")


def portal_end_user(request: HttpRequest) -> EndUser | None:
    """The signed-in end user, or None. A session started before the end user's password changed
    (or before they were deactivated) is over: its portal keys are dropped."""
    end_user_id = request.session.get(SESSION_KEY)
    if end_user_id is None:
        return None
    end_user = EndUser.objects.filter(pk=end_user_id, is_active=True).first()
    if end_user is None or not constant_time_compare(request.session.get(SESSION_HASH_KEY, ""),
                                                     end_user.get_session_auth_hash()):
        request.session.pop(SESSION_KEY, None)
        request.session.pop(SESSION_HASH_KEY, None)
        return None
    return end_user


@sensitive_variables()
def portal_sign_in(*, request: HttpRequest, username: str, password: str) -> EndUser:
    """Check the end user's password (local, or LDAP when configured) and start a portal session.
    Tries are counted per username and per IP before the password is checked; past
    LOGIN_MAX_FAILURES in the window every try is refused without checking it."""
    username = throttle.username_normalize(username)
    ip = client_ip(request)
    if not throttle.attempt(username, ip, scope="portal"):
        audit_record(actor=portal_actor(request, username=username), action=AuditAction.LOGIN_FAILED,
                     target_username=username[:150], details={"portal": True, "throttled": True})
        raise PortalSignInThrottled(gettext("Too many failed sign-ins. Wait a while and try again."))
    end_user = end_user_authenticate(username, password)
    if end_user is None:
        audit_record(actor=portal_actor(request, username=username), action=AuditAction.LOGIN_FAILED,
                     target_username=username[:150], details={"portal": True})
        raise PortalSignInRefused(gettext("The username or password is not correct."))
    throttle.release(username, ip, scope="portal")
    # A new session key on sign-in (no fixation); a console sign-in in this browser stays as it was.
    request.session.cycle_key()
    request.session[SESSION_KEY] = end_user.pk
    request.session[SESSION_HASH_KEY] = end_user.get_session_auth_hash()
    audit_record(actor=portal_actor(request, end_user), action=AuditAction.LOGIN,
                 target_username=end_user.username, details={"portal": True, "user_type": end_user.user_type})
    return end_user


def portal_sign_out(*, request: HttpRequest) -> None:
    end_user = portal_end_user(request)
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_HASH_KEY, None)
    request.session.cycle_key()
    if end_user is not None:
        audit_record(actor=portal_actor(request, end_user), action=AuditAction.LOGOUT,
                     target_username=end_user.username, details={"portal": True})


def _self_service(end_user: EndUser) -> QuerySet[PendingEnrollment]:
    """The end user's own portal enrollments. Those an admin made for them (Provision User, bulk, QR)
    reach them by email or SMS; they neither show in the portal nor count toward its limit."""
    return PendingEnrollment.objects.filter(end_user=end_user, source=Source.SELF)


def portal_pending(end_user: EndUser) -> list[PendingEnrollment]:
    """The end user's self-service enrollments that still count (active or locked), oldest first."""
    return list(_self_service(end_user).filter(state__in=[State.ACTIVE, State.LOCKED]).order_by("created_at", "id"))


def portal_enrollment_get(end_user: EndUser, token: str) -> PendingEnrollment | None:
    """One of the end user's own self-service enrollments; None for anyone else's."""
    return _self_service(end_user).filter(token=token).first()


def portal_device_limits(end_user: EndUser) -> dict[str, Restriction]:
    """The device limits (Admin > Enrollment restrictions) the end user has reached, by the
    ownership they would start with (Ownership.UNKNOWN: the limit for all their devices), so the
    portal tells them before they press Start."""
    reached = {ownership: device_limit_refusal(end_user.username, ownership) for ownership in Ownership.values}
    return {ownership: refusal for ownership, refusal in reached.items() if refusal is not None}


def portal_enrollment_start(*, end_user: EndUser, actor: Actor, mobile: str = "",
                            ownership: str = Ownership.UNKNOWN, language: str = DEFAULT_LANGUAGE) -> CreatedEnrollment:
    """Start a self enrollment: one pending enrollment (source self, one use, one licence).

    Refused with EnrollmentError when one more device of the end user with ``ownership`` would
    exceed a device limit (its enrollment could never be redeemed) or when they already hold
    PORTAL_MAX_PENDING_PER_USER active or locked self-service enrollments, and with NoLicenceLeft
    when no licence remains. The end
    user's row is locked while counting, so two Starts at once cannot both pass the limit."""
    limit = settings.PORTAL_MAX_PENDING_PER_USER
    with transaction.atomic():
        EndUser.objects.select_for_update().filter(pk=end_user.pk).first()
        held = _self_service(end_user).filter(state__in=[State.ACTIVE, State.LOCKED]).count()
        at_limit = device_limit_refusal(end_user.username, ownership or Ownership.UNKNOWN)
        if at_limit is not None:
            raise EnrollmentError(at_limit.detail)
        if held >= limit:
            raise EnrollmentError(ngettext(
                "You can have at most %(limit)d pending enrollment here, and you have %(held)d. Enroll a device "
                "with it, or ask your helpdesk to delete it.",
                "You can have at most %(limit)d pending enrollments here, and you have %(held)d. Enroll a device "
                "with one of them, or ask your helpdesk to delete one.", limit) % {"limit": limit, "held": held})
        created = pending_enrollment_create(
            actor=actor, username=end_user.username, source=Source.SELF, user_type=end_user.user_type,
            ownership=ownership or Ownership.UNKNOWN, mobile=mobile, email=end_user.email, end_user=end_user,
            audit_details={"portal": True}, language=language,
        )
        audit_record(actor=actor, action=AuditAction.PORTAL_ENROLLMENT, enrollment_token=created.enrollment.token,
                     target_username=end_user.username,
                     details={"ownership": created.enrollment.ownership, "mobile_given": bool(mobile)})
    return created
