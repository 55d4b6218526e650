"""Indexes for the licence ledger at 1,000,000 entries (lib.pagination keyset pages): (created_at, id) in
the ledger's order, (kind, created_at, id) for the kind filter in that order (and for kind alone); they
replace the one-column indexes on created_at and kind."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('licensing', '0002_pool_row'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ledgerentry',
            name='ledger_kind_idx',
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['created_at', 'id'], name='ledger_created_idx'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['kind', 'created_at', 'id'], name='ledger_kind_created_idx'),
        ),
    ]
