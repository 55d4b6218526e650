from django.db import migrations

from accounts.roles import grant

GRANTS = {
    "Administrator": ["provisioning.provision_user", "provisioning.bulk_provision", "provisioning.qr_provision",
                      "provisioning.change_dpcsettings"],
    "Super Helpdesk": ["provisioning.provision_user", "provisioning.bulk_provision", "provisioning.qr_provision"],
    "Helpdesk": ["provisioning.provision_user", "provisioning.bulk_provision"],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
