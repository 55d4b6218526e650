"""Admin > API keys: the keys (stored as keyed hashes) and the idempotent creates of the integration API."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who uses the key, e.g. “Workday onboarding”. API calls are audited under this name.', max_length=100, verbose_name='Name')),
                ('prefix', models.CharField(max_length=16, verbose_name='Key')),
                ('key_hash', models.CharField(max_length=64, unique=True)),
                ('scopes', models.JSONField(default=list, verbose_name='Scopes')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='Expires')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Created')),
                ('created_by_name', models.CharField(blank=True, max_length=150, verbose_name='Created by')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='Revoked')),
                ('revoked_by_name', models.CharField(blank=True, max_length=150)),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='Last used')),
                ('last_used_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='Last used from')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API key',
                'ordering': ['-created_at', '-id'],
                'permissions': [('manage_apikey', 'Can manage API keys')],
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='IdempotentCreate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=255)),
                ('fingerprint', models.CharField(max_length=64)),
                ('status', models.PositiveSmallIntegerField(default=0)),
                ('body_sealed', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('api_key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.apikey')),
            ],
        ),
        migrations.AddConstraint(
            model_name='apikey',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('name',), name='apikey_unique_unrevoked_name'),
        ),
        migrations.AddConstraint(
            model_name='idempotentcreate',
            constraint=models.UniqueConstraint(fields=('api_key', 'key'), name='idempotentcreate_unique_key'),
        ),
    ]
