"""Mail of the network app, queued after the change commits, in the recipient's language."""

from __future__ import annotations

from django.urls import reverse

from cityexchange.core.mail import render_message, send_after_commit
from cityexchange.network.models import NextStep


def queue_next_step_reminder(step: NextStep) -> None:
    owner = step.owner
    if owner is None or not owner.email:
        return
    language = getattr(owner, "language", "") or "en"
    from django.utils import translation

    with translation.override(language):
        path = reverse("network:partnership", kwargs={"slug": step.partnership.slug})
    message = render_message(
        to=owner.email,
        language=language,
        template="network/mail/next_step_due",
        context={"step": step, "partnership": step.partnership, "path": path},
    )
    send_after_commit(message)
