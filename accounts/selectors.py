"""Reads for the console's account pages."""

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Count, Q, QuerySet

from accounts.models import EndUser, User


def end_users_search(user: User | AnonymousUser, search: str = "") -> QuerySet[EndUser]:
    """End users (local and LDAP) whose username or email contains ``search``, with the number
    of their pending enrollments as ``pending_count``; ordered by username, then type. Through
    ``user``'s scope."""
    end_users = EndUser.objects.restrict(user).annotate(pending_count=Count("enrollments"))
    if search:
        end_users = end_users.filter(Q(username__icontains=search) | Q(email__icontains=search))
    return end_users.order_by("username", "user_type", "pk")


def permissions_described(codes: Sequence[str]) -> list[dict[str, object]]:
    """For each "app_label.codename", in the given order: its human name (``Permission.name``, the
    code itself if no such permission exists) and the roles (groups) that hold it."""
    if not codes:
        return []
    wanted = Q()
    for code in codes:
        app_label, _, codename = code.partition(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.filter(wanted).select_related("content_type").prefetch_related("group_set")
    }
    described: list[dict[str, object]] = []
    for code in codes:
        perm = found.get(code)
        described.append({
            "code": code,
            "name": perm.name if perm else code,
            "roles": sorted(group.name for group in perm.group_set.all()) if perm else [],
        })
    return described
