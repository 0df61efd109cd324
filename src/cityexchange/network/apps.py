from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class NetworkConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.network"
    label = "network"
    verbose_name = _("Network operations")
    privacy_template = "network/privacy.html"

    def ready(self) -> None:
        from celery.schedules import crontab

        from cityexchange.celery import app

        app.conf.beat_schedule.update(
            {
                # Once a morning: next steps are due by the day, not by the hour.
                "network-remind-next-steps": {
                    "task": "cityexchange.network.tasks.remind_next_steps",
                    "schedule": crontab(hour=6, minute=41),
                },
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.network import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.network.account import account_sections

        return account_sections(user)
