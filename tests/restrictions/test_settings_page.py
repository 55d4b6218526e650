"""Admin > Enrollment restrictions, the rules' page: an Administrator edits and saves them (audited),
a Super Helpdesk reads them, a Helpdesk does not see them."""

from typing import Any

import pytest

from audit.models import AuditAction, AuditEntry
from restrictions.models import RestrictionSettings
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db]

URL = "/settings/restrictions/"


def form_data(**changes: Any) -> dict[str, Any]:
    """What the page posts with nothing changed (every platform ticked, nothing else set)."""
    data: dict[str, Any] = {"device_limit": "", "device_limit_corporate": "", "device_limit_personal": "",
                            "min_os_android": "", "min_os_ios": "", "min_os_macos": "", "min_os_windows": "",
                            "blocked_manufacturers": ""}
    for ownership in ("corporate", "personal", "unknown"):
        data[f"platforms_{ownership}"] = ["android", "ios", "macos", "windows"]
    return {**data, **changes}


@pytest.mark.smoke
def test_an_administrator_saves_the_rules_normalised_and_audited(admin_user):
    response = client_for(admin_user).post(URL, form_data(
        device_limit="5", device_limit_personal="2", platforms_personal=["ios", "android"], platforms_unknown=[],
        min_os_android=" 13 ", min_os_windows="10.0.19045",
        blocked_manufacturers=" huawei, ZTE,\r\nHUAWEI , ,Xiaomi", corporate_list_required="on"), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "The enrollment restrictions were saved." in response.content.decode()
    rules = RestrictionSettings.objects.get()
    assert (rules.device_limit, rules.device_limit_corporate, rules.device_limit_personal) == (5, None, 2)
    assert rules.platforms_personal == ["android", "ios"]  # in the platforms' order, whatever the order ticked
    assert rules.platforms_unknown == [] and rules.platforms_corporate == ["android", "ios", "macos", "windows"]
    assert (rules.min_os_android, rules.min_os_ios, rules.min_os_windows) == ("13", "", "10.0.19045")
    assert rules.blocked_manufacturers == "huawei\nZTE\nXiaomi"  # one per line, each once, the first spelling
    assert rules.corporate_list_required is True
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert entry.actor_name == "ada" and entry.details["settings"] == "restrictions"
    assert entry.details["changes"]["device_limit"] == [None, 5]
    assert entry.details["changes"]["corporate_list_required"] == [False, True]
    assert "platforms_corporate" not in entry.details["changes"]


def test_the_platforms_are_audited_as_lists_and_saving_unchanged_writes_no_entry(admin_user):
    client = client_for(admin_user)

    client.post(URL, form_data(platforms_personal=["ios"]), follow=True)
    again = client.post(URL, form_data(platforms_personal=["ios"]), follow=True)

    (entry,) = AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED)
    assert entry.details["changes"] == {"platforms_personal": [["android", "ios", "macos", "windows"], ["ios"]]}
    assert ("Platforms personal", "android, ios, macos, windows → ios") in entry.details_fields()
    assert "Nothing changed." in again.content.decode()
    assert "The enrollment restrictions were saved." not in again.content.decode()


@pytest.mark.parametrize("typed", ["fourteen", "14 beta", "14..1", "v14", ".5", "-1", "١٠", "１７"])
def test_a_minimum_os_version_that_is_not_ascii_digits_and_dots_is_refused_with_a_message(admin_user, typed):
    response = client_for(admin_user).post(URL, form_data(min_os_ios=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["min_os_ios"] == ["Enter a version in numbers and dots, such as 17.2."]
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()
    assert RestrictionSettings.load().min_os_ios == ""


def test_each_minimum_os_version_has_an_example_of_its_own_platform(admin_user):
    form = client_for(admin_user).get(URL).context["form"]

    examples = {name: form.fields[name].help_text for name in
                ("min_os_android", "min_os_ios", "min_os_macos", "min_os_windows")}
    assert "e.g. 13;" in examples["min_os_android"] and "e.g. 17.2;" in examples["min_os_ios"]
    assert "e.g. 14;" in examples["min_os_macos"] and "e.g. 10.0.19045;" in examples["min_os_windows"]


@pytest.mark.parametrize("typed", ["0", "-1", "10001", "1.5"])
def test_a_device_limit_out_of_range_is_refused_with_one_message(admin_user, typed):
    response = client_for(admin_user).post(URL, form_data(device_limit=typed, device_limit_personal=typed))

    errors = response.context["form"].errors
    message = ("Enter a whole number from 1 to 10,000, or leave it empty for no limit. To refuse every device of an "
               "ownership, untick its platforms.")
    assert errors["device_limit"] == [message] and errors["device_limit_personal"] == [message]


def test_an_unknown_platform_is_refused(admin_user):
    response = client_for(admin_user).post(URL, form_data(platforms_corporate=["android", "blackberry"]))

    assert "blackberry is not one of the available choices" in response.context["form"].errors["platforms_corporate"][0]


def test_blocked_manufacturers_typed_with_semicolons_or_tabs_are_saved_one_per_line(admin_user):
    client_for(admin_user).post(URL, form_data(blocked_manufacturers="Huawei; ZTE\tXiaomi;zte"))

    assert RestrictionSettings.load().blocked_manufacturers == "Huawei\nZTE\nXiaomi"


def test_a_nul_in_the_manufacturers_is_refused_with_a_message(admin_user):
    response = client_for(admin_user).post(URL, form_data(blocked_manufacturers="Hua\x00wei"))

    assert response.status_code == 200 and "blocked_manufacturers" in response.context["form"].errors


def test_the_page_shows_the_platforms_per_ownership_as_labelled_checkbox_groups(admin_user):
    page = client_for(admin_user).get(URL).content.decode()

    for ownership in ("Corporate", "Personal", "Unknown ownership"):
        assert f"<legend>Platforms allowed for {ownership}</legend>" in page
    assert page.count('type="checkbox" name="platforms_personal"') == 4
    assert '<button type="submit">Save</button>' in page
    assert 'href="/settings/restrictions/identifiers/"' in page


def test_a_super_helpdesk_reads_the_rules_with_every_field_disabled_and_no_save(super_helpdesk_user, restrict):
    restrict(device_limit=3, blocked_manufacturers="ZTE")
    client = client_for(super_helpdesk_user)

    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Save</button>" not in page and '<form method="post" class="narrow"' not in page
    form = response.context["form"]
    assert all(field.disabled for field in form.fields.values())
    assert form["device_limit"].value() == 3 and "ZTE" in page

    refused = client.post(URL, form_data(device_limit="9"))
    assert refused.status_code == 403
    assert RestrictionSettings.load().device_limit == 3
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_a_super_helpdesk_reads_the_rules_in_plain_sentences_above_the_disabled_form(super_helpdesk_user, restrict):
    restrict(platforms_personal=["ios"], platforms_unknown=[], device_limit=3, min_os_android="13",
             blocked_manufacturers="Huawei\nZTE", corporate_list_required=True)

    response = client_for(super_helpdesk_user).get(URL)

    assert response.context["summary"] == [
        "Corporate: every platform.", "Personal: iOS/iPadOS only.",
        "Unknown ownership: no platform (no device of this ownership enrolls).", "Minimum Android: 13.",
        "Blocked manufacturers: Huawei, ZTE.", "Corporate devices must be on the list: on.", "Devices per user: 3.",
        "Corporate devices per user: no limit.", "Personal devices per user: no limit."]
    page = response.content.decode()
    assert '<li>Personal: iOS/iPadOS only.</li>' in page
    assert page.index('data-testid="rules-summary"') < page.index('name="device_limit"')


@pytest.mark.parametrize(("url", "data"), [
    (URL, form_data(min_os_android="14 beta")),
    ("/settings/restrictions/identifiers/new/", {"kind": "imei", "value": "352099001761482"}),
    ("/settings/restrictions/identifiers/import/", {}),
])
def test_a_form_sent_with_errors_shows_the_error_summary_linking_to_the_fields(admin_user, url, data):
    page = client_for(admin_user).post(url, data).content.decode()

    summary = page[page.index('data-testid="error-summary"'):]
    assert page.index("<h1>") < page.index('data-testid="error-summary"') < page.index('class="narrow"')  # the form
    assert "autofocus" in page[page.index('class="error-summary"'):page.index('data-testid="error-summary"')]
    assert '<a href="#id_' in summary[:summary.index("</div>")]


def test_a_helpdesk_user_is_refused_the_rules_and_the_identifiers(helpdesk_user):
    client = client_for(helpdesk_user)
    paths = [URL, "/settings/restrictions/identifiers/", "/settings/restrictions/identifiers/export.csv"]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 403)
    assert client.post(URL, form_data()).status_code == 403


def test_the_admin_menu_lists_enrollment_restrictions_for_who_may_see_them(cast):
    def menu(role: str) -> list[str]:
        return [item["label"] for item in client_for(cast[role]).get("/devices/").context["admin_nav"]]

    assert "Enrollment restrictions" in menu("admin")
    assert "Enrollment restrictions" in menu("super_helpdesk")
    assert "Enrollment restrictions" not in menu("helpdesk")


def test_the_menu_entry_is_current_on_the_identifiers_pages_too(admin_user):
    nav = client_for(admin_user).get("/settings/restrictions/identifiers/").context["admin_nav"]
    assert [item["label"] for item in nav if item["active"]] == ["Enrollment restrictions"]
