"""Corporate identifiers under concurrency, on PostgreSQL: imports and adds of the same identifiers at
once add each identifier once, and none of them fails on the unique (kind, value) constraint."""

import pytest
from django.db import connection

from audit.actor import Actor
from restrictions.models import CorporateIdentifier, IdentifierKind
from restrictions.services import IdentifierListed, corporate_identifier_add, corporate_identifiers_import
from tests.outside import concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_imports_and_adds_of_one_list_at_once_add_each_identifier_once(admin_user):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    actor = Actor.for_user(admin_user)
    content = ("serial_number\n" + "".join(f"SN{n:04}\n" for n in range(500))).encode()

    def write(n: int) -> tuple[str, int]:
        if n % 2:
            try:
                corporate_identifier_add(kind=IdentifierKind.SERIAL, value=f"SN{n:04}", note="", actor=actor)
            except IdentifierListed:
                return "add", 0
            return "add", 1
        result = corporate_identifiers_import(chunks=[content], file_name="same.csv", actor=actor)
        assert result.added + len(result.listed) == 500 and not result.problems
        return "import", result.added

    answers = concurrently(6, write)

    assert len(answers) == 6  # no thread failed
    assert sum(added for _, added in answers) == 500
    assert CorporateIdentifier.objects.count() == 500
