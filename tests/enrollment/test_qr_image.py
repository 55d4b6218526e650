import io

import pytest
import zxingcpp
from PIL import Image

from enrollment import qr


def test_a_png_decodes_back_to_its_data():
    data = "https://mdm.example.com/enroll/" + "a" * 32 + "/"
    image = Image.open(io.BytesIO(qr.render(data, "png")))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [data]


def test_an_svg_is_an_svg_document():
    body = qr.render("hello", "svg")
    assert body.startswith(b"<?xml") and b"<svg" in body


def test_a_rendered_code_is_cached_and_not_drawn_twice(monkeypatch):
    first = qr.render("cached", "png")

    def refuse(*args, **kwargs):
        raise AssertionError("drawn twice")

    monkeypatch.setattr(qr.qrcode, "QRCode", refuse)
    assert qr.render("cached", "png") == first


def test_data_too_large_for_a_qr_code_is_a_clear_error():
    with pytest.raises(qr.QrRenderError, match="does not fit"):
        qr.render("x" * 5000, "png")
