from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class ConsultationsConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.consultations"
    label = "consultations"
    verbose_name = _("Consultations")
    privacy_template = "consultations/privacy.html"

    def ready(self) -> None:
        from cityexchange.celery import app

        app.conf.beat_schedule.update(
            {
                # Hourly: a reminder is due three days before a deadline; each is sent once.
                "consultations-send-reminders": {
                    "task": "cityexchange.consultations.tasks.send_reminders",
                    "schedule": 3600.0,
                },
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.consultations import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.consultations.account import account_sections

        return account_sections(user)

    def digest_sections(self, subscription: Any, *, since: Any, now: Any) -> list[Any]:
        """Consultations that opened on the subscriber's topics (see ``library.digests``)."""
        from cityexchange.consultations.digest import digest_sections

        return digest_sections(subscription, since=since, now=now)
