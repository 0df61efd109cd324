from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "cityexchange.assessments"
    label = "assessments"
    verbose_name = _("Self-assessment")

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.assessments import seeding

        return seeding.seed(demo=demo)

    def personal_data(self, user: Any) -> dict[str, Any]:
        """This app's part of a person's data export (``core.services.user_personal_data``)."""
        from cityexchange.assessments.services import personal_data_of

        return personal_data_of(user=user)

    def erase_personal_data(self, user: Any) -> None:
        """This app's part of erasing an account (``core.services.user_erase``)."""
        from cityexchange.assessments.services import personal_data_erase

        personal_data_erase(user=user)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.assessments.account import account_sections

        return account_sections(user)
