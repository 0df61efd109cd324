"""Mail in the recipient's language, sent after the surrounding transaction commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


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


def deliver(message: Message) -> None:
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


def send_after_commit(message: Message) -> None:
    """Queue ``message`` once the current transaction commits; never for a rolled-back change."""
    from cityexchange.core.tasks import send_message

    payload = {
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
        "html": message.html,
        "attachments": [a.__dict__ for a in message.attachments],
        "headers": message.headers,
    }
    transaction.on_commit(lambda: send_message.delay(payload))
