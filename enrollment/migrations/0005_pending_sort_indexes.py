"""The pending list sorted by mobile, source or state pages straight off an (x, id) index instead
of sorting tens of thousands of equal keys (measured by benchmarks/pending_list.py). These
indexes also serve the source and state filters, so the single-column ones (and their
varchar_pattern_ops twins, never used: those columns are not LIKE-searched) are dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0004_roles")]

    operations = [
        migrations.AlterField(
            model_name="pendingenrollment",
            name="mobile",
            field=models.CharField(blank=True, max_length=20, verbose_name="Mobile"),
        ),
        migrations.AlterField(
            model_name="pendingenrollment",
            name="source",
            field=models.CharField(
                choices=[("self", "Self"), ("single", "Single"), ("bulk", "Bulk"), ("qr", "QR")],
                max_length=10,
                verbose_name="Source",
            ),
        ),
        migrations.AlterField(
            model_name="pendingenrollment",
            name="state",
            field=models.CharField(
                choices=[("active", "Active"), ("expired", "Expired"), ("locked", "Locked")],
                default="active",
                max_length=10,
                verbose_name="State",
            ),
        ),
        migrations.AddIndex(
            model_name="pendingenrollment",
            index=models.Index(fields=["mobile", "id"], name="pending_mobile_idx"),
        ),
        migrations.AddIndex(
            model_name="pendingenrollment",
            index=models.Index(fields=["source", "id"], name="pending_source_idx"),
        ),
        migrations.AddIndex(
            model_name="pendingenrollment",
            index=models.Index(fields=["state", "id"], name="pending_state_idx"),
        ),
    ]
