"""OtpRule.generate: the alphabet's characters only, uniform (bytes past the last whole multiple of
the alphabet's size are dropped, never folded back onto its first characters)."""

import secrets
import string

import pytest

from enrollment import otp
from enrollment.models import OtpContent
from enrollment.otp import OtpRule


def test_each_byte_is_one_character_and_the_biased_bytes_are_dropped(monkeypatch):
    # Ten digits: bytes 0-249 are the digit b % 10; 250-255 would favour 0-5, so they are skipped.
    stream = iter([bytes([249, 250, 255, 0, 13, 251, 127, 200, 99, 36, 254, 41, 252, 253, 7, 8]), bytes(range(16))])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(stream))
    assert OtpRule(content=OtpContent.DIGITS, length=8, exclude_lookalikes=False).generate() == "90370961"


def test_a_short_draw_asks_the_generator_again(monkeypatch):
    draws = iter([bytes([255] * 14 + [3, 4]), bytes([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(draws))
    assert OtpRule(content=OtpContent.DIGITS, length=8, exclude_lookalikes=False).generate() == "34567890"


@pytest.mark.parametrize("content", list(OtpContent))
@pytest.mark.parametrize("exclude_lookalikes", [True, False])
def test_every_character_of_the_alphabet_and_no_other(content, exclude_lookalikes):
    rule = OtpRule(content=content, length=32, exclude_lookalikes=exclude_lookalikes)
    expected = {OtpContent.DIGITS: string.digits, OtpContent.LETTERS: string.ascii_letters,
                OtpContent.LETTERS_DIGITS: string.digits + string.ascii_letters}[content]
    if exclude_lookalikes:
        expected = "".join(c for c in expected if c not in otp.LOOKALIKES)
    assert sorted(rule.alphabet()) == sorted(expected)
    seen = "".join(rule.generate() for _ in range(300))
    assert set(seen) == set(expected)
