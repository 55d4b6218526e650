"""lib.valuelists.OneOf: a filter against a list of values passed as one parameter finds exactly the
rows holding one of them, whatever characters the values hold."""

import pytest
from django.db.models.functions import Upper

from lib.valuelists import OneOf
from restrictions.models import CorporateIdentifier

pytestmark = [pytest.mark.django_db]

AWKWARD = ['SN "1"', "back\\slash", "a,b", "{braces}", " spaced ", "NULL", "", "Ünïcode", "it's"]


def test_the_rows_holding_one_of_the_values_are_found_whatever_the_values_hold():
    for value in [*AWKWARD, "other", "NULL2"]:
        CorporateIdentifier.objects.create(kind="serial", value=value)

    found = CorporateIdentifier.objects.filter(OneOf("value", AWKWARD)).values_list("value", flat=True)

    assert sorted(found) == sorted(AWKWARD)


def test_an_expression_is_compared_and_an_empty_list_finds_nothing():
    CorporateIdentifier.objects.create(kind="serial", value="abc")

    assert CorporateIdentifier.objects.filter(OneOf(Upper("value"), ["ABC"])).count() == 1
    assert not CorporateIdentifier.objects.filter(OneOf("value", [])).exists()
