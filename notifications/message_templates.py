"""Editing the message templates (Admin > Email and SMS templates)."""

from django.db import transaction

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from notifications.models import MessageTemplate
from notifications.rendering import validate_template


def message_template_update(*, template: MessageTemplate, subject: str, body: str, actor: Actor) -> MessageTemplate:
    """Save a validated template (the form validates; this re-checks so no caller stores a bad one)."""
    validate_template(channel=template.channel, subject=subject, body=body)
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm has already copied the new text onto ``template``.
        stored = MessageTemplate.objects.select_for_update().values("subject", "body").get(pk=template.pk)
        changed = [name for name, old, new in (("subject", stored["subject"], subject), ("body", stored["body"], body))
                   if old != new]
        template.subject = subject
        template.body = body
        template.save(update_fields=["subject", "body", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TEMPLATE_CHANGED,
            details={"template": template.key, "name": template.name, "changed": changed},
        )
    return template
