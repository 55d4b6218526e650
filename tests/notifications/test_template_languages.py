"""Admin > Email Templates: one version of each end-user template per language, English the fallback (SPEC F17).
The placeholder rules hold for every version; the preview renders in the version's language; a version can be
removed (that language then gets English) and added again (its shipped text)."""

import pytest

from audit.models import AuditAction, AuditEntry
from notifications.defaults import DEFAULT_TRANSLATIONS, ensure_default_templates
from notifications.models import END_USER_TEMPLATES, MessageTemplate, TemplateKey
from notifications.rendering import validate_template
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def version(key: str, language: str) -> MessageTemplate:
    return MessageTemplate.objects.get(key=key, language=language)


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


@pytest.mark.smoke
def test_every_end_user_template_ships_in_german_french_and_italian_and_each_keeps_the_rules() -> None:
    for key in END_USER_TEMPLATES:
        for language in ("de", "fr", "it"):
            shipped = version(key, language)
            validate_template(channel=shipped.channel, subject=shipped.subject, body=shipped.body)
            assert shipped.body != version(key, "en").body, (key, language)
    assert set(MessageTemplate.objects.filter(key=TemplateKey.ADMIN_PROVISIONED).values_list("language", flat=True)) \
        == {"en"}


def test_the_list_shows_each_templates_languages(admin):
    page = admin.get("/settings/email-templates/").content.decode()
    for language in ("de", "fr", "it"):
        shipped = version(TemplateKey.ENROLLMENT_SMS, language)
        assert f'href="/settings/email-templates/{shipped.pk}/" data-testid="version-enrollment_sms-{language}"' in page
    assert "English only" in page


def test_the_preview_shows_the_version_in_its_language(admin):
    page = admin.get(f"/settings/email-templates/{version(TemplateKey.USER_PROVISIONED, 'de').pk}/").content.decode()
    assert "Guten Tag jdoe," in page and "Läuft ab: 24. Nov. 2026, 09:00 UTC" in page
    assert "dates and words in German" in page
    page = admin.get(f"/settings/email-templates/{version(TemplateKey.OTP_RESET, 'it').pk}/").content.decode()
    assert "Gentile jdoe," in page and "Scadenza: 24 nov 2026, 09:00 UTC" in page


def test_the_placeholder_rules_apply_to_every_language(admin):
    german = version(TemplateKey.USER_PROVISIONED, "de")
    response = admin.post(f"/settings/email-templates/{german.pk}/", {
        "subject": "Hallo", "body": "Ihr Passwort: {{ password }}", "action": "save"})
    assert response.status_code == 200 and "“{{ password }}” is not a known placeholder" in response.content.decode()
    sms = version(TemplateKey.ENROLLMENT_SMS, "fr")
    response = admin.post(f"/settings/email-templates/{sms.pk}/", {"body": "OTP : {{ otp }}", "action": "save"})
    assert "The SMS must keep {{ activation_url }}" in response.content.decode()
    assert version(TemplateKey.USER_PROVISIONED, "de").body == german.body
    assert version(TemplateKey.ENROLLMENT_SMS, "fr").body == sms.body


def test_a_version_can_be_removed_and_added_again_with_its_shipped_text(admin):
    italian = version(TemplateKey.QR_USER, "it")
    assert admin.post(f"/settings/email-templates/{italian.pk}/remove/").status_code == 302
    assert not MessageTemplate.objects.filter(key=TemplateKey.QR_USER, language="it").exists()
    assert "Italian: English is sent" in admin.get("/settings/email-templates/").content.decode()
    assert ensure_default_templates().get(TemplateKey.QR_USER, "it").language == "en"  # it stays removed
    english = version(TemplateKey.QR_USER, "en")
    response = admin.post(f"/settings/email-templates/{english.pk}/languages/", {"language": "it"})
    added = version(TemplateKey.QR_USER, "it")
    assert response["Location"] == f"/settings/email-templates/{added.pk}/"
    assert added.body == DEFAULT_TRANSLATIONS["it"][TemplateKey.QR_USER]["body"]
    changes = AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).order_by("id")
    assert [(e.details["language"], e.details["changed"]) for e in changes] == [("it", ["removed"]), ("it", ["added"])]


def test_english_cannot_be_removed_nor_the_admins_alert_get_languages(admin):
    english = version(TemplateKey.USER_PROVISIONED, "en")
    admin.post(f"/settings/email-templates/{english.pk}/remove/")
    assert MessageTemplate.objects.filter(pk=english.pk).exists()
    alert = version(TemplateKey.ADMIN_PROVISIONED, "en")
    admin.post(f"/settings/email-templates/{alert.pk}/languages/", {"language": "de"})
    assert not MessageTemplate.objects.filter(key=TemplateKey.ADMIN_PROVISIONED, language="de").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).exists()


def test_a_database_without_the_shipped_rows_gets_every_version() -> None:
    MessageTemplate.objects.all().delete()
    templates = ensure_default_templates()
    assert templates.get(TemplateKey.ENROLLMENT_SMS, "it").body.startswith("Registri il Suo dispositivo")
    assert MessageTemplate.objects.count() == 1 + len(END_USER_TEMPLATES) * 4


def test_removing_a_version_asks_first_and_the_edit_page_only_links_to_the_question(admin):
    french = version(TemplateKey.USER_PROVISIONED, "fr")
    page = admin.get(f"/settings/email-templates/{french.pk}/").content.decode()
    # No one-click removal: the edit page has no form posting to remove, only a link to the question.
    assert f'action="/settings/email-templates/{french.pk}/remove/"' not in page
    assert f'href="/settings/email-templates/{french.pk}/remove/"' in page
    assert "<title>Admin Provisioned a Device Notification for User" in page and "<title><form" not in page
    question = admin.get(f"/settings/email-templates/{french.pk}/remove/")
    assert question.status_code == 200 and MessageTemplate.objects.filter(pk=french.pk).exists()
    text = question.content.decode()
    assert "Remove the French version of “Admin Provisioned a Device Notification for User”?" in text
    assert f'href="/settings/email-templates/{french.pk}/"' in text  # Cancel
    assert not AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).exists()
    assert admin.post(f"/settings/email-templates/{french.pk}/remove/").status_code == 302
    assert not MessageTemplate.objects.filter(pk=french.pk).exists()
    # English is never removable: its question is not even asked.
    english = version(TemplateKey.USER_PROVISIONED, "en")
    response = admin.get(f"/settings/email-templates/{english.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == f"/settings/email-templates/{english.pk}/"


def test_only_who_may_change_templates_is_asked(helpdesk_user):
    french = version(TemplateKey.USER_PROVISIONED, "fr")
    assert client_for(helpdesk_user).get(f"/settings/email-templates/{french.pk}/remove/").status_code in (403, 404)
