"""Admin > Enrollment restrictions > Corporate identifiers: the list (search, status, pages), Add,
Delete, Export."""

import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enrollment.models import Device
from restrictions.models import CorporateIdentifier, IdentifierKind, IdentifierStatus
from tests.conftest import ClientResponse, client_for

pytestmark = [pytest.mark.django_db]

LIST = "/settings/restrictions/identifiers/"
ADD = LIST + "new/"
EXPORT = LIST + "export.csv"
IMEI = "352099001761481"  # 15 digits, its last the Luhn check digit
IMEI_2 = "490154203237518"


def listed(kind: str, value: str, **extra: object) -> CorporateIdentifier:
    return CorporateIdentifier.objects.create(kind=kind, value=value, **extra)


def device(username: str, **extra: str) -> Device:
    return Device.objects.create(username=username, platform="android", enrollment_token="t" * 32, source="single",
                                 **extra)


def shown(response: ClientResponse) -> list[str]:
    return [identifier.value for identifier in response.context["page"]]


def export_body(client: Client, **params: str) -> bytes:
    response = client.get(EXPORT, params)
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response)


def entries() -> list[dict[str, object]]:
    return [e.details for e in AuditEntry.objects.filter(action=AuditAction.CORPORATE_IDENTIFIERS_CHANGED)
            .order_by("id")]


def test_an_identifier_is_added_as_it_is_stored_and_audited(admin_user):
    client = client_for(admin_user)

    imei = client.post(ADD, {"kind": "imei", "value": "35-209900-176148-1", "note": "Asset 7"}, follow=True)
    serial = client.post(ADD, {"kind": "serial", "value": "  c02xk1abc ", "note": ""})

    assert imei.redirect_chain == [(LIST, 302)] and f"The IMEI {IMEI} was added." in imei.content.decode()
    assert serial.status_code == 302
    rows = {(i.kind, i.value, i.note, i.status, i.created_by) for i in CorporateIdentifier.objects.all()}
    assert rows == {("imei", IMEI, "Asset 7", IdentifierStatus.NOT_CONTACTED, admin_user),
                    ("serial", "C02XK1ABC", "", IdentifierStatus.NOT_CONTACTED, admin_user)}
    assert entries() == [{"added": 1, "identifiers": [f"IMEI {IMEI}"], "note": "Asset 7"},
                         {"added": 1, "identifiers": ["Serial number C02XK1ABC"], "note": ""}]


def test_an_identifier_listed_already_is_refused_with_a_message(admin_user):
    listed(IdentifierKind.SERIAL, "C02XK1ABC")

    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": "c02xk1abc"})

    assert response.status_code == 200
    assert response.context["form"].errors["value"] == ["The Serial number C02XK1ABC is listed already."]
    assert CorporateIdentifier.objects.count() == 1 and entries() == []


@pytest.mark.parametrize(("typed", "message"), [
    ("352099001761482", "This IMEI is not valid: its last digit is not the Luhn check digit."),
    ("35209900176148", "This IMEI must be 15 digits (spaces and dashes are allowed)."),
    ("35209900176148X", "This IMEI must be 15 digits (spaces and dashes are allowed)."),
    (" - ", "This IMEI is empty."),
])
def test_a_bad_imei_is_refused_on_the_field_saying_why(admin_user, typed, message):
    response = client_for(admin_user).post(ADD, {"kind": "imei", "value": typed})

    assert response.context["form"].errors["value"] == [message]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not CorporateIdentifier.objects.exists()


def test_an_imei_added_as_a_serial_number_is_added_with_a_warning(admin_user):
    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": IMEI}, follow=True)

    page = response.content.decode()
    assert f"The Serial number {IMEI} was added." in page
    assert "This looks like an IMEI; it was added as a serial number." in page
    assert CorporateIdentifier.objects.get().kind == IdentifierKind.SERIAL


def test_a_serial_number_of_15_digits_that_fails_the_check_digit_gets_no_warning(admin_user):
    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": "352099001761482"}, follow=True)

    assert "looks like an IMEI" not in response.content.decode()


@pytest.mark.parametrize(("typed", "shown"), [
    ("SN\u202eABC", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("SN\u200bABC", "U+200B ZERO WIDTH SPACE"),
    ("\ufeffSNABC", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("SN\u2028ABC", "U+2028 LINE SEPARATOR"),
])
def test_a_serial_number_with_a_format_character_is_refused_naming_it(admin_user, typed, shown):
    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": typed})

    assert response.context["form"].errors["value"] == [f"This serial number contains a control character ({shown})."]
    assert not CorporateIdentifier.objects.exists()


def test_a_nul_in_the_identifier_is_refused_with_a_message(admin_user):
    response = client_for(admin_user).post(ADD, {"kind": "serial", "value": "AB\x00C"})
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert not CorporateIdentifier.objects.exists()


def test_the_list_searches_identifiers_and_notes_and_filters_by_status(helpdesk_user, super_helpdesk_user):
    listed(IdentifierKind.IMEI, IMEI, note="Warehouse Berlin")
    listed(IdentifierKind.SERIAL, "C02XK1ABC", note="Laptop for Anna", status=IdentifierStatus.REFUSED)
    listed(IdentifierKind.SERIAL, "F17ZZ9", status=IdentifierStatus.ENROLLED)
    client = client_for(super_helpdesk_user)

    assert client.get(LIST, {"q": "c02x"}).status_code == 200
    assert shown(client.get(LIST, {"q": "c02x"})) == ["C02XK1ABC"]  # a serial number in any case
    assert shown(client.get(LIST, {"q": "35-2099"})) == [IMEI]  # an IMEI as it is printed
    assert shown(client.get(LIST, {"q": "176148"})) == [IMEI]  # any part of it
    assert shown(client.get(LIST, {"q": "berlin"})) == [IMEI]  # the note
    assert shown(client.get(LIST, {"status": "refused"})) == ["C02XK1ABC"]
    assert shown(client.get(LIST, {"status": "enrolled", "q": "c02"})) == []
    assert shown(client.get(LIST, {"status": "bogus"})) == ["F17ZZ9", "C02XK1ABC", IMEI]  # newest first


def test_the_list_pages_by_keyset_newest_first(super_helpdesk_user):
    start = timezone.now() - timedelta(days=1)
    for n in range(30):
        listed(IdentifierKind.SERIAL, f"SN{n:03}", created_at=start + timedelta(minutes=n))
    client = client_for(super_helpdesk_user)

    first = client.get(LIST)
    second = client.get(LIST, {"page": first.context["page"].next_position})

    assert shown(first) == [f"SN{n:03}" for n in range(29, 4, -1)]
    assert shown(second) == [f"SN{n:03}" for n in range(4, -1, -1)]
    assert "30 identifiers." in first.content.decode() and 'rel="next"' in first.content.decode()


def test_a_super_helpdesk_reads_the_list_but_may_not_add_import_or_delete(super_helpdesk_user):
    identifier = listed(IdentifierKind.SERIAL, "C02XK1ABC")
    client = client_for(super_helpdesk_user)

    page = client.get(LIST).content.decode()
    assert "C02XK1ABC" in page and "Add identifier" not in page and "Delete" not in page
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"kind": "serial", "value": "X1"}).status_code == 403
    assert client.get(LIST + "import/").status_code == 403
    assert client.post(f"{LIST}{identifier.pk}/delete/").status_code == 403
    assert client.post(LIST + "delete/", {"ids": [identifier.pk], "confirm": "yes"}).status_code == 403
    assert CorporateIdentifier.objects.count() == 1


def test_the_status_names_the_enrolled_device_and_the_refusal(admin_user):
    phone = device("alice", model="Pixel 8", serial_number="C02XK1ABC")
    when = timezone.now()
    listed(IdentifierKind.SERIAL, "C02XK1ABC", status=IdentifierStatus.ENROLLED, device=phone, enrolled_at=when)
    listed(IdentifierKind.IMEI, IMEI, status=IdentifierStatus.REFUSED, refused_at=when,
           refused_reason="Devices made by ZTE cannot be enrolled here.")

    page = client_for(admin_user).get(LIST).content.decode()

    assert 'href="/devices/?q=C02XK1ABC">alice · Pixel 8</a>' in page
    assert "Devices made by ZTE cannot be enrolled here." in page
    assert page.count(f'<time datetime="{timezone.localtime(when).isoformat()}') == 2


def test_one_identifier_is_deleted_after_its_confirmation(admin_user):
    identifier = listed(IdentifierKind.IMEI, IMEI)
    client = client_for(admin_user)
    url = f"{LIST}{identifier.pk}/delete/"

    confirm = client.get(url)
    assert confirm.status_code == 200 and f"Delete IMEI {IMEI}?" in confirm.content.decode()
    assert CorporateIdentifier.objects.exists()

    done = client.post(url, follow=True)
    assert done.redirect_chain == [(LIST, 302)] and f"The IMEI {IMEI} was deleted." in done.content.decode()
    assert not CorporateIdentifier.objects.exists()
    assert entries() == [{"deleted": 1, "identifiers": [f"IMEI {IMEI}"]}]
    assert client.post(url).status_code == 404


def test_selected_identifiers_are_deleted_after_a_confirmation_and_only_by_post(admin_user):
    first, second = listed(IdentifierKind.SERIAL, "AAA1"), listed(IdentifierKind.SERIAL, "BBB2")
    keep = listed(IdentifierKind.SERIAL, "CCC3")
    client = client_for(admin_user)

    asked = client.post(LIST + "delete/", {"ids": [first.pk, second.pk]})
    assert "Delete 2 corporate identifiers?" in asked.content.decode()
    assert CorporateIdentifier.objects.count() == 3

    done = client.post(LIST + "delete/", {"ids": [first.pk, second.pk, 999999], "confirm": "yes"}, follow=True)
    assert "2 identifiers deleted." in done.content.decode()
    assert list(CorporateIdentifier.objects.all()) == [keep]
    assert entries() == [{"deleted": 2, "identifiers": ["Serial number AAA1", "Serial number BBB2"]}]
    assert client.get(LIST + "delete/").status_code == 405
    nothing = client.post(LIST + "delete/", {"confirm": "yes"}, follow=True)
    assert "Select at least one identifier to delete." in nothing.content.decode()


def test_the_export_is_utf8_with_a_bom_and_escapes_formula_cells(super_helpdesk_user):
    phone = device("alice", model="Pixel 8")
    listed(IdentifierKind.SERIAL, "=HYPERLINK(1)", note="+49 desk, 2nd floor")
    listed(IdentifierKind.IMEI, IMEI, note="Anna’s phone", status=IdentifierStatus.ENROLLED, device=phone,
           enrolled_at=timezone.now())

    client = client_for(super_helpdesk_user)
    response = client.get(EXPORT)

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body = export_body(client)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["serial_number", "imei", "note", "status", "device", "enrolled_at", "refused_at",
                       "refused_reason", "added_at"]
    assert rows[1][:5] == ["'=HYPERLINK(1)", "", "'+49 desk, 2nd floor", "Not contacted", ""]
    assert rows[2][:5] == ["", IMEI, "Anna’s phone", "Enrolled", "alice · Pixel 8"]
    assert len(rows) == 3


def test_the_export_follows_the_lists_search_and_status(admin_user):
    listed(IdentifierKind.SERIAL, "AAA1", status=IdentifierStatus.REFUSED)
    listed(IdentifierKind.SERIAL, "BBB2")
    body = export_body(client_for(admin_user), status="refused")
    assert [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:] == ["AAA1"]
