"""The shipped German, French and Italian template texts after the outside test (F17): the wording fixes reach
the database through migration 0009 only where a row still holds the text 0008 shipped, and every shipped SMS
stays in the GSM 7-bit alphabet (one part holds 160 characters, not UCS-2's 70)."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.utils import translation

from notifications.defaults import DEFAULT_TEMPLATES, DEFAULT_TRANSLATIONS, default_fields
from notifications.models import Channel, MessageTemplate, TemplateKey
from notifications.rendering import format_expires

pytestmark = pytest.mark.django_db

SHIPPED_0008 = importlib.import_module("notifications.migrations.0008_template_languages").TEMPLATES
FIXES = importlib.import_module("notifications.migrations.0009_template_wording_fixes")

# GSM 03.38: the basic character set and its extension table (each extension character costs two septets).
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
                "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("\f^{}\\[~]|€")


def gsm7_outside(text: str) -> set[str]:
    return {char for char in text if char not in GSM_BASIC and char not in GSM_EXTENSION}


def test_the_gsm_alphabet_check_knows_the_basic_set_and_the_extension_table() -> None:
    assert len(GSM_BASIC) == 128 - 1  # 128 code points, one of them the escape to the extension table
    assert gsm7_outside("Enrôlez votre appareil : {{ activation_url }}") == {"ô"}
    assert gsm7_outside("Registrieren Sie Ihr Gerät: {{ otp }} ß € [x]") == set()


def test_every_shipped_sms_of_every_language_is_gsm_7_bit() -> None:
    shipped = {"en": DEFAULT_TEMPLATES, **DEFAULT_TRANSLATIONS}
    sms_keys = [key for key, fields in DEFAULT_TEMPLATES.items() if fields["channel"] == Channel.SMS]
    assert sms_keys
    for language in shipped:
        for key in sms_keys:
            fields = default_fields(key, language)
            assert fields is not None, (key, language)
            assert gsm7_outside(fields["body"]) == set(), (key, language, fields["body"])
    # What the migrations wrote too.
    rows = MessageTemplate.objects.filter(channel=Channel.SMS)
    assert {row.language for row in rows} == {"en", "de", "fr", "it"}
    for row in rows:
        assert gsm7_outside(row.body) == set(), (row.key, row.language, row.body)


def test_the_french_sms_says_enregistrez() -> None:
    row = MessageTemplate.objects.get(key=TemplateKey.ENROLLMENT_SMS, language="fr")
    assert row.body == "Enregistrez votre appareil : {{ activation_url }} OTP : {{ otp }}"


def test_the_migrated_rows_are_the_shipped_texts_of_defaults() -> None:
    for language in DEFAULT_TRANSLATIONS:
        for key in DEFAULT_TRANSLATIONS[language]:
            row = MessageTemplate.objects.get(key=key, language=language)
            fields = default_fields(key, language)
            assert fields is not None
            assert (row.subject, row.body) == (fields["subject"], fields["body"]), (key, language)


def test_the_wording_fixes_are_in_the_shipped_texts() -> None:
    german = MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="de").body
    assert "Läuft ab: {{ expires }}" in german and "Gültig bis" not in german
    for key in (TemplateKey.QR_USER, TemplateKey.QR_ALTERNATIVE):
        french = MessageTemplate.objects.get(key=key, language="fr").body
        assert "écran de bienvenue" in french and "écran d'accueil" not in french
        assert "läuft ab: {{ expires }}." in MessageTemplate.objects.get(key=key, language="de").body


@pytest.mark.parametrize(("language", "line"), [("de", "Läuft ab: nie"), ("fr", "Expiration : aucune"),
                                                ("it", "Scadenza: nessuna")])
def test_a_never_expiring_otp_reads_right_in_each_language(language: str, line: str) -> None:
    from django.template import Context

    from notifications.rendering import _ENGINE

    body = MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language=language).body
    with translation.override(language):
        rendered = _ENGINE.from_string(body).render(Context({"expires": format_expires(None), "username": "eve",
                                                             "activation_url": "x", "otp": "1"}))
        dated = format_expires(datetime(2026, 12, 1, 17, 31, tzinfo=UTC))
    assert line in rendered and "Gültig bis: nie" not in rendered
    assert dated.startswith("1")


def test_migration_0009_changes_only_rows_still_holding_the_shipped_text() -> None:
    # Back to what 0008 shipped, with one row edited by an Administrator since.
    for language, templates in SHIPPED_0008.items():
        for key, fields in templates.items():
            MessageTemplate.objects.filter(key=key, language=language).update(subject=fields["subject"],
                                                                               body=fields["body"])
    edited = "Enrôlez votre appareil maintenant : {{ activation_url }} ({{ otp }})"
    MessageTemplate.objects.filter(key=TemplateKey.ENROLLMENT_SMS, language="fr").update(body=edited)
    edited_de = SHIPPED_0008["de"]["user_provisioned"]["body"] + "Ihr Team\n"
    MessageTemplate.objects.filter(key=TemplateKey.USER_PROVISIONED, language="de").update(body=edited_de)

    FIXES.forwards(apps, None)

    assert MessageTemplate.objects.get(key=TemplateKey.ENROLLMENT_SMS, language="fr").body == edited
    assert MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="de").body == edited_de
    assert "Läuft ab" in MessageTemplate.objects.get(key=TemplateKey.OTP_RESET, language="de").body
    assert "écran de bienvenue" in MessageTemplate.objects.get(key=TemplateKey.QR_USER, language="fr").body
    FIXES.backwards(apps, None)
    assert "Gültig bis" in MessageTemplate.objects.get(key=TemplateKey.OTP_RESET, language="de").body
