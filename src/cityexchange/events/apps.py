from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "cityexchange.events"
    label = "events"
    verbose_name = _("Events")

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

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.events import seeding

        return seeding.seed(demo=demo)

    def home_highlights(self, user: object) -> dict[str, list[object]]:
        """The next editions, for the home page (see ``core.selectors.home_highlights``)."""
        from cityexchange.events.selectors import upcoming_events

        return {"upcoming": list(upcoming_events(limit=3))}
