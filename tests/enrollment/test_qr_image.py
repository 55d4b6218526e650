import io

import pytest
import zxingcpp
from PIL import Image

from lib import qr
from tests.conftest import client_for


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

    monkeypatch.setattr("qrcode.QRCode", refuse)
    assert qr.render("cached", "png") == first


def test_data_too_large_for_a_qr_code_is_a_clear_error():
    with pytest.raises(qr.QrRenderError, match="does not fit"):
        qr.render("x" * 5000, "png")


SECRET_LINK = "https://mdm.example.com/enroll/" + "s3cretToken" * 3 + "/"


def test_it_caches_a_code_sealed_so_the_cache_holds_neither_the_image_nor_its_data(redis_cache):
    png = qr.render(SECRET_LINK, "png")
    svg = qr.render(SECRET_LINK, "svg")

    (first, second) = redis_cache.values("qr:*")
    for raw in (first, second):
        assert b"s3cretToken" not in raw
        assert png not in raw and svg not in raw
        assert b"\x89PNG" not in raw and b"<svg" not in raw
    assert all(b"s3cretToken" not in key for key in redis_cache.keys())
    assert qr.render(SECRET_LINK, "png") == png and qr.render(SECRET_LINK, "svg") == svg


def test_it_deletes_the_cached_images_of_a_forgotten_owner(redis_cache):
    qr.render(SECRET_LINK, "png", owner="enrollment:x:link")
    qr.render(SECRET_LINK, "svg", owner="enrollment:x:link")
    qr.render("another code", "png")

    qr.forget("enrollment:x:link")

    assert len(redis_cache.keys("qr:*")) == 1


def test_it_draws_an_owners_new_code_instead_of_its_old_one():
    old = qr.render("https://old.example.com/enroll/abc/", "png", owner="enrollment:abc:link")
    new = qr.render("https://new.example.com/enroll/abc/", "png", owner="enrollment:abc:link")

    assert new != old
    image = Image.open(io.BytesIO(new))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["https://new.example.com/enroll/abc/"]


def test_it_drops_the_activation_link_image_when_the_pending_enrollment_is_deleted(
        redis_cache, make_pending, admin_user, django_capture_on_commit_callbacks):
    token = make_pending("eve").enrollment.token
    client = client_for(admin_user)
    assert client.get(f"/devices/pending/{token}/qr.png").status_code == 200
    assert client.get(f"/devices/pending/{token}/qr.svg").status_code == 200
    assert len(redis_cache.keys("qr:*")) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/devices/pending/{token}/delete/")

    assert response.status_code == 302
    assert redis_cache.keys("qr:*") == []
