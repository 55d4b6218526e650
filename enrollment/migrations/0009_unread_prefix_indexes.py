"""Device.username and serial_number: a plain index each in place of db_index's pair, whose
varchar_pattern_ops twin (for LIKE 'x%') nothing reads while every redemption wrote it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_alter_user_managers'),
        ('enrollment', '0008_list_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='device',
            name='serial_number',
            field=models.CharField(blank=True, max_length=100, verbose_name='Serial number'),
        ),
        migrations.AlterField(
            model_name='device',
            name='username',
            field=models.CharField(max_length=150, verbose_name='User'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['username'], name='device_username_idx'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['serial_number'], name='device_serial_idx'),
        ),
    ]
