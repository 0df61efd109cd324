from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "cityexchange.events"
    label = "events"
    verbose_name = _("Events")
    privacy_template = "events/privacy.html"

    def privacy_context(self) -> dict[str, Any]:
        from django.conf import settings

        return {"retention_days": settings.CITYEXCHANGE_RETENTION_DAYS}

    def ready(self) -> None:
        from celery.schedules import crontab

        from cityexchange.celery import app

        app.conf.beat_schedule.update(
            {
                # Every five minutes, so the 1-hour reminder is never more than 5 minutes late.
                "events-send-reminders": {
                    "task": "cityexchange.events.tasks.send_reminders",
                    "schedule": 300.0,
                },
                "events-anonymise-registrations": {
                    "task": "cityexchange.events.tasks.anonymise_registrations",
                    "schedule": crontab(hour=3, minute=17),
                },
            }
        )

    def staff_pages(self, user: Any) -> list[tuple[str, str]]:
        """Linked from the back office's start page (see ``core.templatetags.staff_pages``)."""
        from django.urls import reverse

        if not user.has_perm("events.manage_event"):
            return []
        return [(str(_("Data-quality warnings")), reverse("events:data_quality"))]

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.events import seeding

        return seeding.seed(demo=demo)

    def home_highlights(self, user: object) -> dict[str, list[object]]:
        """The next editions, for the home page (see ``core.selectors.home_highlights``)."""
        from cityexchange.events.selectors import upcoming_events

        return {"upcoming": list(upcoming_events(limit=3))}

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.events.account import account_sections

        return account_sections(user)

    def earlier_records(self, user: Any) -> int:
        from cityexchange.events.account import earlier_records

        return earlier_records(user)

    def link_earlier_records(self, user: Any) -> int:
        from cityexchange.events.account import link_earlier_records

        return link_earlier_records(user)

    def personal_data(self, user: Any) -> list[dict[str, Any]]:
        """The account's registrations, for the account's data export (core.services)."""
        from cityexchange.events import selectors, services

        return [
            services.registration_export(registration=registration)
            for registration in selectors.registrations_of_user(user=user)
        ]

    def erase_personal_data(self, user: Any) -> None:
        """Account erasure (core.services.user_erase) erases the account's registrations too."""
        from cityexchange.events import services

        services.registrations_erase_for_user(user=user)
