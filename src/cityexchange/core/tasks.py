"""Thin task wrappers of the core app; they run inline unless a broker is configured."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from cityexchange.core.mail import Attachment, Message, deliver


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_message(payload: dict[str, Any]) -> None:
    deliver(
        Message(
            to=payload["to"],
            subject=payload["subject"],
            body=payload["body"],
            html=payload.get("html"),
            attachments=[Attachment(**a) for a in payload.get("attachments", [])],
            headers=payload.get("headers") or {},
        )
    )
