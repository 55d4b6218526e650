from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from twofactor.models import Authenticator, TwoStepPolicy


def required_roles() -> list[str]:
    return list(TwoStepPolicy.load().required_roles)


def second_factor_required(user: Any) -> bool:
    """Whether a role of ``user`` requires two-step verification (Admin > Console users)."""
    roles = required_roles()
    return bool(roles) and user.groups.filter(name__in=roles).exists()


def second_factor_active(user: Any) -> bool:
    return Authenticator.objects.active().filter(user=user).exists()


def with_second_factor(users: "QuerySet[User]") -> "QuerySet[User]":
    """``users`` annotated with ``has_second_factor`` (one subquery, no query per row)."""
    return users.annotate(has_second_factor=Exists(
        Authenticator.objects.active().filter(user=OuterRef("pk"))))
