"""Reads for the Licences page."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from licensing.models import LedgerEntry, LedgerEntryQuerySet


def ledger_entries(user: User | AnonymousUser, *, kind: str = "") -> LedgerEntryQuerySet:
    """The ledger as ``user`` may see it, newest first; only ``kind`` when given."""
    ledger = LedgerEntry.objects.restrict(user).order_by("-created_at", "-id")
    if kind:
        ledger = ledger.filter(kind=kind)
    return ledger
