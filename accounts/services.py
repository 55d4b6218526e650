from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from accounts.end_users import EndUserError
from accounts.models import EndUser, User, UserType
from accounts.roles import ADMINISTRATOR, ROLES
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record


class ConsoleUserError(Exception):
    """A refusal a person can act on; nothing was written."""


@sensitive_variables()
def console_user_save(*, user: User, role: Group, password: str, actor: Actor, changed: list[str]) -> User:
    """Create or update a console user with exactly one role. The password is hashed, never logged.

    Nobody can deactivate themselves or take away their own Administrator role, so the console
    always keeps the administrator who is using it: ConsoleUserError, nothing saved."""
    if actor.user is not None and user.pk is not None and user.pk == actor.user.pk \
            and (not user.is_active or role.name != ADMINISTRATOR):
        raise ConsoleUserError("You cannot deactivate yourself or take away your own Administrator role.")
    created = user.pk is None
    with transaction.atomic():
        if password:
            user.set_password(password)
        user.save()
        _role_only(user, role)
        audit_record(
            actor=actor,
            action=AuditAction.CONSOLE_USER_CREATED if created else AuditAction.CONSOLE_USER_CHANGED,
            target_username=user.username,
            details={"role": role.name, **_changes(changed, password)},
        )
    return user


def console_role_sync(*, user: User, role: str | None) -> None:
    """Give a console user exactly ``role``, the one their LDAP groups map to; None removes every
    role. Runs on every LDAP sign-in, so directory changes take effect at the next one; audited
    only when the roles change."""
    before = sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    after = [role] if role else []
    with transaction.atomic():
        _role_only(user, Group.objects.get_or_create(name=role)[0] if role else None)
        if before != after:
            audit_record(actor=Actor.system("ldap"), action=AuditAction.CONSOLE_USER_CHANGED,
                         target_username=user.get_username(),
                         details={"roles_before": before, "roles_after": after, "source": "ldap groups"})


def _role_only(user: User, role: Group | None) -> None:
    """Leave ``user`` holding ``role`` and no other console role (none at all for None)."""
    others = Group.objects.filter(name__in=ROLES)
    user.groups.remove(*(others.exclude(pk=role.pk) if role else others))
    if role is not None:
        user.groups.add(role)


def _changes(changed: list[str], password: str) -> dict[str, Any]:
    """What a form changed, for the audit: field names and whether the password changed, never
    the password itself."""
    return {"changed": [f for f in changed if f != "password"], "password_changed": bool(password)}


@sensitive_variables()
def end_user_save(*, end_user: EndUser, password: str, actor: Actor, changed: list[str]) -> EndUser:
    """Create or update a local end user (the portal's own accounts). An empty ``password`` keeps
    the current one. The password is hashed, never logged or audited. Raises EndUserError for an
    LDAP end user (the directory owns those) and for a username another local end user took in
    the meantime (the unique constraint decides the race; nothing is saved)."""
    if end_user.user_type != UserType.LOCAL:
        raise EndUserError(f"“{end_user.username}” is an LDAP end user: change it in the directory.")
    created = end_user.pk is None
    try:
        with transaction.atomic():
            if password:
                end_user.set_password(password)
            end_user.save()
            audit_record(
                actor=actor,
                action=AuditAction.SETTINGS_CHANGED,
                target_username=end_user.username,
                details={"end_user": end_user.username, "created": created, **_changes(changed, password)},
            )
    except IntegrityError as exc:
        raise EndUserError(f"A local end user named “{end_user.username}” already exists.") from exc
    return end_user
