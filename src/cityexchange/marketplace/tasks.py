"""Thin Celery tasks of the marketplace; inline without a broker."""

from __future__ import annotations

from celery import shared_task

from cityexchange.marketplace import services


@shared_task
def anonymise_orders() -> int:
    return services.orders_anonymise_expired()
