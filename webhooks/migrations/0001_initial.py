"""Webhook endpoints (Admin > Webhooks) and their deliveries, the webhook outbox."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import webhooks.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Endpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='Name')),
                ('url', models.CharField(max_length=500, validators=[webhooks.models.validate_webhook_url], verbose_name='URL')),
                ('secret_sealed', models.TextField()),
                ('events', models.JSONField(default=list, verbose_name='Events')),
                ('enabled', models.BooleanField(default=True, verbose_name='Enabled')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Created')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('secret_rotated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Secret made')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.UUIDField(default=uuid.uuid4)),
                ('event', models.CharField(max_length=40, verbose_name='Event')),
                ('payload', models.TextField(verbose_name='Body')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='Status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='Attempts')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Created')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Next attempt')),
                ('retry_until', models.DateTimeField()),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='Last attempt')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='Delivered')),
                ('response_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='Response')),
                ('response_excerpt', models.TextField(blank=True, verbose_name='Answer')),
                ('error', models.TextField(blank=True, verbose_name='Error')),
                ('endpoint', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.endpoint')),
            ],
            options={
                'verbose_name_plural': 'deliveries',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['endpoint', 'created_at', 'id'], name='delivery_endpoint_created_idx'), models.Index(fields=['status', 'next_attempt_at'], name='delivery_status_due_idx')],
            },
        ),
    ]
