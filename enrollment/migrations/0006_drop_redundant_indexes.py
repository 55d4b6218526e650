"""Indexes that only repeat the first column of another: the (created_at, id), (username, id),
(otp_expires_at, id) and (enrolled_at, id) indexes serve every lookup, range and sort on that
column alone, and the unique (bulk_job_id, bulk_row) index serves bulk_job_id. Each index is
written on every insert of a bulk job; the username search uses the trigram index (0002), not
the varchar_pattern_ops one dropped here."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0005_pending_sort_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="pendingenrollment", name="pending_bulk_job_idx"),
        migrations.AlterField(
            model_name="device",
            name="enrolled_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="Enrolled at"),
        ),
        migrations.AlterField(
            model_name="pendingenrollment",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="pendingenrollment",
            name="otp_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="OTP Expires"),
        ),
        migrations.AlterField(
            model_name="pendingenrollment",
            name="username",
            field=models.CharField(max_length=150, verbose_name="Username"),
        ),
    ]
