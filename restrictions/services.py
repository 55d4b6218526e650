"""Writes of Admin > Enrollment restrictions' corporate identifiers: add one, delete some, import a
CSV. Each is one transaction with its audit entry (Corporate identifiers changed).

Adds and imports take one lock (``_writers_in_turn``), so what an import finds already listed is
still so when it inserts: two imports of one file at once add each identifier once, and neither
fails on the unique (kind, value) constraint.

An identifier added after its device enrolled is linked to that device at once (``_devices_reporting``):
Enrolled, with the device and its enrolled_at, as if it had been listed when the device enrolled, so
"a listed identifier enrolls once" holds for it too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from enrollment.models import Device
from lib.bulkinsert import insert_plain
from lib.csvfile import DELIMITER_NAMES
from lib.locks import hold_until_commit
from lib.valuelists import OneOf
from restrictions.identifier_csv import IMPORT_MAX_ROWS, Candidate, RowNote, identifier_file_read
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus

# Values per lookup query: each chunk is one parameter (lib.valuelists.OneOf), so the largest import
# reads the listed identifiers and the devices in one query per kind (the devices' serial numbers in
# one pass of the table: Upper(serial_number) has no index of its own).
LOOKUP_CHUNK = IMPORT_MAX_ROWS
# A new identifier's (status, device id, enrolled_at): linked to a device that enrolled with it, or not.
Linked = tuple[str, int | None, datetime | None]
NOT_LINKED: Linked = (IdentifierStatus.NOT_CONTACTED, None, None)
AUDIT_LISTED = 100  # identifiers named in one audit entry; the counts are always whole


class IdentifierListed(Exception):
    """The identifier is listed already; the message says so, for a person."""


@dataclass
class ImportResult:
    """What an import did: ``added`` identifiers, ``enrolled`` of them linked to a device that had
    enrolled with them already; ``listed``, the rows' identifiers that were listed already
    (skipped); ``problems``, the rows not used and why; how the file was read."""

    file_name: str
    rows: int
    added: int = 0
    enrolled: int = 0
    listed: list[RowNote] = field(default_factory=list)
    problems: list[RowNote] = field(default_factory=list)
    encoding_notice: str = ""
    ignored_columns: list[str] = field(default_factory=list)


def _writers_in_turn() -> None:
    """Until the transaction ends, no other add or import runs (PostgreSQL advisory lock; SQLite's
    write transaction is one already). Call inside ``transaction.atomic``."""
    hold_until_commit("corporate_identifiers:write")


def _named(kind: str, value: str) -> str:
    return f"{IdentifierKind(kind).label} {value}"


def corporate_identifier_add(*, kind: str, value: str, note: str, actor: Actor) -> CorporateIdentifier:
    """Add one identifier (``value`` already normalised: ``IdentifierForm``), Enrolled with the newest
    device that reports it if one enrolled already. Raises IdentifierListed when it is listed already."""
    with transaction.atomic():
        _writers_in_turn()
        if CorporateIdentifier.objects.filter(kind=kind, value=value).exists():
            raise IdentifierListed(f"The {_named(kind, value)} is listed already.")
        status, device_id, enrolled_at = _devices_reporting(kind, [value]).get(value, NOT_LINKED)
        identifier = CorporateIdentifier.objects.create(kind=kind, value=value, note=note, created_by=actor.user,
                                                        status=status, device_id=device_id, enrolled_at=enrolled_at)
        details = {"added": 1, "identifiers": [_named(kind, value)], "note": note}
        if device_id is not None:
            details["enrolled_device"] = device_id
        audit_record(actor=actor, action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED, details=details)
    return identifier


def corporate_identifiers_delete(*, ids: Iterable[int], actor: Actor) -> int:
    """Delete the identifiers with these ids (ids no longer there are ignored); returns how many
    went. A device that enrolled with one stays enrolled: the list only decides future enrollments."""
    with transaction.atomic():
        gone = list(CorporateIdentifier.objects.select_for_update().filter(pk__in=list(ids))
                    .order_by("pk").values_list("pk", "kind", "value"))
        if not gone:
            return 0
        CorporateIdentifier.objects.filter(pk__in=[pk for pk, _, _ in gone]).delete()
        audit_record(actor=actor, action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED,
                     details={"deleted": len(gone),
                              "identifiers": [_named(kind, value) for _, kind, value in gone[:AUDIT_LISTED]]})
    return len(gone)


def corporate_identifiers_import(*, chunks: Iterable[bytes], file_name: str, actor: Actor) -> ImportResult:
    """Import a CSV (``restrictions.identifier_csv``) in one step: the identifiers of the good rows
    that are not listed yet are added, all in one transaction (COPY on PostgreSQL), each Enrolled with
    the newest device that reports it if one enrolled already; those listed already are skipped and
    reported; rows that cannot be used are reported with why and block nothing else.

    Raises CsvFileError, having written nothing, when the file cannot be read at all."""
    read = identifier_file_read(chunks)
    result = ImportResult(file_name=file_name, rows=read.rows, problems=read.problems,
                          encoding_notice=read.layout.encoding_notice, ignored_columns=read.layout.ignored)
    with transaction.atomic():
        _writers_in_turn()
        listed = _listed(read.candidates)
        new: list[Candidate] = []
        for candidate in read.candidates:
            if (candidate.kind, candidate.value) in listed:
                result.listed.append(RowNote(candidate.row, f"The {_named(candidate.kind, candidate.value)} is "
                                                            "listed already; skipped."))
            else:
                new.append(candidate)
        devices = {kind: _devices_reporting(kind, [c.value for c in new if c.kind == kind])
                   for kind in IdentifierKind.values}
        rows = [(c.kind, c.value, c.note) + devices[c.kind].get(c.value, NOT_LINKED) for c in new]
        insert_plain(CorporateIdentifier, ("kind", "value", "note", "status", "device_id", "enrolled_at"), rows,
                     constant={"created_at": timezone.now(), "created_by": actor.user})
        result.added = len(new)
        result.enrolled = sum(len(found) for found in devices.values())
        audit_record(actor=actor, action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED, details={
            "imported": result.added, "already_listed": len(result.listed), "bad_rows": len(result.problems),
            "enrolled_devices": result.enrolled,
            "file_name": file_name[:255], "encoding": read.layout.encoding,
            "delimiter": DELIMITER_NAMES[read.layout.delimiter],
            "identifiers": [_named(c.kind, c.value) for c in new[:AUDIT_LISTED]],
        })
    return result


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    return (values[start:start + LOOKUP_CHUNK] for start in range(0, len(values), LOOKUP_CHUNK))


def _listed(candidates: list[Candidate]) -> set[tuple[str, str]]:
    """Which of ``candidates`` are listed already, as (kind, value): one query per chunk."""
    found: set[tuple[str, str]] = set()
    for kind in IdentifierKind.values:
        for chunk in _chunks([c.value for c in candidates if c.kind == kind]):
            found.update(CorporateIdentifier.objects.filter(OneOf("value", chunk), kind=kind)
                         .order_by().values_list("kind", "value"))
    return found


def _devices_reporting(kind: str, values: Sequence[str]) -> dict[str, Linked]:
    """{value: (Enrolled, device id, enrolled_at)} of the newest device (by enrolled_at, then id)
    reporting each of ``values`` (stored identifiers of ``kind``): a serial number in any case (a
    device keeps what it reported, an identifier is stored in capitals), an IMEI's digits exactly.
    One query per chunk."""
    newest: dict[str, tuple[datetime, int]] = {}
    key = Upper("serial_number") if kind == IdentifierKind.SERIAL else F("imei")
    for chunk in _chunks(values):
        devices = Device.objects.annotate(key=key).filter(OneOf(key, chunk)).order_by()
        for value, pk, enrolled_at in devices.values_list("key", "pk", "enrolled_at"):
            if value not in newest or (enrolled_at, pk) > newest[value]:
                newest[value] = (enrolled_at, pk)
    return {value: (IdentifierStatus.ENROLLED, pk, enrolled_at) for value, (enrolled_at, pk) in newest.items()}
