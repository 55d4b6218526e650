"""The three console roles with the permissions of the foundation (frozen here; later features
add theirs in their own migrations)."""

from django.db import migrations

from accounts.roles import grant

GRANTS = {
    "Administrator": [
        "enrollment.view_pendingenrollment", "enrollment.view_otp", "enrollment.reset_otp",
        "enrollment.delete_pendingenrollment", "audit.view_auditentry", "enrollment.change_otppolicy",
        "enrollment.change_generalsettings", "licensing.view_licencepool", "licensing.change_licencepool",
        "accounts.view_user", "accounts.add_user", "accounts.change_user",
    ],
    "Super Helpdesk": [
        "enrollment.view_pendingenrollment", "enrollment.view_otp", "enrollment.reset_otp",
        "enrollment.delete_pendingenrollment", "audit.view_auditentry",
    ],
    "Helpdesk": [
        "enrollment.view_pendingenrollment", "enrollment.view_otp", "enrollment.reset_otp",
        "enrollment.delete_pendingenrollment",
    ],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("enrollment", "0001_initial"),
        ("licensing", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
