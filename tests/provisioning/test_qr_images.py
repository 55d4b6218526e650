"""Rendered codes decode back to the exact payload: PNG straight from zxing-cpp, SVG rasterised
by an independent renderer (cairosvg) first."""

import io

import cairosvg
import pytest
import zxingcpp
from PIL import Image

from provisioning.qr import images
from provisioning.qr.payload import CompanionApp, WifiNetwork, admin_extras, build_payload, serialise

COMPANION = CompanionApp(
    component_name="com.example.companion/.admin.CompanionAdminReceiver",
    download_url="https://mdm.example.com/dpc/companion-3.4.1.apk",
    signature_checksum="ue8f2brSotiT6yi_GvtYccDAyAlo4Z1ApCUU2T7peWU=",
)


def payload_text(wifi: WifiNetwork | None) -> str:
    extras = admin_extras(server_url="https://mdm.example.com",
                          enrollment_token="Xy7_abcdefghijklmnopqrstuvwxyz01", otp="K7P3M9QX")
    return serialise(build_payload(companion=COMPANION, locale="de_CH", wifi=wifi, extras=extras,
                                   time_zone="Europe/Berlin"))


PAYLOADS = {
    "wpa with special characters": WifiNetwork(ssid="Corp-Setup", security="WPA", password='p@ss"w;rd\\2024'),
    "non-ascii hidden": WifiNetwork(ssid="Café Zürich 你好", security="WPA", password="pässwörd-ünï", hidden=True),
    "open": WifiNetwork(ssid="Guest", security="NONE"),
    "mobile data": None,
}


def decode_one(image: Image.Image) -> zxingcpp.Barcode:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("name", PAYLOADS)
def test_the_png_decodes_to_the_exact_payload_at_error_correction_m(name):
    text = payload_text(PAYLOADS[name])
    png = images.verified_png(text)
    image = Image.open(io.BytesIO(png))
    result = decode_one(image)
    assert result.text == text
    assert result.ec_level == "M"


def test_the_png_has_at_least_6_pixels_per_module_and_a_4_module_quiet_zone():
    text = payload_text(PAYLOADS["wpa with special characters"])
    image = Image.open(io.BytesIO(images.render(text, "png"))).convert("L")
    modules = image.width // images.BOX_SIZE
    assert image.width == modules * images.BOX_SIZE
    assert images.BOX_SIZE >= 6
    # The quiet zone: the outer 4 modules are white all round.
    quiet = images.BORDER * images.BOX_SIZE
    pixels = image.load()
    assert pixels is not None
    for i in range(image.width):
        for j in range(quiet):
            assert pixels[i, j] == 255 and pixels[j, i] == 255
            assert pixels[i, image.height - 1 - j] == 255 and pixels[image.width - 1 - j, i] == 255
    # Just inside the quiet zone starts the dark finder pattern.
    assert pixels[quiet, quiet] == 0


@pytest.mark.parametrize("name", PAYLOADS)
def test_the_svg_rasterised_independently_decodes_to_the_exact_payload(name):
    text = payload_text(PAYLOADS[name])
    svg = images.render(text, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    png = cairosvg.svg2png(bytestring=svg, output_width=1200, background_color="white")
    result = decode_one(Image.open(io.BytesIO(png)))
    assert result.text == text


def test_a_code_that_does_not_decode_to_its_payload_is_refused():
    other = images.render(payload_text(PAYLOADS["open"]), "png")
    with pytest.raises(images.QrImageError, match="did not decode back"):
        images.check_png(other, payload_text(None))


def test_an_image_without_a_code_is_refused():
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    with pytest.raises(images.QrImageError):
        images.check_png(blank.getvalue(), payload_text(None))
