"""Reads for the console's account pages."""

from django.db.models import Count, Q, QuerySet

from accounts.models import EndUser


def end_users_search(search: str = "") -> QuerySet[EndUser]:
    """End users (local and LDAP) whose username or email contains ``search``, with the number
    of their pending enrollments as ``pending_count``; ordered by username, then type."""
    end_users = EndUser.objects.annotate(pending_count=Count("enrollments"))
    if search:
        end_users = end_users.filter(Q(username__icontains=search) | Q(email__icontains=search))
    return end_users.order_by("username", "user_type", "pk")
