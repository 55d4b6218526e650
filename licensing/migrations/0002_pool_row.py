from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("licensing", "LicencePool").objects.get_or_create(id=1, defaults={"total": 0})


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
