"""Reads for the Licences page."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from lib.pagination import KeysetPage, keyset_page
from licensing.models import LedgerEntry, LedgerEntryQuerySet

PAGE_SIZE = 100


def ledger_entries(user: User | AnonymousUser, *, kind: str = "") -> LedgerEntryQuerySet:
    """The ledger as ``user`` may see it, newest first; only ``kind`` when given."""
    ledger = LedgerEntry.objects.restrict(user).order_by("-created_at", "-id")
    if kind:
        ledger = ledger.filter(kind=kind)
    return ledger


def ledger_page(
    user: User | AnonymousUser, *, kind: str = "", position: str = "", page_size: int = PAGE_SIZE
) -> KeysetPage[LedgerEntry]:
    """The page at ``position`` (``lib.pagination``) of the ledger, newest first."""
    return keyset_page(ledger_entries(user, kind=kind), key="created_at", descending=True, position=position,
                       page_size=page_size)
