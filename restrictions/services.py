"""Writes of Admin > Enrollment restrictions' corporate identifiers: add one, delete some, import a
CSV. Each is one transaction with its audit entry (Corporate identifiers changed).

Adds and imports take one lock (``_writers_in_turn``), so what an import finds already listed is
still so when it inserts: two imports of one file at once add each identifier once, and neither
fails on the unique (kind, value) constraint.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.csvfile import DELIMITER_NAMES
from lib.locks import hold_until_commit
from restrictions.identifier_csv import Candidate, RowNote, identifier_file_read
from restrictions.models import CorporateIdentifier, IdentifierKind

LOOKUP_CHUNK = 5000
AUDIT_LISTED = 100  # identifiers named in one audit entry; the counts are always whole


class IdentifierListed(Exception):
    """The identifier is listed already; the message says so, for a person."""


@dataclass
class ImportResult:
    """What an import did: ``added`` identifiers; ``listed``, the rows' identifiers that were listed
    already (skipped); ``problems``, the rows not used and why; how the file was read."""

    file_name: str
    rows: int
    added: int = 0
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
    """Add one identifier (``value`` already normalised: ``IdentifierForm``). Raises IdentifierListed
    when it is listed already."""
    with transaction.atomic():
        _writers_in_turn()
        if CorporateIdentifier.objects.filter(kind=kind, value=value).exists():
            raise IdentifierListed(f"The {_named(kind, value)} is listed already.")
        identifier = CorporateIdentifier.objects.create(kind=kind, value=value, note=note, created_by=actor.user)
        audit_record(actor=actor, action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED,
                     details={"added": 1, "identifiers": [_named(kind, value)], "note": note})
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
    that are not listed yet are added, all in one transaction; those listed already are skipped and
    reported; rows that cannot be used are reported with why and block nothing else.

    Raises CsvFileError, having written nothing, when the file cannot be read at all."""
    read = identifier_file_read(chunks)
    result = ImportResult(file_name=file_name, rows=read.rows, problems=read.problems,
                          encoding_notice=read.layout.encoding_notice, ignored_columns=read.layout.ignored)
    now = timezone.now()
    with transaction.atomic():
        _writers_in_turn()
        listed = _listed(read.candidates)
        new = []
        for candidate in read.candidates:
            if (candidate.kind, candidate.value) in listed:
                result.listed.append(RowNote(candidate.row, f"The {_named(candidate.kind, candidate.value)} is "
                                                            "listed already; skipped."))
            else:
                new.append(CorporateIdentifier(kind=candidate.kind, value=candidate.value, note=candidate.note,
                                               created_at=now, created_by=actor.user))
        CorporateIdentifier.objects.bulk_create(new, batch_size=2000)
        result.added = len(new)
        audit_record(actor=actor, action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED, details={
            "imported": result.added, "already_listed": len(result.listed), "bad_rows": len(result.problems),
            "file_name": file_name[:255], "encoding": read.layout.encoding,
            "delimiter": DELIMITER_NAMES[read.layout.delimiter],
            "identifiers": [_named(row.kind, row.value) for row in new[:AUDIT_LISTED]],
        })
    return result


def _listed(candidates: list[Candidate]) -> set[tuple[str, str]]:
    """Which of ``candidates`` are listed already, as (kind, value)."""
    found: set[tuple[str, str]] = set()
    for kind in IdentifierKind.values:
        values = [c.value for c in candidates if c.kind == kind]
        for start in range(0, len(values), LOOKUP_CHUNK):
            found.update(CorporateIdentifier.objects.filter(kind=kind, value__in=values[start:start + LOOKUP_CHUNK])
                         .values_list("kind", "value"))
    return found
