"""Mail in the recipient's language, sent after the surrounding transaction commits.

The Celery task that delivers a queued message is defined here, next to the code
it wraps (as pretix keeps its mail task with its mail service), so queueing needs
no import of ``core.tasks``; that module only re-exports it for the worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


@dataclass
class Attachment:
    filename: str
    content: str
    mimetype: str


@dataclass
class Message:
    to: str
    subject: str
    body: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def render_message(
    *,
    to: str,
    language: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
) -> Message:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in ``language``."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        body = render_to_string(f"{template}_body.txt", ctx)
    return Message(
        to=to, subject=subject, body=body, attachments=attachments or [], headers=headers or {}
    )


def _delivery_key() -> str | None:
    """The cache key that marks this worker task's mail as delivered, or None inline.

    With late acknowledgement a task whose worker died before acknowledging runs
    again (same task id) on another worker; the mark keeps the message from being
    sent twice when the first run had delivered it.
    """
    from celery import current_task

    if not current_task or getattr(current_task.request, "is_eager", True):
        return None
    task_id = getattr(current_task.request, "id", None)
    return f"cityexchange:mail-delivered:{task_id}" if task_id else None


def deliver(message: Message) -> None:
    key = _delivery_key()
    if key and cache.get(key):
        logger.info("Mail of this task was delivered before; not sent again")
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=message.headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
    email.send()
    if key:
        cache.set(key, 1, timeout=7 * 24 * 3600)
    # No address, no subject: the request id (core.requestlog) tells which request it was.
    logger.info("Mail delivered")


def _payload(message: Message) -> dict[str, Any]:
    return {
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
        "html": message.html,
        "attachments": [a.__dict__ for a in message.attachments],
        "headers": message.headers,
    }


def _message(payload: dict[str, Any]) -> Message:
    return Message(
        to=payload["to"],
        subject=payload["subject"],
        body=payload["body"],
        html=payload.get("html"),
        attachments=[Attachment(**a) for a in payload.get("attachments", [])],
        headers=payload.get("headers") or {},
    )


# The name it had when it lived in core.tasks, so messages queued before an upgrade still run.
@shared_task(
    name="cityexchange.core.tasks.send_message",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_message(payload: dict[str, Any]) -> None:
    """Deliver one queued message (inline without a broker, on a worker with one)."""
    deliver(_message(payload))


def send_after_commit(message: Message) -> None:
    """Queue ``message`` once the current transaction commits; never for a rolled-back change."""
    payload = _payload(message)
    transaction.on_commit(lambda: send_message.delay(payload))
