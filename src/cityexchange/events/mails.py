"""Participant mail of the events app, rendered after the change has committed.

The services only queue ``(registration id, template, status, extra)`` with
``transaction.on_commit``; rendering the text and the .ics attachment happens
after the commit, outside the transaction and its seat lock. The status the
change produced travels with the id, so the mail describes that change even
when the registration moved on before the mail was rendered.

With a broker the Celery task renders it in a worker and reads the registration
again. Without one (the embedded set-up) the mail is rendered in the request right
after the commit, without Celery's eager machinery, and a mail server that is
down is logged instead of failing an answer whose change has committed.

Imports run one way: links, selectors and the calendar below this module, the
services above it. The Celery task lives here, beside what it wraps, so queueing
a mail imports neither the services nor ``events.tasks`` (which re-exports it).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import translation

from cityexchange.core.mail import Attachment, Message, deliver, render_message
from cityexchange.events import selectors
from cityexchange.events.ical import mail_calendar
from cityexchange.events.links import event_url, manage_url, resource_url
from cityexchange.events.models import EventStatus, Registration, RegistrationStatus

logger = logging.getLogger(__name__)


def queue(registration: Registration, template: str, *, final: bool = False, **extra: Any) -> None:
    """Send ``template`` to the participant once the surrounding transaction commits.

    ``final``: the instance (with its whole event) is the row as the transaction
    leaves it (a new registration), so without a broker the mail is rendered from it
    and not read again. Otherwise the row is read after the commit: a later step of
    the same transaction (an erasure after a cancellation) may have changed it.
    """
    registration_id, status = registration.pk, registration.status
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(
            lambda: send_registration_mail.delay(
                registration_id=registration_id, template=template, status=status, extra=extra
            )
        )
        return
    if not transaction.get_connection().in_atomic_block:
        # Nothing to wait for (a caller outside any transaction): the instance is current.
        send_now(registration, template=template, status=status, extra=extra)
        return
    transaction.on_commit(
        lambda: send_now(
            registration if final else selectors.registration_with_event(registration_id),
            template=template,
            status=status,
            extra=extra,
        )
    )


def send_now(
    registration: Registration | None, *, template: str, status: str, extra: dict[str, Any]
) -> bool:
    """Render and deliver one mail in this process; a mail server that is down is logged.

    The change it describes has committed already, so a failed delivery must not
    turn the participant's answer into an error.
    """
    if registration is None:
        return False
    message = render(registration, template=template, status=status, extra=extra)
    if message is None:
        return False
    try:
        deliver(message)
    except OSError:
        logger.exception("Mail to registration %s not delivered", registration.pk)
        return False
    return True


def render(
    registration: Registration, *, template: str, status: str, extra: dict[str, Any]
) -> Message | None:
    """The mail in the participant's language, or None when there is nobody to write to."""
    if not registration.email or registration.anonymised_at is not None:
        return None
    event = registration.event
    language = registration.language
    # The join link only while the seat is really theirs, then and now.
    confirmed = status == registration.status == RegistrationStatus.CONFIRMED
    join_url = event.join_url if confirmed and event.has_online else ""
    registration.status = status
    if template == "registration" and "waitlist_position" not in extra:
        # A repeat's mail tells the place in the queue as it is now.
        extra = {**extra, "waitlist_position": selectors.waitlist_position(registration)}
    with translation.override(language):
        attachments = _calendar_attachments(
            registration, template=template, status=status, join_url=join_url
        )
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
        if extra.get("resource_slug"):
            context["documentation_url"] = resource_url(str(extra["resource_slug"]), language)
    return render_message(
        to=registration.email,
        language=language,
        template=f"events/mail/{template}",
        context=context,
        attachments=attachments,
    )


def _calendar_attachments(
    registration: Registration, *, template: str, status: str, join_url: str
) -> list[Attachment]:
    """The calendar entry a mail carries: only for a seat that is the person's, or withdrawn.

    A waiting, pending or rejected place gets none, nor the cancellation of one, (it would put an event in the
    calendar the person may not attend). A cancellation, of the registration or of the
    whole event, withdraws the entry (METHOD:CANCEL) under the same UID.

    SEQUENCE must grow with each message about the same UID, or calendar programs
    ignore it. The event's revision grows with every change of the event; each
    registration the person takes up again (``link_version``) adds two, and a
    cancellation one more than the invitation it withdraws. So for one person the
    numbers only grow: invitation 2v, its cancellation 2v + 1, the next invitation
    2(v + 1), all on top of the event's revision.
    """
    event = registration.event
    if template == "documentation":
        return []  # after the event: nothing to put in a calendar
    if template == "cancelled" or status == RegistrationStatus.CANCELLED:
        # Only a seat that was theirs was ever in their calendar.
        if registration.confirmed_at is None:
            return []
        cancel = True
    elif status == RegistrationStatus.CONFIRMED:
        cancel = event.status == EventStatus.CANCELLED
    else:
        return []
    offset = 2 * registration.link_version + (1 if cancel else 0)
    ics = mail_calendar(
        event,
        language=registration.language,
        join_url="" if cancel else join_url,
        cancel=cancel,
        sequence_offset=offset,
    )
    return [Attachment(filename=f"{event.slug}.ics", content=ics, mimetype="text/calendar")]


# Named as when it lived in events.tasks, so mails queued before an upgrade still run.
@shared_task(
    name="cityexchange.events.tasks.send_registration_mail",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_registration_mail(
    *, registration_id: int, template: str, status: str, extra: dict[str, Any]
) -> bool:
    """Render and deliver one participant mail on a worker; queued after commit."""
    registration = selectors.registration_with_event(registration_id)
    if registration is None:
        return False
    message = render(registration, template=template, status=status, extra=extra)
    if message is None:
        return False
    deliver(message)
    return True
