"""QR rendering of a typical Android provisioning payload against libqrencode (SPEC "Performance").

    .venv/bin/python benchmarks/qr_render.py [--repeat 30]

Builds an Automatic Provisioning Wi-Fi payload with provisioning.qr.payload (~940 bytes: the
android.app.extra key names alone take ~650), then
times per code, in one run and in alternating rounds so machine drift hits every case alike:
- ``qrencode -l M -s 8 -m 4`` (Debian's CLI, process start included) to PNG and to SVG: the baseline;
- lib.qr.render to PNG and SVG with the cache bypassed (Django's DummyCache): what the
  console does for a code it has not drawn before;
- the same with a fixed mask pattern (qrcode skips evaluating all 8 masks), to show what mask
  choice is worth;
- verified_png: render plus the zxing-cpp decode-back check done before a code is offered.
Every image is decoded once and compared with the payload, so a fast but wrong path cannot win.
Target: PNG within 3x of qrencode. Prints a table and writes benchmarks/results/qr_render-*.json.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Target, Timing, ms, print_table, print_targets, setup_django, time_once, write_results  # noqa: E402


def typical_payload() -> str:
    from provisioning.qr.payload import CompanionApp, WifiNetwork, admin_extras, build_payload, serialise

    companion = CompanionApp(
        component_name="com.example.companion/.AdminReceiver",
        download_url="https://mdm.example.com/companion.apk",
        signature_checksum="ue8f2brSotiT6yi_GvtYccDAyAlo4Z1ApCUU2T7peWU=",
    )
    extras = admin_extras(server_url="https://mdm.example.com",
                          enrollment_token="Xy7_abcdefghijklmnopqrstuvwxyz01", otp="K7P3M9QX")
    wifi = WifiNetwork(ssid="Corp-Setup", security="WPA", password='p@ss"w;rd\\2024', hidden=False)
    return serialise(build_payload(companion=companion, locale="de_CH", wifi=wifi, extras=extras,
                                   time_zone="Europe/Berlin"))


def qrencode(text: str, fmt: str) -> bytes:
    args = ["qrencode", "-o", "-", "-l", "M", "-s", "8", "-m", "4", "-8"]
    if fmt == "svg":
        args += ["-t", "SVG"]
    return subprocess.run(args, input=text.encode(), capture_output=True, check=True).stdout


def qrcode_fixed_mask(text: str, fmt: str) -> bytes:
    import qrcode
    from qrcode.image.pil import PilImage
    from qrcode.image.svg import SvgPathImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4, mask_pattern=0)
    code.add_data(text.encode())
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage if fmt == "png" else SvgPathImage).save(buffer)
    return buffer.getvalue()


def decodes_to(image: bytes, fmt: str, text: str) -> bool:
    from provisioning.qr.images import decode_png

    if fmt == "svg":
        try:
            import cairosvg
        except ImportError:
            return True  # not checkable without the test extra; the PNG of the same matrix is checked
        image = cairosvg.svg2png(bytestring=image, output_width=1200, background_color="white")
    return decode_png(image) == [text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if not shutil.which("qrencode"):
        raise SystemExit("qrencode is not installed (Debian: apt-get install qrencode).")
    setup_django("sqlite:///:memory:")
    from django.test.utils import override_settings

    from lib import qr
    from provisioning.qr import images

    text = typical_payload()
    cases: dict[str, tuple[str, Callable[[], bytes]]] = {
        "qrencode PNG (baseline)": ("png", lambda: qrencode(text, "png")),
        "qrencode SVG": ("svg", lambda: qrencode(text, "svg")),
        "lib.qr.render PNG": ("png", lambda: qr.render(text, "png")),
        "lib.qr.render SVG": ("svg", lambda: qr.render(text, "svg")),
        "qrcode fixed mask PNG": ("png", lambda: qrcode_fixed_mask(text, "png")),
        "qrcode fixed mask SVG": ("svg", lambda: qrcode_fixed_mask(text, "svg")),
        "verified_png (render + decode)": ("png", lambda: images.verified_png(text)),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        for name, (fmt, fn) in cases.items():
            if not decodes_to(fn(), fmt, text):
                raise SystemExit(f"{name}: the image does not decode back to the payload")
        for _ in range(args.repeat):
            for name, (_, fn) in cases.items():
                samples[name].append(time_once(fn))
    timings = {name: Timing(s) for name, s in samples.items()}
    base_png = timings["qrencode PNG (baseline)"].median
    base_svg = timings["qrencode SVG"].median
    rows = []
    for name, (fmt, _) in cases.items():
        timing = timings[name]
        base = base_png if fmt == "png" else base_svg
        rows.append([name, ms(timing.median), ms(timing.p90), f"{timing.median / base:.1f}x"])
    print(f"Payload: {len(text.encode())} bytes, EC M, 8 px/module, 4-module quiet zone; {args.repeat} rounds")
    print_table(["case", "median ms", "p90 ms", "vs qrencode (same format)"], rows)
    png_ratio = timings["lib.qr.render PNG"].median / base_png
    targets = [Target("QR PNG render vs qrencode", png_ratio, 3.0,
                      detail=f"{ms(timings['lib.qr.render PNG'].median)} ms vs {ms(base_png)} ms per code")]
    print_targets(targets)
    path = write_results("qr_render", {
        "payload_bytes": len(text.encode()),
        "repeat": args.repeat,
        "timings": timings,
        "png_ratio_vs_qrencode": png_ratio,
        "svg_ratio_vs_qrencode": timings["lib.qr.render SVG"].median / base_svg,
    }, targets=targets)
    print(f"Results: {path}")


if __name__ == "__main__":
    main()
