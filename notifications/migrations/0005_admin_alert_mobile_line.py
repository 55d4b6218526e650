"""The admin alert prints its Mobile line only when there is a mobile number.

Only a row that still holds the shipped text changes: an Administrator's edit is never overwritten
(texts frozen here)."""

from django.db import migrations

OLD_BODY = (
    "Hello,\n\n"
    "{{ provisioned_by }} has provisioned a device on behalf of {{ username }}.\n\n"
    "Authorized by: {{ authorizer }}\n"
    "Ownership: {{ ownership }}\n"
    "Mobile: {{ mobile }}\n"
    "Token: {{ token }}\n"
    "OTP expires: {{ expires }}\n\n"
    "You receive this message because email alerts are on for your console account.\n"
)
NEW_BODY = OLD_BODY.replace("Mobile: {{ mobile }}\n", "{% if mobile %}Mobile: {{ mobile }}\n{% endif %}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key="admin_provisioned", body=OLD_BODY).update(body=NEW_BODY)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key="admin_provisioned", body=NEW_BODY).update(body=OLD_BODY)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_message_body_permission")]
    operations = [migrations.RunPython(forwards, backwards)]
