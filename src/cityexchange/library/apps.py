from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "cityexchange.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from celery.schedules import crontab

        from cityexchange.celery import app

        # Mondays 06:00 UTC; each subscription's own frequency decides whether it is due.
        app.conf.beat_schedule.update(
            {
                "library-send-digests": {
                    "task": "cityexchange.library.tasks.send_digests",
                    "schedule": crontab(minute=0, hour=6, day_of_week=1),
                }
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.library import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.library.account import account_sections

        return account_sections(user)
