"""Thin Celery tasks of the challenge programme; inline without a broker."""

from __future__ import annotations

from celery import shared_task

from cityexchange.challenges import services


@shared_task
def send_reminders() -> int:
    """Every stage's reminders: challenge, idea and proposal drafts, evaluators, pilot
    reports."""
    return (
        services.reminders_send_due()
        + services.idea_reminders_send_due()
        + services.proposal_reminders_send_due()
        + services.evaluation_reminders_send_due()
        + services.pilot_report_reminders_send_due()
    )
