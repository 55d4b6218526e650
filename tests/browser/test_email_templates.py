import pytest

from audit.models import AuditAction, AuditEntry
from notifications.defaults import ensure_default_templates
from notifications.models import MessageTemplate, TemplateKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_previews_and_saves_an_email_template(admin_user, sign_in):
    page = sign_in(admin_user.username)
    page.get_by_text("Admin", exact=True).click()
    page.get_by_role("link", name="Email Templates").click()
    page.get_by_role("link", name="Admin Provisioned a Device Notification for User").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Admin Provisioned a Device Notification for User"

    page.get_by_label("Subject").fill("Welcome {{ username }}")
    page.get_by_label("Body").fill("Your code is {{ otp }}. Open {{ activation_url }}")
    page.get_by_role("button", name="Preview").click()
    assert page.locator("#preview-subject").inner_text() == "Welcome jdoe"
    assert "Your code is K7P3M9QX." in page.locator("#preview-body").inner_text()

    page.get_by_label("Body").fill("Your code is {{ secret }}")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("“{{ secret }}” is not a known placeholder").is_visible()

    page.get_by_label("Body").fill("Your code is {{ otp }}. Open {{ activation_url }}")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Email Templates"
    assert page.get_by_text("was saved").is_visible()
    template = MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="en")
    assert template.subject == "Welcome {{ username }}"
    assert AuditEntry.objects.filter(action=AuditAction.TEMPLATE_CHANGED).count() == 1


def test_the_language_versions_show_without_list_markers_and_removing_one_asks_first(admin_user, sign_in,
                                                                                      live_server):
    ensure_default_templates()  # a transactional test's database holds no migration data
    french = MessageTemplate.objects.get(key=TemplateKey.USER_PROVISIONED, language="fr")
    page = sign_in(admin_user.username)
    page.goto(f"{live_server.url}/settings/email-templates/{french.pk}/")
    versions = page.locator("ul.language-versions")
    assert versions.inner_text().split() == ["English", "German", "French", "Italian"]
    markers = versions.locator("li").evaluate_all(
        "items => items.map(li => getComputedStyle(li).listStyleType + '|' + getComputedStyle(li, '::marker').content)")
    assert all(marker.startswith("none|") for marker in markers), markers
    page.get_by_test_id("remove-version").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Remove the French version of")
    assert MessageTemplate.objects.filter(pk=french.pk).exists()
    page.get_by_role("button", name="Remove the French version").click()
    assert page.get_by_text("was removed").is_visible()
    assert not MessageTemplate.objects.filter(pk=french.pk).exists()
