from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
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
