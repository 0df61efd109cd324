from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "cityexchange.directory"
    label = "directory"
    verbose_name = _("Directory")

    def seed(self, *, demo: bool) -> list[str]:
        """Load the shipped catalogue of offers (and, with demo, demo municipality profiles)."""
        from cityexchange.directory import seeding

        return seeding.seed(demo=demo)

    def personal_data(self, user: Any) -> dict[str, Any]:
        """This app's part of a person's data export (``core.services.user_personal_data``)."""
        from cityexchange.directory.services import personal_data_of

        return personal_data_of(user=user)

    def erase_personal_data(self, user: Any) -> None:
        """This app's part of erasing an account (``core.services.user_erase``)."""
        from cityexchange.directory.services import personal_data_erase

        personal_data_erase(user=user)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.directory.account import account_sections

        return account_sections(user)
