"""The fast reading of international mobile numbers gives exactly phonenumbers' answers."""

import random

import phonenumbers
import pytest

from accounts import end_users
from accounts.end_users import mobile_problem, mobile_readings


def _phonenumbers_reading(text: str, *, mobile_only: bool) -> str:
    # The rule as phonenumbers answers it, with no fast path.
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    if mobile_only and phonenumbers.number_type(number) not in end_users._MOBILE_TYPES:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _numbers_of(country_code: int, rng: random.Random) -> list[str]:
    """Digits after "+": each example number the metadata has (every type), the same with its last
    digits changed, and random national numbers of 2 to 15 digits."""
    examples = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        for name in ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                     "personal_number", "voip", "pager", "uan", "voicemail"):
            desc = getattr(metadata, name, None) if metadata else None
            if desc is not None and desc.example_number:
                examples.append(desc.example_number)
    found = []
    for example in examples:
        found.append(example)
        for cut in (1, 2, 3):
            found.append(example[:-cut] + "".join(rng.choice("0123456789") for _ in range(cut)))
        found.extend((example[:-1], example + rng.choice("0123456789")))
    found.extend("".join(rng.choice("0123456789") for _ in range(rng.randint(2, 15))) for _ in range(40))
    return [f"{country_code}{national}" for national in found]


def test_the_fast_reading_answers_as_phonenumbers_for_every_country_code():
    rng = random.Random(12)
    decided = 0
    for country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        for digits in _numbers_of(country_code, rng):
            for mobile_only in (False, True):
                fast = end_users._international_reading(digits, mobile_only=mobile_only)
                if fast is None:
                    continue
                decided += 1
                assert fast == _phonenumbers_reading("+" + digits, mobile_only=mobile_only), (digits, mobile_only)
    assert decided > 20_000  # most numbers are decided without phonenumbers' parser


@pytest.mark.parametrize(("digits", "fast"), [
    ("491712345678", "+491712345678"), ("33612345678", "+33612345678"), ("4930123456", ""),  # a landline
    ("447400123456", None), ("12015550123", None),  # +44 and +1 are shared by several regions
    ("4901712345678", None),  # a national prefix after the country code: phonenumbers strips it
])
def test_common_numbers_are_read_fast_unless_phonenumbers_must_decide(digits, fast):
    assert end_users._international_reading(digits, mobile_only=True) == fast


TEXTS = ["+49 171 2345678", "+49 (171) 234-5678", "(+49) 171 2345678", "+49.171.2345678", "+49/171/2345678",
         "+49 0171 2345678", "+49 171 234567", "+49 171 23456789012", "+4917", "+0049 171 2345678",
         "+33 6 12 34 56 78", "+33 1 23 45 67 89", "+39 06 1234 5678", "+39 312 345 6789", "+44 7400 123456",
         "+1 201 555 0123", "+7 912 345 67 89", "+800 1234 5678", "+882 1234 5678", "+49 1 2", "+49", "+49 (",
         "+49 171 2345678 -", "0049 171 2345678", "00 33 6 12 34 56 78", "491712345678", "4917123456789",
         "33612345678", "0171 2345678", "+49 800 1234567", "+49 900 1234567", "+41 79 123 45 67",
         "+31 6 12345678", "+48 512 345 678", "+43 664 1234567", "+61 412 345 678", "+81 90 1234 5678",
         "+86 131 2345 6789", "+91 98765 43210", "+55 11 91234 5678", "+54 9 11 1234 5678", "+52 1 55 1234 5678"]


@pytest.mark.parametrize("text", TEXTS)
def test_mobile_readings_are_the_same_with_and_without_the_fast_reading(text, settings, monkeypatch):
    settings.PHONE_DEFAULT_REGION = "DE"
    fast = mobile_readings(text), mobile_problem(text)
    monkeypatch.setattr(end_users, "_international_reading", lambda digits, mobile_only: None)
    assert (mobile_readings(text), mobile_problem(text)) == fast


def test_punctuation_does_not_change_a_reading(settings, monkeypatch):
    # The claim the fast path rests on: phonenumbers reads "+" with ASCII digits and " ()./-" as "+digits".
    rng = random.Random(7)
    monkeypatch.setattr(end_users, "_international_reading", lambda digits, mobile_only: None)
    for _ in range(2000):
        digits = rng.choice(["49", "33", "39", "44", "1", "7", "41", "86", "800", "882"]) + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(2, 13)))
        text = "+" + "".join(ch + rng.choice(["", "", " ", "-", ".", "/", "(", ")", " ("]) for ch in digits)
        text = rng.choice(["", "(", " ( "]) + text
        for mobile_only in (False, True):
            assert end_users._reading(text, None, mobile_only=mobile_only) == \
                _phonenumbers_reading("+" + digits, mobile_only=mobile_only), text
