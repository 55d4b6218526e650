"""Devices (/devices/): the Corporate column says which devices enrolled with a corporate identifier
(Admin > Enrollment restrictions), at no extra query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from restrictions.models import IdentifierKind, IdentifierStatus
from tests.conftest import client_for
from tests.restrictions.test_identifiers import IMEI, device, listed

pytestmark = [pytest.mark.django_db]


def test_the_devices_list_shows_which_devices_matched_a_corporate_identifier(helpdesk_user):
    listed_phone = device("alice", serial_number="C02XK1ABC")
    device("bob")
    listed(IdentifierKind.SERIAL, "C02XK1ABC", status=IdentifierStatus.ENROLLED, device=listed_phone)
    listed(IdentifierKind.IMEI, IMEI, status=IdentifierStatus.ENROLLED, device=listed_phone)  # two: still one row

    response = client_for(helpdesk_user).get("/devices/")

    assert {d.username: d.corporate for d in response.context["page"]} == {"alice": True, "bob": False}
    page = response.content.decode()
    assert '<th scope="col">Corporate</th>' in page
    assert page.count("<td>Yes</td>") == 1 and page.count("<td>No</td>") == 1


def test_the_devices_list_costs_the_same_queries_with_one_listed_device_as_with_thirty(helpdesk_user):
    client = client_for(helpdesk_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/devices/").status_code == 200
        return len(captured)

    phone = device("user0", serial_number="SN0")
    listed(IdentifierKind.SERIAL, "SN0", status=IdentifierStatus.ENROLLED, device=phone)
    queries()  # the first request also writes its session back
    one = queries()
    for n in range(1, 30):
        phone = device(f"user{n}", serial_number=f"SN{n}")
        listed(IdentifierKind.SERIAL, f"SN{n}", status=IdentifierStatus.ENROLLED, device=phone)
    assert queries() == one
