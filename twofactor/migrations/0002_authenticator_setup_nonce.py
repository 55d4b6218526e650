"""An unconfirmed authenticator belongs to the session that started its set-up (its nonce)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("twofactor", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="authenticator",
            name="setup_nonce",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
