"""Thin Celery tasks of the consultations app; inline without a broker."""

from __future__ import annotations

from celery import shared_task

from cityexchange.consultations import services


@shared_task
def send_reminders() -> int:
    return services.reminders_send_due()
