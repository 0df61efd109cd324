from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class ChallengesConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.challenges"
    label = "challenges"
    verbose_name = _("Challenge programme")
    privacy_template = "challenges/privacy.html"

    def ready(self) -> None:
        from cityexchange.celery import app

        app.conf.beat_schedule.update(
            {
                # Hourly: a reminder is at most an hour late, and a second run sends nothing.
                "challenges-send-reminders": {
                    "task": "cityexchange.challenges.tasks.send_reminders",
                    "schedule": 3600.0,
                },
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.challenges import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.challenges.account import account_sections

        return account_sections(user)
