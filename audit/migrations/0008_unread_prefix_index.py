"""AuditEntry.target_username: a plain index in place of db_index's pair; its "contains" search reads
the trigram index (0006), so the varchar_pattern_ops twin was written by every entry and read by
nothing."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_corporate_identifiers_action'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='target_username',
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['target_username'], name='audit_target_username_idx'),
        ),
    ]
