"""Thin Celery tasks of the network app; inline without a broker."""

from __future__ import annotations

from celery import shared_task

from cityexchange.network import services


@shared_task
def remind_next_steps() -> int:
    return services.next_steps_remind_due()
