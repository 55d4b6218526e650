"""LedgerEntry.enrollment_token is shown, never looked up: no index (both of db_index's were written by
every reservation, release and redemption)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('licensing', '0004_licence_tally'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='enrollment_token',
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
