"""The actions of two-step verification (SPEC F16): turned on, off, reset, code refused, recovery codes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0010_integration_actions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('otp_viewed', 'OTP viewed'), ('otp_reset', 'OTP reset'), ('enrollment_created', 'Pending enrollment created'), ('enrollment_deleted', 'Pending enrollment deleted'), ('enrollment_expired', 'OTP expired'), ('enrollment_purged', 'Expired enrollment purged'), ('qr_downloaded', 'QR code downloaded'), ('user_provisioned', 'User provisioned'), ('bulk_uploaded', 'Bulk file uploaded'), ('bulk_started', 'Bulk job started'), ('bulk_downloaded', 'Bulk export downloaded'), ('bulk_removed', 'Bulk job removed'), ('bulk_job_finished', 'Bulk job finished'), ('qr_created', 'QR code created'), ('qr_deleted', 'QR code deleted'), ('device_enrolled', 'Device enrolled'), ('device_removed', 'Device removed'), ('otp_failed', 'Wrong OTP'), ('enrollment_locked', 'Enrollment locked'), ('redeem_refused', 'Enrollment refused'), ('redeem_repeated', 'Enrollment repeated (nothing consumed)'), ('licence_total_set', 'Licence total set'), ('settings_changed', 'Settings changed'), ('template_changed', 'Template changed'), ('message_resent', 'Message re-sent'), ('message_body_viewed', 'Message opened'), ('console_user_created', 'Console user created'), ('console_user_changed', 'Console user changed'), ('login', 'Signed in'), ('login_failed', 'Sign-in failed'), ('logout', 'Signed out'), ('portal_enrollment', 'Self enrollment started'), ('corporate_identifiers_changed', 'Corporate identifiers changed'), ('api_key_created', 'API key created'), ('api_key_revoked', 'API key revoked'), ('api_call', 'API call'), ('api_refused', 'API call refused'), ('webhook_changed', 'Webhook endpoint changed'), ('webhook_test_sent', 'Webhook test event sent'), ('webhook_resent', 'Webhook delivery re-sent'), ('two_step_enabled', 'Two-step verification turned on'), ('two_step_disabled', 'Two-step verification turned off'), ('two_step_reset', 'Two-step verification reset'), ('two_step_code_refused', 'Two-step verification code refused'), ('recovery_codes_regenerated', 'Recovery codes regenerated'), ('recovery_code_used', 'Recovery code used')], max_length=40),
        ),
    ]
