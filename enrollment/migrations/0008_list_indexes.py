"""Indexes for keyset pagination (lib.pagination) at 1,000,000 rows: the pending list sorted by OTP
expiry pages by COALESCE(otp_expires_at, far future) then id; the Devices list filtered by platform
reads (platform, enrolled_at, id) in its order; the Devices search ("contains" on user, serial number
and model) reads trigram indexes on PostgreSQL (IMEI and token match by prefix through the
varchar_pattern_ops indexes Django made for them)."""

import datetime

import django.db.models.functions.comparison
from django.db import migrations, models

from lib.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0007_device_imei_manufacturer")]

    operations = [
        migrations.AddIndex(
            model_name="device",
            index=models.Index(fields=["platform", "enrolled_at", "id"], name="device_platform_idx"),
        ),
        migrations.AddIndex(
            model_name="pendingenrollment",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    "otp_expires_at", models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.UTC)),
                    output_field=models.DateTimeField(),
                ),
                models.F("id"),
                name="pending_expires_sort_idx",
            ),
        ),
        trigram_indexes("enrollment_device", {
            "device_username_trgm": "username",
            "device_serial_trgm": "serial_number",
            "device_model_trgm": "model",
        }),
    ]
