"""Devices (/devices/): every role reads enrolled devices (read only), with search and pagination."""

import pytest

from enrollment.models import Device
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db]


def device(username: str, **extra: str) -> Device:
    return Device.objects.create(username=username, platform=extra.pop("platform", "android"),
                                 enrollment_token=extra.pop("token", "t" * 32), source="single", **extra)


@pytest.mark.smoke
def test_every_role_sees_the_devices(cast):
    device("alice", serial_number="SN-1", model="Pixel 8", os_version="14")
    for role in ("admin", "super_helpdesk", "helpdesk"):
        response = client_for(cast[role]).get("/devices/")
        assert response.status_code == 200
        assert b"alice" in response.content and b"SN-1" in response.content and b"Pixel 8" in response.content


def test_it_lets_helpdesk_read_the_list_but_refuses_every_other_method(helpdesk_user):
    device("alice")
    client = client_for(helpdesk_user)

    assert client.get("/devices/").status_code == 200
    assert {method: getattr(client, method)("/devices/").status_code for method in ("post", "put", "patch", "delete")} \
        == dict.fromkeys(("post", "put", "patch", "delete"), 405)
    assert Device.objects.get().username == "alice"


def test_it_gives_helpdesk_no_device_permission_but_view(helpdesk_user):
    assert {p for p in helpdesk_user.get_all_permissions() if p.endswith("_device")} == {"enrollment.view_device"}


def test_it_opens_no_device_url_to_helpdesk_but_the_list(helpdesk_user):
    from tests.test_urls_permissions import CONSOLE_URLS

    device_urls = [url for url in CONSOLE_URLS
                   if any(perm.endswith("_device") for perm in getattr(url.view, "required_permissions", ()))]
    assert [url.name for url in device_urls if helpdesk_user.has_perms(getattr(url.view, "required_permissions", ()))] \
        == ["enrollment:device_list"]


def test_it_searches_by_user_serial_and_model(helpdesk_user):
    device("alice", serial_number="AAA")
    device("bob", serial_number="BBB", model="Galaxy S24")
    client = client_for(helpdesk_user)
    assert [d.username for d in client.get("/devices/", {"q": "bbb"}).context["page"]] == ["bob"]
    assert [d.username for d in client.get("/devices/", {"q": "galaxy"}).context["page"]] == ["bob"]
    assert [d.username for d in client.get("/devices/", {"q": "ali"}).context["page"]] == ["alice"]


def test_it_filters_by_platform(helpdesk_user):
    device("alice", platform="ios")
    device("bob", platform="windows")
    page = client_for(helpdesk_user).get("/devices/", {"platform": "windows"}).context["page"]
    assert [d.username for d in page] == ["bob"]


def test_it_pages(helpdesk_user, settings):
    settings.PENDING_LIST_PAGE_SIZE = 2
    for n in range(5):
        device(f"user{n}")
    client = client_for(helpdesk_user)
    first = client.get("/devices/").context["page"]
    assert [d.username for d in first] == ["user4", "user3"]
    second = client.get("/devices/", {"page": first.next_position}).context["page"]
    assert [d.username for d in second] == ["user2", "user1"]
    third = client.get("/devices/", {"page": second.next_position}).context["page"]
    assert [d.username for d in third] == ["user0"] and not third.has_next
    last = client.get("/devices/", {"page": "last"}).context["page"]
    assert [d.username for d in last] == ["user1", "user0"] and last.has_previous
    assert [d.username for d in client.get("/devices/", {"page": "999"}).context["page"]] == ["user4", "user3"]


def test_the_page_links_keep_the_search(helpdesk_user, settings):
    settings.PENDING_LIST_PAGE_SIZE = 2
    for n in range(3):
        device(f"user{n}", platform="ios")
    response = client_for(helpdesk_user).get("/devices/", {"q": "user", "platform": "ios"})
    after = response.context["page"].next_position
    assert f'href="?q=user&amp;platform=ios&amp;page={after}" rel="next"' in response.content.decode()


def test_the_nav_shows_devices(helpdesk_user):
    assert b'href="/devices/"' in client_for(helpdesk_user).get("/devices/pending/").content
