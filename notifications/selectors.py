from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import User
from lib.pagination import KeysetPage, keyset_page
from notifications.defaults import ensure_default_templates
from notifications.models import Message, MessageQuerySet, MessageTemplate

PAGE_SIZE = 50


def messages_filtered(
    user: User | AnonymousUser, *, q: str = "", status: str = "", channel: str = "", template: str = ""
) -> MessageQuerySet:
    """The Delivery log as ``user`` may see it, newest first, filtered."""
    messages = Message.objects.restrict(user).select_related("enrollment").order_by("-created_at", "-id")
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


def message_list_page(
    user: User | AnonymousUser, *, q: str = "", status: str = "", channel: str = "", template: str = "",
    position: str = "", page_size: int = PAGE_SIZE,
) -> KeysetPage[Message]:
    """The page at ``position`` (``lib.pagination``) of the Delivery log, newest first."""
    rows = messages_filtered(user, q=q, status=status, channel=channel, template=template)
    return keyset_page(rows, key="created_at", descending=True, position=position, page_size=page_size)


def message_get(user: User | AnonymousUser, pk: int) -> Message:
    """One message of the Delivery log, through the user's scope (404 when not visible)."""
    return get_object_or_404(Message.objects.restrict(user).select_related("enrollment"), pk=pk)


def message_templates(user: User | AnonymousUser) -> list[MessageTemplate]:
    """The templates ``user`` may edit, every default among them (created when missing)."""
    ensure_default_templates()
    return list(MessageTemplate.objects.restrict(user).order_by("pk"))
