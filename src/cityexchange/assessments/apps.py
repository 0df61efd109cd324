from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class AssessmentsConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.assessments"
    label = "assessments"
    verbose_name = _("Self-assessment")
    privacy_template = "assessments/privacy.html"

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.assessments import seeding

        return seeding.seed(demo=demo)

    def privacy_context(self) -> dict[str, Any]:
        from cityexchange.assessments.selectors import PEER_MINIMUM

        return {"peer_minimum": PEER_MINIMUM}

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.assessments.account import account_sections

        return account_sections(user)
