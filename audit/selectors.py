"""Reads for the Audit log: the list and its CSV export show the same entries."""

from django.contrib.auth.models import AnonymousUser
from django.utils.dateparse import parse_date

from accounts.models import User
from audit.models import AuditAction, AuditEntry, AuditEntryQuerySet

FILTERS = ("actor", "action", "q", "date_from", "date_to")


def audit_entries_filtered(user: User | AnonymousUser, filters: dict[str, str]) -> AuditEntryQuerySet:
    """The entries ``user`` may see that match ``filters`` (keys of FILTERS; unknown or empty values
    are ignored), newest first."""
    qs = AuditEntry.objects.restrict(user)
    if filters.get("actor"):
        qs = qs.filter(actor_name__icontains=filters["actor"])
    if filters.get("action") in AuditAction.values:
        qs = qs.filter(action=filters["action"])
    if filters.get("q"):
        qs = qs.filter(target_username__icontains=filters["q"]) | qs.filter(enrollment_token__startswith=filters["q"])
    start, end = parse_date(filters.get("date_from") or ""), parse_date(filters.get("date_to") or "")
    if start:
        qs = qs.filter(created_at__date__gte=start)
    if end:
        qs = qs.filter(created_at__date__lte=end)
    return qs.order_by("-created_at", "-id")
