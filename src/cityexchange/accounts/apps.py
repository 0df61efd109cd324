from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cityexchange.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    privacy_template = "accounts/privacy.html"

    def personal_data(self, user: Any) -> dict[str, Any]:
        """The export's part of this app (see ``core.services.user_personal_data``)."""
        from cityexchange.accounts.services import account_personal_data

        return account_personal_data(user=user)

    def erase_personal_data(self, user: Any) -> None:
        from cityexchange.accounts.services import account_erase_personal_data

        account_erase_personal_data(user=user)
