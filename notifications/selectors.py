from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from notifications.defaults import ensure_default_templates
from notifications.models import Message, MessageQuerySet, MessageTemplate


def messages_filtered(*, q: str = "", status: str = "", channel: str = "", template: str = "") -> MessageQuerySet:
    messages = Message.objects.select_related("enrollment").order_by("-created_at", "-id")
    if q.strip():
        term = q.strip()
        messages = messages.filter(Q(recipient__icontains=term) | Q(username__icontains=term))
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    if template:
        messages = messages.filter(template_key=template)
    return messages


def message_get(pk: int) -> Message:
    """One message of the Delivery log (404 when there is none)."""
    return get_object_or_404(Message.objects.select_related("enrollment"), pk=pk)


def message_templates() -> list[MessageTemplate]:
    return sorted(ensure_default_templates().values(), key=lambda template: template.pk)
