"""Reads for the Audit log: the list and its CSV export show the same entries."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.models import User
from audit.models import AuditAction, AuditEntry, AuditEntryQuerySet
from lib.pagination import KeysetPage, keyset_page

FILTERS = ("actor", "action", "q", "date_from", "date_to")
PAGE_SIZE = 50


def audit_entries_filtered(user: User | AnonymousUser, filters: dict[str, str]) -> AuditEntryQuerySet:
    """The entries ``user`` may see that match ``filters`` (keys of FILTERS; unknown or empty values
    are ignored), newest first. Each filter is one an index answers (0006_list_indexes): actor and
    username "contains" by trigram, token by prefix, action with the time order, dates as a range of
    created_at (the days of the current time zone, as ``created_at__date`` compared them)."""
    qs = AuditEntry.objects.restrict(user)
    if filters.get("actor"):
        qs = qs.filter(actor_name__icontains=filters["actor"])
    if filters.get("action") in AuditAction.values:
        qs = qs.filter(action=filters["action"])
    if filters.get("q"):
        qs = qs.filter(target_username__icontains=filters["q"]) | qs.filter(enrollment_token__startswith=filters["q"])
    start, end = _day(filters.get("date_from")), _day(filters.get("date_to"))
    if start:
        qs = qs.filter(created_at__gte=_start_of(start))
    if end:
        qs = qs.filter(created_at__lt=_start_of(end + timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def audit_list_page(
    user: User | AnonymousUser, filters: dict[str, str], *, position: str = "", page_size: int = PAGE_SIZE
) -> KeysetPage[AuditEntry]:
    """The page at ``position`` (``lib.pagination``) of the filtered entries, newest first."""
    return keyset_page(audit_entries_filtered(user, filters), key="created_at", descending=True, position=position,
                       page_size=page_size)


def _day(value: str | None) -> date | None:
    try:
        day = parse_date(value or "")
    except ValueError:  # well formed but not a day, e.g. 2024-02-30
        return None
    # The first and last days of the calendar have no day before or after them to bound a range.
    return day if day is not None and 1 < day.year < 9999 else None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
