"""Mail of the accounts app: text and HTML, in the recipient's language, after commit."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from cityexchange.core.mail import render_message, send_after_commit


def send(*, to: str, language: str, template: str, context: dict[str, Any]) -> None:
    """Render ``accounts/email/<template>_subject.txt`` / ``_body.txt`` and queue it."""
    message = render_message(
        to=to, language=language, template=f"accounts/email/{template}", context=context
    )
    with translation.override(language):
        message.html = render_to_string(
            "accounts/email/message.html",
            {"subject": message.subject, "body": message.body, "language": language},
        )
    send_after_commit(message)
