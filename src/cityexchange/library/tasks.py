"""Thin task wrappers of the library; inline unless a broker is configured."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_digests() -> int:
    from cityexchange.library.digests import send_due_digests

    return send_due_digests()
