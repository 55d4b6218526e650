"""The licence pool. Invariant, under any concurrency: reserved + consumed <= total.

- ``licence_reserve`` is the only way reserved + consumed grows. It locks the pool row
  (SELECT ... FOR UPDATE on PostgreSQL), counts, and lets the caller write its reservations in
  the same transaction; the lock is held until that transaction commits, so the next reserver
  counts them.
- ``licence_consume`` moves one licence from reserved to consumed: the sum does not change, so
  it takes no pool lock and redemptions do not queue behind each other or behind reservations.
- ``licence_release`` shrinks the sum and needs no lock either.

Reserved is the sum of ``PendingEnrollment.reserved_licences``: the caller sets that column in
the same transaction as the ledger entry written here. Consumed is the sum of the ledger's consume
entries. On PostgreSQL the database keeps both sums as they change (``LicenceTally``).
"""

from dataclasses import dataclass

from django.db import connection, transaction

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib import rows
from lib.bulkinsert import insert_rows
from licensing.models import LedgerEntry, LedgerKind, LicencePool


class LicenceError(Exception):
    pass


class NoLicenceLeft(LicenceError):
    def __init__(self, needed: int, remaining: int) -> None:
        self.needed = needed
        self.remaining = remaining
        super().__init__(
            f"Not enough device licences: {needed} needed, {remaining} remaining. "
            "Ask an Administrator to raise the licence total or delete unused pending enrollments."
        )


@dataclass(frozen=True)
class LicenceCounts:
    total: int
    reserved: int
    consumed: int

    @property
    def remaining(self) -> int:
        return self.total - self.reserved - self.consumed


def licence_counts() -> LicenceCounts:
    """Total, reserved and consumed read in one statement, so one snapshot: a redemption that
    moves a licence from reserved to consumed is seen wholly or not at all. On PostgreSQL from
    the running tally the database keeps (``LicenceTally``: a few rows, whatever the number of
    enrollments); on SQLite summed from the rows themselves."""
    if connection.vendor == "postgresql":
        sums = "SELECT COALESCE(SUM(reserved), 0), COALESCE(SUM(consumed), 0) FROM licensing_licencetally"
        params: list[str] = []
    else:
        sums = ("SELECT (SELECT COALESCE(SUM(reserved_licences), 0) FROM enrollment_pendingenrollment),"
                " (SELECT COALESCE(SUM(quantity), 0) FROM licensing_ledgerentry WHERE kind = %s)")
        params = [LedgerKind.CONSUME.value]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT total FROM licensing_licencepool WHERE id = 1), s.* FROM ({sums}) AS s",
                       params)
        total, reserved, consumed = cursor.fetchone()
    return LicenceCounts(total=int(total or 0), reserved=int(reserved), consumed=int(consumed))


def _lock_pool() -> LicencePool:
    pool, _ = LicencePool.objects.select_for_update().get_or_create(id=1)
    return pool


def licence_reserve(
    *, quantity: int, actor: Actor, enrollment_token: str = "", username: str = "", note: str = ""
) -> LicenceCounts:
    """Check that ``quantity`` licences remain and write the ledger entry; the caller then sets
    ``reserved_licences`` on its pending enrollments in the same transaction.

    Raises NoLicenceLeft (and writes nothing) when fewer remain. Must run inside
    ``transaction.atomic``: the pool lock lasts until the caller commits.
    """
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("licence_reserve must run inside transaction.atomic")
    _lock_pool()
    counts = licence_counts()
    if counts.remaining < quantity:
        raise NoLicenceLeft(needed=quantity, remaining=max(counts.remaining, 0))
    _ledger(LedgerKind.RESERVE, quantity, actor, enrollment_token, username, note)
    return counts


def licence_release(
    *, quantity: int, actor: Actor, enrollment_token: str = "", username: str = "", note: str = ""
) -> None:
    """Record ``quantity`` reservations given back (delete, expiry, used-up QR). No lock: the
    sum only shrinks."""
    if quantity > 0:
        _ledger(LedgerKind.RELEASE, quantity, actor, enrollment_token, username, note)


def licence_release_many(*, entries: list[tuple[str, str, int]], actor: Actor, note: str = "") -> None:
    """One release entry per (token, username, quantity), in one statement."""
    insert_rows(LedgerEntry, [_entry(LedgerKind.RELEASE, quantity, actor, token, username, note)
                              for token, username, quantity in entries if quantity > 0])


def licence_consume(*, actor: Actor, enrollment_token: str, username: str, note: str = "") -> None:
    """Turn one reservation into a consumed licence; the caller decrements the enrollment's
    ``reserved_licences`` in the same transaction (under that enrollment's row lock)."""
    _ledger(LedgerKind.CONSUME, 1, actor, enrollment_token, username, note)


def licence_consumed_return(*, actor: Actor, enrollment_token: str, username: str, note: str = "") -> None:
    """Give back the licence an enrolled device consumed (the device was removed): a consume entry
    of -1, so consumed is still the sum of the consume entries. The sum only shrinks: no lock."""
    _ledger(LedgerKind.CONSUME, -1, actor, enrollment_token, username, note)


@transaction.atomic
def licence_total_set(*, total: int, actor: Actor) -> LicencePool:
    """Set the number of licences bought. Refused when it would fall below what is already
    reserved or consumed (the invariant)."""
    if total < 0:
        raise LicenceError("The licence total cannot be negative.")
    pool = _lock_pool()
    counts = licence_counts()
    in_use = counts.reserved + counts.consumed
    if total < in_use:
        raise LicenceError(
            f"The total cannot be lower than the {in_use} licences already reserved or consumed."
        )
    previous = pool.total
    pool.total = total
    pool.save(update_fields=["total", "updated_at"])
    _ledger(LedgerKind.SET_TOTAL, total, actor, "", "", f"was {previous}")
    audit_record(actor=actor, action=AuditAction.LICENCE_TOTAL_SET, details={"total": total, "previous": previous})
    return pool


def _ledger(kind: LedgerKind, quantity: int, actor: Actor, token: str, username: str, note: str) -> LedgerEntry:
    return rows.insert(_entry(kind, quantity, actor, token, username, note))


def _entry(kind: LedgerKind, quantity: int, actor: Actor, token: str, username: str, note: str) -> LedgerEntry:
    return LedgerEntry(
        kind=kind, quantity=quantity, enrollment_token=token, username=username[:150],
        actor=actor.user, actor_name=actor.name[:150], note=note[:200],
    )
