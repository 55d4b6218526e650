"""Indexes for the Delivery log at 1,000,000 messages (lib.pagination keyset pages): (created_at, id) in the
log's order and (status | channel | template_key, created_at, id) for each filter in that order; they
replace the one-column indexes on created_at, status and channel ((status, queued_at) keeps serving the
worker's claim and the sweep). Trigram indexes (PostgreSQL) serve the recipient and username search."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from lib.search_indexes import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0008_list_indexes'),
        ('notifications', '0006_qr_and_otp_reset_templates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='channel',
            field=models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=10, verbose_name='Channel'),
        ),
        migrations.AlterField(
            model_name='message',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='Created'),
        ),
        migrations.AlterField(
            model_name='message',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='Status'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['created_at', 'id'], name='message_created_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['status', 'created_at', 'id'], name='message_status_created_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['channel', 'created_at', 'id'], name='message_channel_created_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['template_key', 'created_at', 'id'], name='message_template_created_idx'),
        ),
        trigram_indexes("notifications_message", {
            "message_recipient_trgm": "recipient",
            "message_username_trgm": "username",
        }),
    ]
