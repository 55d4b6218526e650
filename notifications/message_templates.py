"""Editing the message templates (Admin > Email and SMS templates): each version, and adding or removing
the language versions of an end-user template."""

from django.db import transaction

from audit.actor import Actor
from audit.models import AuditAction
from audit.services import audit_record
from lib.languages import DEFAULT_LANGUAGE, LanguageError, language_parse
from notifications.defaults import default_fields
from notifications.models import END_USER_TEMPLATES, MessageTemplate
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
            details={"template": template.key, "name": template.name, "language": template.language,
                     "changed": changed},
        )
    return template


class TemplateVersionError(Exception):
    """A language version that cannot be added or removed; the message says why."""


def message_template_version_add(*, template: MessageTemplate, language: str, actor: Actor) -> MessageTemplate:
    """The ``language`` version of ``template``'s key, made from the shipped text of that language (the
    English text when none is shipped), or the one that exists already. Only end-user templates have
    versions per language; the admins' alert is English."""
    try:
        language = language_parse(language, default="")
    except LanguageError as exc:
        raise TemplateVersionError(str(exc)) from exc
    if template.key not in END_USER_TEMPLATES or not language:
        raise TemplateVersionError("This template is sent in English only.")
    english = MessageTemplate.objects.get(key=template.key, language=DEFAULT_LANGUAGE)
    fields = default_fields(template.key, language) or {
        "channel": english.channel, "name": english.name, "subject": english.subject, "body": english.body}
    with transaction.atomic():
        version, created = MessageTemplate.objects.get_or_create(key=template.key, language=language, defaults=fields)
        if created:
            audit_record(actor=actor, action=AuditAction.TEMPLATE_CHANGED, details={
                "template": version.key, "name": version.name, "language": language, "changed": ["added"]})
    return version


def message_template_version_remove(*, template: MessageTemplate, actor: Actor) -> None:
    """Remove a language version: that language's users then get the English one. English stays."""
    if template.language == DEFAULT_LANGUAGE:
        raise TemplateVersionError("The English version is the fallback of every language: it cannot be removed.")
    with transaction.atomic():
        deleted, _ = MessageTemplate.objects.filter(pk=template.pk).delete()
        if deleted:
            audit_record(actor=actor, action=AuditAction.TEMPLATE_CHANGED, details={
                "template": template.key, "name": template.name, "language": template.language,
                "changed": ["removed"]})
