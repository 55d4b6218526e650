"""lib.qr_codewords gives exactly the codewords qrcode computes itself, for every version and error
correction level (empty, short, random and full-capacity data), and refuses data that does not fit
as qrcode does."""

import random

import pytest
import qrcode.base
import qrcode.constants
import qrcode.exceptions
import qrcode.util

from lib.qr_codewords import codewords

LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def qrcode_codewords(raw: bytes, version: int, level: int) -> list[int]:
    return list(qrcode.util.create_data(version, level, [qrcode.util.QRData(raw, mode=qrcode.util.MODE_8BIT_BYTE)]))


def largest(version: int, level: int) -> int:
    bits: int = qrcode.util.BIT_LIMIT_TABLE[level][version] - 4 - qrcode.util.length_in_bits(
        qrcode.util.MODE_8BIT_BYTE, version)
    return bits // 8


@pytest.mark.parametrize("name", LEVELS)
def test_the_codewords_are_qrcodes_at_every_version(name):
    level, rnd = LEVELS[name], random.Random(name)
    for version in range(1, 41):
        full = largest(version, level)
        for size in sorted({0, 1, rnd.randrange(full), full - 1, full}):
            raw = rnd.randbytes(size)
            assert codewords(raw, version, level) == qrcode_codewords(raw, version, level), (version, size)


def test_data_that_does_not_fit_is_refused_as_qrcode_refuses_it():
    level = LEVELS["M"]
    raw = bytes(largest(10, level) + 1)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        qrcode_codewords(raw, 10, level)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        codewords(raw, 10, level)
