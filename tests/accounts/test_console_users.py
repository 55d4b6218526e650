import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

NEW_USER = {"username": "nina", "first_name": "Nina", "last_name": "Nguyen", "email": "nina@onramp.test",
            "is_active": "on", "role": "Helpdesk", "password": "a long enough passphrase"}


def _roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


@pytest.mark.smoke
def test_an_admin_adds_a_console_user_with_a_role(admin_user):
    response = client_for(admin_user).post("/settings/users/new/", {**NEW_USER, "receive_email_alerts": "on"},
                                           follow=True)
    assert "Console user nina saved." in response.content.decode()
    nina = User.objects.get(username="nina")
    assert _roles(nina) == ["Helpdesk"]
    assert nina.receive_email_alerts is True
    assert nina.check_password("a long enough passphrase")
    entry = AuditEntry.objects.get(action=AuditAction.CONSOLE_USER_CREATED)
    assert (entry.actor, entry.target_username, entry.details["role"], entry.details["password_changed"]) == (
        admin_user, "nina", "Helpdesk", True)
    assert "password" not in entry.details["changed"]
    assert "a long enough passphrase" not in str(entry.details)


def test_a_new_user_needs_a_password(admin_user):
    response = client_for(admin_user).post("/settings/users/new/", {**NEW_USER, "password": ""})
    assert response.context["form"].errors["password"] == ["This field is required."]
    assert not User.objects.filter(username="nina").exists()


def test_a_weak_password_is_refused(admin_user):
    response = client_for(admin_user).post("/settings/users/new/", {**NEW_USER, "password": "short"})
    assert "This password is too short. It must contain at least 10 characters." in response.context["form"].errors[
        "password"]
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.smoke
def test_an_admin_switches_a_users_role_and_email_alerts(admin_user, helpdesk_user):
    data = {"username": "hal", "email": "hal@onramp.test", "is_active": "on", "role": "Super Helpdesk",
            "receive_email_alerts": "on", "password": ""}
    client_for(admin_user).post(f"/settings/users/{helpdesk_user.pk}/", data)
    helpdesk_user.refresh_from_db()
    assert _roles(helpdesk_user) == ["Super Helpdesk"]
    assert helpdesk_user.receive_email_alerts is True
    assert helpdesk_user.check_password(PASSWORD)  # an empty password keeps the old one
    entry = AuditEntry.objects.get(action=AuditAction.CONSOLE_USER_CHANGED)
    assert entry.details["role"] == "Super Helpdesk"
    assert entry.details["password_changed"] is False
    assert "receive_email_alerts" in entry.details["changed"]

    data.pop("receive_email_alerts")
    client_for(admin_user).post(f"/settings/users/{helpdesk_user.pk}/", data)
    helpdesk_user.refresh_from_db()
    assert helpdesk_user.receive_email_alerts is False


def test_the_edit_form_shows_the_current_role(admin_user, super_helpdesk_user):
    form = client_for(admin_user).get(f"/settings/users/{super_helpdesk_user.pk}/").context["form"]
    assert form["role"].value() == "Super Helpdesk"


@pytest.mark.parametrize("change", [{"role": "Helpdesk"}, {"is_active": ""}])
def test_an_admin_cannot_demote_or_deactivate_themself(admin_user, change):
    data = {"username": "ada", "email": "ada@onramp.test", "is_active": "on", "role": "Administrator",
            "password": "", **change}
    response = client_for(admin_user).post(f"/settings/users/{admin_user.pk}/", data)
    assert response.status_code == 200
    assert "You cannot deactivate yourself or take away your own Administrator role." in response.content.decode()
    admin_user.refresh_from_db()
    assert _roles(admin_user) == ["Administrator"] and admin_user.is_active
    assert not AuditEntry.objects.filter(action=AuditAction.CONSOLE_USER_CHANGED).exists()


@pytest.mark.parametrize("change", [{"role": "Helpdesk"}, {"is_active": False}])
def test_console_user_save_refuses_a_self_demotion_and_writes_nothing(admin_user, change):
    from accounts.services import ConsoleUserError, console_user_save
    from audit.actor import Actor

    role = Group.objects.get(name=change.get("role", "Administrator"))
    admin_user.is_active = change.get("is_active", True)
    with pytest.raises(ConsoleUserError, match="You cannot deactivate yourself or take away your own Administrator"):
        console_user_save(user=admin_user, role=role, password="", actor=Actor.for_user(admin_user),
                          changed=["is_active"])
    admin_user.refresh_from_db()
    assert _roles(admin_user) == ["Administrator"] and admin_user.is_active
    assert not AuditEntry.objects.filter(action=AuditAction.CONSOLE_USER_CHANGED).exists()


def test_console_user_save_lets_an_admin_demote_another_admin(admin_user):
    from accounts.services import console_user_save
    from audit.actor import Actor

    other = User.objects.create_user("grace", password=PASSWORD)
    other.groups.add(Group.objects.get(name="Administrator"))
    console_user_save(user=other, role=Group.objects.get(name="Helpdesk"), password="",
                      actor=Actor.for_user(admin_user), changed=[])
    assert _roles(other) == ["Helpdesk"]


def test_editing_an_unknown_user_is_404(admin_user):
    assert client_for(admin_user).get("/settings/users/999999999/").status_code == 404


def test_the_user_list_shows_roles_and_alerts(admin_user, helpdesk_user):
    html = client_for(admin_user).get("/settings/users/").content.decode()
    assert "hal" in html and "Helpdesk" in html and "Receive email alerts" in html
    assert Group.objects.filter(name__in=["Administrator", "Super Helpdesk", "Helpdesk"]).count() == 3
