from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.end_users import EndUserError
from accounts.models import EndUser, User, UserType
from accounts.roles import ROLES
from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record


def console_user_save(*, user: User, role: Group, password: str, actor: Actor, changed: list[str]) -> User:
    """Create or update a console user with exactly one role. The password is hashed, never logged."""
    created = user.pk is None
    with transaction.atomic():
        if password:
            user.set_password(password)
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(pk=role.pk))
        user.groups.add(role)
        audit_record(
            actor=actor,
            action=AuditAction.CONSOLE_USER_CREATED if created else AuditAction.CONSOLE_USER_CHANGED,
            target_username=user.username,
            details={"role": role.name, "changed": [f for f in changed if f != "password"],
                     "password_changed": bool(password)},
        )
    return user


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
                details={"end_user": end_user.username, "created": created,
                         "changed": [f for f in changed if f != "password"], "password_changed": bool(password)},
            )
    except IntegrityError as exc:
        raise EndUserError(f"A local end user named “{end_user.username}” already exists.") from exc
    return end_user
