"""The admin alert prints "Mobile:" only when there is a mobile number ({% if placeholder %} in templates)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.actor import Actor
from lib.crypto import unseal
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import Message, MessageTemplate, TemplateKey
from notifications.outbox import notify_enrollment_created
from notifications.rendering import validate_template
from tests.conftest import MakePending

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("notifications.migrations.0005_admin_alert_mobile_line")


def admin_alert_body(make_pending: MakePending, admin_user: User, **fields: str) -> str:
    with transaction.atomic():
        created = make_pending("eve", email="eve@example.com", **fields)
        notify_enrollment_created(enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user),
                                  email_user=False, sms_user=False)
    return unseal(Message.objects.get(template_key=TemplateKey.ADMIN_PROVISIONED).body_sealed)


def test_the_admin_alert_leaves_out_the_mobile_line_when_there_is_no_mobile(make_pending, admin_user):
    body = admin_alert_body(make_pending, admin_user)

    assert "Mobile:" not in body
    assert "Ownership: " in body and "\nToken: " in body


def test_the_admin_alert_prints_the_mobile_line_when_there_is_one(make_pending, admin_user):
    body = admin_alert_body(make_pending, admin_user, mobile="+491712345678")

    assert "\nMobile: +491712345678\nToken: " in body


def test_the_migrated_admin_alert_holds_the_new_default():
    stored = MessageTemplate.objects.get(key=TemplateKey.ADMIN_PROVISIONED)

    assert stored.body == DEFAULT_TEMPLATES[TemplateKey.ADMIN_PROVISIONED]["body"] == MIGRATION.NEW_BODY
    assert "{% if mobile %}Mobile: {{ mobile }}\n{% endif %}" in stored.body


def test_the_migration_updates_the_old_default_text():
    MessageTemplate.objects.filter(key=TemplateKey.ADMIN_PROVISIONED).update(body=MIGRATION.OLD_BODY)

    MIGRATION.forwards(apps, None)

    assert MessageTemplate.objects.get(key=TemplateKey.ADMIN_PROVISIONED).body == MIGRATION.NEW_BODY


def test_the_migration_never_overwrites_an_administrators_edit():
    edited = MIGRATION.OLD_BODY.replace("Hello,", "Hi team,")
    MessageTemplate.objects.filter(key=TemplateKey.ADMIN_PROVISIONED).update(body=edited)

    MIGRATION.forwards(apps, None)

    assert MessageTemplate.objects.get(key=TemplateKey.ADMIN_PROVISIONED).body == edited


@pytest.mark.parametrize("body", [
    "{% if mobile %}Mobile: {{ mobile }}\n{% endif %}Bye",
    "{% if first_name %}Hello {{ first_name }}{% else %}Hello{% endif %},",
])
def test_an_if_on_a_documented_placeholder_is_allowed(body):
    validate_template(channel="email", subject="Hi", body=body)


@pytest.mark.parametrize(("body", "reason"), [
    ("{% if secret %}x{% endif %}", "“secret” in “{% if secret %}” is not a known placeholder"),
    ("{% if mobile == '1' %}x{% endif %}", "template tags such as"),
    ("{% if mobile|length %}x{% endif %}", "is not a known placeholder"),
    ("{% for x in mobile %}{% endfor %}", "template tags such as"),
    ("{% if mobile %}Mobile: {{ mobile }}", "Unclosed tag"),
    ("{% else %}", "else"),
])
def test_other_tags_and_conditions_are_refused(body, reason):
    with pytest.raises(ValidationError) as excinfo:
        validate_template(channel="email", subject="Hi", body=body)
    assert reason in str(excinfo.value)


def test_an_sms_that_only_tests_the_link_does_not_keep_it():
    with pytest.raises(ValidationError, match="The SMS must keep"):
        validate_template(channel="sms", subject="", body="{% if activation_url %}Enroll{% endif %} {{ otp }}")
