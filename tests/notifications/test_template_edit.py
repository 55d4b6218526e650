"""Admin > Email Templates: only documented placeholders, the SMS keeps its link, preview, audit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import EndUser, UserType
from audit.actor import Actor
from audit.models import AuditAction, AuditEntry
from enrollment.models import GeneralSettings
from lib.crypto import unseal
from notifications.models import MessageTemplate, TemplateKey
from notifications.outbox import notify_enrollment_created
from notifications.rendering import SAMPLE_TOKEN, validate_template
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def edit_url(key: str) -> str:
    return reverse("notifications:template_edit", args=[MessageTemplate.objects.get(key=key, language="en").pk])


@pytest.mark.smoke
def test_the_shipped_templates_exist_after_migrate():
    templates = {t.key: t for t in MessageTemplate.objects.filter(language="en")}
    assert templates[TemplateKey.ADMIN_PROVISIONED].name == "Admin Provisioned a Device Notification"
    user = templates[TemplateKey.USER_PROVISIONED]
    assert user.name == "Admin Provisioned a Device Notification for User"
    assert user.subject == "An Administrator has provisioned a device on your behalf"
    assert "{{ activation_url }}" in templates[TemplateKey.ENROLLMENT_SMS].body
    for template in templates.values():
        validate_template(channel=template.channel, subject=template.subject, body=template.body)


def test_the_list_shows_every_template(admin_user):
    response = client_for(admin_user).get(reverse("notifications:template_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Admin Provisioned a Device Notification for User" in html
    assert "Enrollment SMS" in html


def test_saving_a_valid_template_changes_the_next_messages_and_audits(admin_user, make_pending):
    response = client_for(admin_user).post(edit_url(TemplateKey.USER_PROVISIONED), {
        "subject": "Your new device, {{ username }}",
        "body": "Code {{ otp }} at {{ activation_url }}",
        "action": "save",
    })

    assert response.status_code == 302
    created = make_pending("eve", email="eve@example.com")
    notify_enrollment_created(enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user),
                              notify_admins=False, sms_user=False)
    (message,) = created.enrollment.messages.all()
    assert unseal(message.subject_sealed) == "Your new device, eve"
    assert unseal(message.body_sealed).startswith(f"Code {created.otp} at http")
    entry = AuditEntry.objects.get(action=AuditAction.TEMPLATE_CHANGED)
    assert entry.actor == admin_user
    assert entry.details["template"] == "user_provisioned"
    assert sorted(entry.details["changed"]) == ["body", "subject"]


def test_an_unknown_placeholder_is_refused_with_the_reason(admin_user):
    response = client_for(admin_user).post(edit_url(TemplateKey.USER_PROVISIONED), {
        "subject": "Hello", "body": "Your password is {{ password }}", "action": "save",
    })

    assert response.status_code == 200
    html = response.content.decode()
    assert "“{{ password }}” is not a known placeholder" in html
    assert "Allowed placeholders:" in html
    assert "{{ password }}" not in MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="en").body
    assert not AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).exists()


@pytest.mark.parametrize("source, reason", [
    ("{% load static %}{{ otp }}", "template tags such as"),
    ("{{ otp|upper }}", "filters such as"),
    ("{{ settings.SECRET_KEY }}", "is not a known placeholder"),
    ("{{ otp }", "an unclosed"),
    ("{# hidden #}{{ otp }}", ""),
])
def test_tags_filters_lookups_and_typos_are_refused(source, reason):
    if not reason:
        validate_template(channel="email", subject="Hi", body=source)  # a comment is harmless
        return
    with pytest.raises(ValidationError) as excinfo:
        validate_template(channel="email", subject="Hi", body=source)
    assert reason in str(excinfo.value)


def test_an_unknown_placeholder_in_the_subject_is_refused(admin_user):
    response = client_for(admin_user).post(edit_url(TemplateKey.ADMIN_PROVISIONED), {
        "subject": "New device for {{ user.email }}", "body": "{{ username }}", "action": "save",
    })

    assert "“{{ user.email }}” is not a known placeholder" in response.content.decode()


def test_an_sms_without_the_activation_link_is_refused(admin_user):
    response = client_for(admin_user).post(edit_url(TemplateKey.ENROLLMENT_SMS), {
        "body": "Your code is {{ otp }}", "action": "save",
    })

    assert response.status_code == 200
    assert "The SMS must keep {{ activation_url }}" in response.content.decode()
    assert "{{ activation_url }}" in MessageTemplate.objects.get(key=TemplateKey.ENROLLMENT_SMS, language="en").body


def test_the_sms_form_has_no_subject(admin_user):
    html = client_for(admin_user).get(edit_url(TemplateKey.ENROLLMENT_SMS)).content.decode()

    assert 'name="subject"' not in html
    assert '<label for="id_body">Body' in html


def test_preview_renders_the_unsaved_text_with_sample_values(admin_user):
    response = client_for(admin_user).post(edit_url(TemplateKey.USER_PROVISIONED), {
        "subject": "Device for {{ username }}", "body": "OTP {{ otp }} expires {{ expires }}", "action": "preview",
    })

    html = response.content.decode()
    assert response.status_code == 200
    assert "Device for jdoe" in html
    assert "OTP K7P3M9QX expires 24 Nov 2026" in html
    stored = MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="en")
    assert stored.subject != "Device for {{ username }}"
    assert not AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).exists()


def test_a_placeholder_value_is_not_html_escaped_in_the_message(admin_user, make_pending):
    # A directory's own name (the console's username rule would refuse it for a new local user).
    ldap_user = EndUser.objects.create(username="o'brien&co", user_type=UserType.LDAP, email="ob@example.com")
    created = make_pending("o'brien&co", user_type=UserType.LDAP, end_user=ldap_user, email="ob@example.com")
    notify_enrollment_created(enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user),
                              notify_admins=False, sms_user=False)

    (message,) = created.enrollment.messages.all()
    assert "Hello o'brien&co," in unseal(message.body_sealed)


@pytest.mark.parametrize("who", ["super_helpdesk", "helpdesk", "outsider"])
def test_only_administrators_reach_the_template_pages(cast, who):
    client = client_for(cast[who])

    assert client.get(reverse("notifications:template_list")).status_code == 403
    assert client.get(edit_url(TemplateKey.USER_PROVISIONED)).status_code == 403
    assert client.post(edit_url(TemplateKey.USER_PROVISIONED), {"subject": "x", "body": "y"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in():
    response = client_for(None).get(reverse("notifications:template_list"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


XSS = '"><img src=x onerror=alert(document.domain)>'


def test_it_escapes_markup_in_every_part_of_the_preview(admin_user):
    response = client_for(admin_user).post(edit_url(TemplateKey.USER_PROVISIONED), {
        "subject": f"Subject {XSS}", "body": f"Body {XSS} {{{{ otp }}}}", "action": "preview",
    })

    html = response.content.decode()
    assert response.status_code == 200
    assert "<img src=x onerror" not in html
    assert '<span id="preview-subject">Subject &quot;&gt;&lt;img src=x onerror=' in html
    assert '<pre id="preview-body">Body &quot;&gt;&lt;img src=x onerror=alert(document.domain)&gt; K7P3M9QX' in html


def test_it_escapes_markup_in_the_preview_of_a_saved_sms(admin_user):
    MessageTemplate.objects.filter(key=TemplateKey.ENROLLMENT_SMS).update(body=f"{XSS} {{{{ activation_url }}}}")

    html = client_for(admin_user).get(edit_url(TemplateKey.ENROLLMENT_SMS)).content.decode()

    assert "<img src=x onerror" not in html
    assert '<pre id="preview-body">&quot;&gt;&lt;img src=x' in html


def test_the_preview_link_uses_the_configured_activation_url(admin_user):
    general = GeneralSettings.load()
    general.activation_url = "https://mdm.corp.test/"
    general.save()

    shown = client_for(admin_user).get(edit_url(TemplateKey.ENROLLMENT_SMS)).content.decode()
    previewed = client_for(admin_user).post(edit_url(TemplateKey.USER_PROVISIONED), {
        "subject": "Hi", "body": "Open {{ activation_url }}", "action": "preview",
    }).content.decode()

    for html in (shown, previewed):
        assert f"https://mdm.corp.test/enroll/{SAMPLE_TOKEN}/" in html
        assert "onramp.example.com" not in html
