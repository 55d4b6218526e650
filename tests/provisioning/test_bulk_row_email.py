"""A bulk row's email address is checked exactly as Django's validate_email checks it."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from provisioning.bulk.rows import RowError, build_row

ADDRESSES = ["ann@example.com", "a.b+c@sub.example.co.uk", "ANN@EXAMPLE.COM", "jürgen@bücher.de", "ann@bücher",
             "ann@[192.0.2.1]", "ann@[IPv6:2001:db8::1]", "ann@[300.1.1.1]", '"ann smith"@example.com',
             "ann@localhost", "ann@example", "ann@-example.com", "ann@example.com.", "ann@example..com", "ann",
             "@example.com", "ann@", "ann@@example.com", "a@b.c", "ann@" + "x" * 63 + ".com",
             "ann@" + "x" * 64 + ".com",
             "x" * 310 + "@example.com", "ann@exa mple.com", "an n@example.com", "ann@example.com\n",
             "ann.@example.com", ".ann@example.com", "ann@xn--bcher-kva.de", "ann@123.123.123.123"]


def _django(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_row_check_accepts_exactly_what_validate_email_accepts(address: str) -> None:
    try:
        build_row(2, {"username": "ann", "email": address}, default_ownership="corporate")
    except RowError as exc:
        assert str(exc) == f"Bad email address {address.strip()!r}."
        accepted = False
    else:
        accepted = True
    assert accepted == _django(address.strip())
