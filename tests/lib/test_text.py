"""lib.text: one rule for the characters a name a person reads and types may not hold (usernames and
corporate identifiers alike)."""

import pytest

from lib.text import invisible_problem, shown, username_problem


@pytest.mark.parametrize(("value", "problem"), [
    ("SN\u202eABC", "contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("a\u200bb", "contains a control character (U+200B ZERO WIDTH SPACE)"),
    ("a\tb", "contains a control character (a tab)"),
    ("a\u2029b", "contains a control character (U+2029 PARAGRAPH SEPARATOR)"),
])
def test_control_and_format_characters_are_refused_in_names_and_usernames_alike(value, problem):
    assert invisible_problem(value) == problem
    assert username_problem(value) == problem


@pytest.mark.parametrize("value", ["C02XK1ABC", "Jörg Müller", "a b", "a\u00a0b", ""])
def test_printable_text_and_other_spaces_are_not_refused(value):
    assert invisible_problem(value) == ""


def test_a_refused_value_is_shown_with_its_invisible_characters_replaced():
    assert shown("SN\u202eABC\u200b") == "SN\ufffdABC\ufffd"
