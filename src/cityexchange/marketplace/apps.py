from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class MarketplaceConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.marketplace"
    label = "marketplace"
    verbose_name = _("Local marketplace")

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.marketplace import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.marketplace.account import account_sections

        return account_sections(user)
