"""Indexes for the Audit list at 1,000,000 entries (lib.pagination keyset pages): (created_at, id) in the
list's order, (action, created_at, id) for the action filter in that order; both replace the one-column
indexes of their first column. Trigram indexes (PostgreSQL) serve the "contains" filters on who and
username; the token filter matches by prefix through enrollment_token's varchar_pattern_ops index."""

from django.conf import settings
from django.db import migrations, models

from lib.search_indexes import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_bulk_finished_and_message_opened_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('otp_viewed', 'OTP viewed'), ('otp_reset', 'OTP reset'), ('enrollment_created', 'Pending enrollment created'), ('enrollment_deleted', 'Pending enrollment deleted'), ('enrollment_expired', 'OTP expired'), ('enrollment_purged', 'Expired enrollment purged'), ('qr_downloaded', 'QR code downloaded'), ('user_provisioned', 'User provisioned'), ('bulk_uploaded', 'Bulk file uploaded'), ('bulk_started', 'Bulk job started'), ('bulk_downloaded', 'Bulk export downloaded'), ('bulk_removed', 'Bulk job removed'), ('bulk_job_finished', 'Bulk job finished'), ('qr_created', 'QR code created'), ('qr_deleted', 'QR code deleted'), ('device_enrolled', 'Device enrolled'), ('otp_failed', 'Wrong OTP'), ('enrollment_locked', 'Enrollment locked'), ('redeem_refused', 'Enrollment refused'), ('redeem_repeated', 'Enrollment repeated (nothing consumed)'), ('licence_total_set', 'Licence total set'), ('settings_changed', 'Settings changed'), ('template_changed', 'Template changed'), ('message_resent', 'Message re-sent'), ('message_body_viewed', 'Message opened'), ('console_user_created', 'Console user created'), ('console_user_changed', 'Console user changed'), ('login', 'Signed in'), ('login_failed', 'Sign-in failed'), ('logout', 'Signed out'), ('portal_enrollment', 'Self enrollment started')], max_length=40),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['created_at', 'id'], name='audit_created_idx'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action', 'created_at', 'id'], name='audit_action_idx'),
        ),
        trigram_indexes("audit_auditentry", {
            "audit_actor_trgm": "actor_name",
            "audit_username_trgm": "target_username",
        }),
    ]
