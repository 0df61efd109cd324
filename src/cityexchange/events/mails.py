"""Participant mail of the events app, rendered after the change has committed.

The services only queue ``(registration id, template, status, extra)`` with
``transaction.on_commit``; rendering the text and the .ics attachment happens in
the task, outside the transaction and its seat lock. The status the change
produced travels with the id, so the mail describes that change even when the
registration moved on before the task ran.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation

from cityexchange.core.mail import Attachment, Message, render_message
from cityexchange.events.ical import mail_calendar
from cityexchange.events.models import Registration, RegistrationStatus


def queue(registration: Registration, template: str, **extra: Any) -> None:
    """Send ``template`` to the participant once the surrounding transaction commits."""
    from cityexchange.events.tasks import send_registration_mail

    registration_id, status = registration.pk, registration.status
    transaction.on_commit(
        lambda: send_registration_mail.delay(
            registration_id=registration_id, template=template, status=status, extra=extra
        )
    )


def render(
    registration: Registration, *, template: str, status: str, extra: dict[str, Any]
) -> Message | None:
    """The mail in the participant's language, or None when there is nobody to write to."""
    from cityexchange.events.services import event_url, manage_url

    if not registration.email or registration.anonymised_at is not None:
        return None
    event = registration.event
    language = registration.language
    # The join link only while the seat is really theirs, then and now.
    confirmed = status == registration.status == RegistrationStatus.CONFIRMED
    join_url = event.join_url if confirmed and event.has_online else ""
    registration.status = status
    with translation.override(language):
        ics = mail_calendar(event, language=language, join_url=join_url)
        context = {
            "registration": registration,
            "event": event,
            "title": event.title,
            "starts_at": event.starts_at_reference,
            "starts_on": event.starts_on,
            "time_known": event.time_known,
            "reference_zone": event.timezone,
            "join_url": join_url,
            "manage_url": manage_url(registration),
            "event_url": event_url(event, language),
            **extra,
        }
    return render_message(
        to=registration.email,
        language=language,
        template=f"events/mail/{template}",
        context=context,
        attachments=[
            Attachment(filename=f"{event.slug}.ics", content=ics, mimetype="text/calendar")
        ],
    )
