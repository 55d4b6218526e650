"""The codewords of a byte-mode QR code (data, padding and Reed-Solomon error correction, in the
interleaved order the symbol holds them): what ``qrcode.util.create_data`` computes, with the
same tables (qrcode's block layout, generator polynomials and GF(256) logarithms), about forty
times faster. qrcode builds its bit stream one bit at a time and divides polynomials with a new
list per step, recursively: three quarters of drawing a provisioning code. Here the bit stream is
one integer, and so is the remainder while dividing: one shift and one XOR of a precomputed
product per byte. ``lib.qr`` hands the
result to qrcode (``QRCode.data_cache``), which places it in the matrix as it would its own;
tests/lib/test_qr_codewords.py checks both give the same codewords."""

from functools import cache

import qrcode.base
import qrcode.exceptions
import qrcode.LUT
import qrcode.util

MODE = qrcode.util.MODE_8BIT_BYTE


@cache
def _products(ec_count: int) -> tuple[int, ...]:
    """For each byte value f, f times the generator polynomial of degree ``ec_count`` (without its
    leading 1), its coefficients as the bytes of one integer (highest power first): the row a
    division step XORs in, in one operation."""
    generator = qrcode.LUT.rsPoly_LUT.get(ec_count)
    if generator is None:
        poly = qrcode.base.Polynomial([1], 0)
        for i in range(ec_count):
            poly = poly * qrcode.base.Polynomial([1, qrcode.base.gexp(i)], 0)
        generator = list(poly)
    logs = [qrcode.base.LOG_TABLE[c] for c in generator[1:]]
    exp = qrcode.base.EXP_TABLE
    rows = [0]
    for factor in range(1, 256):
        log = qrcode.base.LOG_TABLE[factor]
        rows.append(int.from_bytes(bytes(exp[(log + g) % 255] for g in logs), "big"))
    return tuple(rows)


def _error_correction(block: list[int], ec_count: int) -> list[int]:
    """The remainder of block·x^ec_count divided by the generator (the block's EC codewords), kept
    as the bytes of one integer while dividing."""
    products = _products(ec_count)
    shift, mask = 8 * (ec_count - 1), (1 << 8 * ec_count) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & mask) ^ products[byte ^ (remainder >> shift)]
    return list(remainder.to_bytes(ec_count, "big"))


def codewords(raw: bytes, version: int, error_correction: int) -> list[int]:
    """Every codeword of ``raw`` as one byte-mode segment at ``version`` and ``error_correction``
    (a qrcode.constants level). DataOverflowError when it does not fit."""
    blocks = qrcode.base.rs_blocks(version, error_correction)
    capacity = sum(block.data_count for block in blocks)
    count_bits = qrcode.util.length_in_bits(MODE, version)
    bits, length = (MODE << count_bits) | len(raw), 4 + count_bits
    bits, length = (bits << 8 * len(raw)) | int.from_bytes(raw, "big"), length + 8 * len(raw)
    if length > capacity * 8:
        raise qrcode.exceptions.DataOverflowError(
            f"Code length overflow. Data size ({length}) > size available ({capacity * 8})")
    terminator = min(capacity * 8 - length, 4)  # up to four 0 bits, then 0s to a whole byte
    length += terminator
    padding = -length % 8
    bits, length = bits << (terminator + padding), length + padding
    data = list(bits.to_bytes(length // 8, "big"))
    data += [qrcode.util.PAD0 if i % 2 == 0 else qrcode.util.PAD1 for i in range(capacity - len(data))]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        part = data[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(part)
        ec_blocks.append(_error_correction(part, block.total_count - block.data_count))
    interleaved = []
    for column in range(max(len(b) for b in data_blocks)):
        interleaved += [b[column] for b in data_blocks if column < len(b)]
    for column in range(max(len(b) for b in ec_blocks)):
        interleaved += [b[column] for b in ec_blocks if column < len(b)]
    return interleaved
