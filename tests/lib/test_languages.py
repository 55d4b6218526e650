"""lib.languages: the one list of end-user languages and the one rule that reads a code."""

import pytest
from django.test import RequestFactory

from lib.languages import LanguageError, LanguageField, language_for_locale, language_from_header, language_parse


@pytest.mark.parametrize(("value", "expected"), [("de", "de"), ("FR", "fr"), (" it ", "it"), ("En", "en"),
                                                 ("", "en"), (None, "en")])
def test_a_code_is_read_in_any_case_and_empty_is_english(value: str | None, expected: str) -> None:
    assert language_parse(value) == expected


@pytest.mark.parametrize("value", ["es", "de-CH", "de_DE", "deutsch", "e n", "\x00"])
def test_anything_else_is_refused_naming_the_codes(value: str) -> None:
    with pytest.raises(LanguageError, match=r"\(use en, de, fr, it\)\.$"):
        language_parse(value)


@pytest.mark.parametrize(("locale", "expected"), [("de_CH", "de"), ("it_IT", "it"), ("fr-CA", "fr"), ("en_US", "en"),
                                                  ("es_ES", "en"), ("", "en")])
def test_a_device_locale_gives_its_language_when_supported(locale: str, expected: str) -> None:
    assert language_for_locale(locale) == expected


@pytest.mark.parametrize(("header", "expected"), [("de-CH,de;q=0.9,en;q=0.8", "de"), ("es, fr;q=0.1", "fr"),
                                                  ("es", None), ("", None), ("*", None), ("x" * 600, None)])
def test_accept_language_gives_its_first_supported_language(header: str, expected: str | None) -> None:
    assert language_from_header(RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)) == expected


def test_the_form_field_cleans_by_the_same_rule() -> None:
    field = LanguageField()
    assert field.clean("IT") == "it" and field.clean("") == "en"
    with pytest.raises(Exception, match="Unknown language 'xx'"):
        field.clean("xx")
