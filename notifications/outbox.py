"""Writing messages into the outbox.

Invariant: every message is a ``Message`` row written in the caller's transaction (the outbox);
the send is enqueued with ``transaction.on_commit`` so a rolled-back change never sends anything,
and a broker outage leaves the row queued for ``messages_requeue_stuck`` (the sweep, in
``notifications.delivery``).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from audit.actor import Actor
from enrollment.links import activation_base_url
from lib.bulkinsert import insert_plain, insert_rows
from lib.crypto import seal, unseal
from notifications.defaults import ensure_default_templates
from notifications.models import Channel, Message, MessageTemplate, TemplateKey
from notifications.rendering import enrollment_context, render_template

if TYPE_CHECKING:
    from enrollment.models import PendingEnrollment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email (the QR feature attaches a PNG)."""

    filename: str
    content: bytes
    mimetype: str




@sensitive_variables()
def notify_enrollment_created(
    *,
    enrollment: PendingEnrollment,
    otp: str,
    actor: Actor,
    notify_admins: bool = True,
    email_user: bool = True,
    sms_user: bool = True,
    alternative_email: str = "",
    attachments: list[Attachment] | None = None,
    authorizer: str = "",
    user_template: str = TemplateKey.USER_PROVISIONED,
    alternative_template: str = "",
) -> list[Message]:
    """Queue the messages announcing a new pending enrollment (or its new OTP): the admins' alert,
    the user's email (``user_template``), the alternative address's (``alternative_template``,
    default the user's) and the SMS.

    Call inside the ``transaction.atomic`` that created ``enrollment``: the rows commit or roll
    back with it, and sending is enqueued only after commit.
    """
    templates = ensure_default_templates()
    # The admins read English (the console's language); the user (and the address given for them) the
    # enrollment's language: its version of each template (English when it has none), dates and words in it.
    language = enrollment.language
    context = enrollment_context(enrollment, otp=otp, actor=actor, authorizer=authorizer)
    user_context = enrollment_context(enrollment, otp=otp, actor=actor, authorizer=authorizer, language=language)
    sealed_attachments = _seal_attachments(attachments or [])
    messages: list[Message] = []
    if notify_admins:
        # Admins with alerts on get the attachment too (for a QR code: the code itself, as the
        # reference's Automatic Provisioning describes).
        for address in _admin_recipients():
            messages.append(_email(templates.get(TemplateKey.ADMIN_PROVISIONED), context, address, enrollment, actor,
                                   sealed_attachments))
    user_address = enrollment.email if email_user else ""
    if user_address:
        messages.append(_email(templates.get(user_template, language), user_context, user_address, enrollment, actor,
                               sealed_attachments))
    if alternative_email and alternative_email.lower() != user_address.lower():
        messages.append(_email(templates.get(alternative_template or user_template, language), user_context,
                               alternative_email, enrollment, actor, sealed_attachments))
    if sms_user and enrollment.mobile:
        messages.append(_sms(templates.get(TemplateKey.ENROLLMENT_SMS, language), user_context, enrollment, actor))
    Message.objects.bulk_create(messages)
    enqueue_after_commit([m.pk for m in messages])
    return messages


@sensitive_variables()
def notify_enrollments_created_many(
    *,
    items: list[tuple[PendingEnrollment, str]],
    actor: Actor,
    email_user: bool = True,
    sms_user: bool = True,
    notify_admins: bool = False,
) -> int:
    """Queue the user email and SMS for a batch of new enrollments (bulk jobs) in one
    ``bulk_create`` and one after-commit enqueue. No per-row admin mail. Returns the row count."""
    if not items:
        return 0
    templates = ensure_default_templates()
    base_url = activation_base_url()
    rows: list[dict[str, Any]] = []
    subjects = _SealedOnce()
    for enrollment, otp in items:
        language = enrollment.language
        context = enrollment_context(enrollment, otp=otp, actor=actor, base_url=base_url, language=language)
        if email_user and enrollment.email:
            rows.append(_email_row(templates.get(TemplateKey.USER_PROVISIONED, language), context, enrollment.email,
                                   enrollment, actor, "", subjects))
        if sms_user and enrollment.mobile:
            rows.append(_sms_row(templates.get(TemplateKey.ENROLLMENT_SMS, language), context, enrollment, actor))
    # COPY of plain rows with ids taken from the sequence: a bulk batch writes a thousand rows, and
    # bulk_create compiled every value into SQL (the larger part of a job with email before).
    now = timezone.now()
    ids = insert_plain(Message, _ROW_NAMES, [tuple(row.get(name, "") for name in _ROW_NAMES) for row in rows],
                       constant={"created_at": now, "queued_at": now,
                                 "created_by_id": actor.user.pk if actor.user else None}, with_ids=True)
    if notify_admins:
        summary = _admin_summary(items, actor)
        insert_rows(Message, summary, with_ids=True)
        ids += [m.pk for m in summary]
    enqueue_after_commit(ids)
    return len(ids)


# The fields _email_row and _sms_row give (an SMS has no subject nor attachments: "").
_ROW_NAMES = ("channel", "template_key", "recipient", "subject_sealed", "body_sealed", "attachments_sealed",
              "enrollment_id", "username")


@sensitive_variables()
def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    actor: Actor,
    attachments: list[Attachment] | None = None,
    username: str = "",
    template_key: str = "",
) -> Message:
    """Queue one ready-made email (no template), e.g. a Self Service Portal QR code. Call inside
    the transaction of the change that causes it; sending is enqueued after commit."""
    message = Message.objects.create(
        channel=Channel.EMAIL,
        template_key=template_key,
        recipient=to,
        subject_sealed=seal(subject),
        body_sealed=seal(body),
        attachments_sealed=_seal_attachments(attachments or []),
        username=username,
        created_by=actor.user,
    )
    enqueue_after_commit([message.pk])
    return message


def enqueue_after_commit(message_ids: Sequence[int]) -> None:
    """Publish the send after the surrounding transaction commits. A broker failure is logged
    and swallowed: the rows stay queued and the sweep sends them later."""
    ids = [int(i) for i in message_ids]
    if not ids:
        return

    def publish() -> None:
        from notifications.tasks import send_message, send_messages

        try:
            if len(ids) == 1:
                send_message.delay(ids[0])
                return
            # One task per batch: its worker sends the whole batch over one SMTP connection.
            size = settings.NOTIFICATION_SEND_BATCH_SIZE
            for start in range(0, len(ids), size):
                send_messages.delay(ids[start:start + size])
        except Exception:  # noqa: BLE001 - any broker error; the sweep recovers the rows
            logger.exception("Could not publish %d message(s) to the broker; the sweep will re-queue them.", len(ids))

    transaction.on_commit(publish)


# --- helpers ----------------------------------------------------------------------------------


def _admin_recipients() -> list[str]:
    addresses = (
        User.objects.filter(is_active=True, receive_email_alerts=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(addresses)


class _SealedOnce(dict[str, str]):
    """Seals each distinct text once: a batch's subjects are mostly the same text (and a subject
    without a placeholder always is), so one ciphertext serves all of them."""

    @sensitive_variables()
    def __missing__(self, text: str) -> str:
        self[text] = sealed = seal(text)
        return sealed


@sensitive_variables()
def _email_row(
    template: MessageTemplate,
    context: dict[str, Any],
    address: str,
    enrollment: PendingEnrollment,
    actor: Actor,
    sealed_attachments: str,
    subjects: _SealedOnce | None = None,
) -> dict[str, Any]:
    subject = render_template(template.subject, context).strip()
    return {
        "channel": Channel.EMAIL,
        "template_key": template.key,
        "recipient": address,
        "subject_sealed": subjects[subject] if subjects is not None else seal(subject),
        "body_sealed": seal(render_template(template.body, context)),
        "attachments_sealed": sealed_attachments,
        "enrollment_id": enrollment.pk,
        "username": enrollment.username,
        "created_by_id": actor.user.pk if actor.user else None,
    }


@sensitive_variables()
def _sms_row(template: MessageTemplate, context: dict[str, Any], enrollment: PendingEnrollment,
             actor: Actor) -> dict[str, Any]:
    return {
        "channel": Channel.SMS,
        "template_key": template.key,
        "recipient": enrollment.mobile,
        "body_sealed": seal(render_template(template.body, context).strip()),
        "enrollment_id": enrollment.pk,
        "username": enrollment.username,
        "created_by_id": actor.user.pk if actor.user else None,
    }


@sensitive_variables()
def _email(template: MessageTemplate, context: dict[str, Any], address: str, enrollment: PendingEnrollment,
           actor: Actor, sealed_attachments: str) -> Message:
    return Message(**_email_row(template, context, address, enrollment, actor, sealed_attachments))


@sensitive_variables()
def _sms(template: MessageTemplate, context: dict[str, Any], enrollment: PendingEnrollment, actor: Actor) -> Message:
    return Message(**_sms_row(template, context, enrollment, actor))


@sensitive_variables()
def _admin_summary(items: list[tuple[PendingEnrollment, str]], actor: Actor) -> list[Message]:
    # A summary without OTPs: one mail per admin for the whole batch.
    lines = "\n".join(f"- {e.username}" for e, _ in items[:200])
    more = f"\n… and {len(items) - 200} more" if len(items) > 200 else ""
    subject = f"{len(items)} devices were provisioned by {actor.name}"
    body = f"{actor.name} provisioned {len(items)} pending enrollments:\n\n{lines}{more}\n"
    return [
        Message(
            channel=Channel.EMAIL,
            template_key=TemplateKey.ADMIN_PROVISIONED,
            recipient=address,
            subject_sealed=seal(subject),
            body_sealed=seal(body),
            created_by=actor.user,
        )
        for address in _admin_recipients()
    ]


def _seal_attachments(attachments: list[Attachment]) -> str:
    if not attachments:
        return ""
    payload = [
        {"filename": a.filename, "mimetype": a.mimetype, "content": base64.b64encode(a.content).decode()}
        for a in attachments
    ]
    return seal(json.dumps(payload))


@sensitive_variables()
def unseal_attachments(sealed: str) -> list[Attachment]:
    if not sealed:
        return []
    return [
        Attachment(filename=a["filename"], content=base64.b64decode(a["content"]), mimetype=a["mimetype"])
        for a in json.loads(unseal(sealed))
    ]
