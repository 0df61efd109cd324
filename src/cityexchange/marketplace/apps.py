from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class MarketplaceConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.marketplace"
    label = "marketplace"
    verbose_name = _("Local marketplace")
    privacy_template = "marketplace/privacy.html"

    def privacy_context(self) -> dict[str, Any]:
        from django.conf import settings

        return {"retention_days": settings.CITYEXCHANGE_RETENTION_DAYS}

    def ready(self) -> None:
        from celery.schedules import crontab

        from cityexchange.celery import app

        app.conf.beat_schedule.update(
            {
                "marketplace-anonymise-orders": {
                    "task": "cityexchange.marketplace.tasks.anonymise_orders",
                    "schedule": crontab(hour=3, minute=41),
                }
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.marketplace import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.marketplace.account import account_sections

        return account_sections(user)
