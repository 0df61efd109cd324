from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


class DirectoryConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.directory"
    label = "directory"
    verbose_name = _("Directory")
    privacy_template = "directory/privacy.html"

    def seed(self, *, demo: bool) -> list[str]:
        """Load the shipped catalogue of offers (and, with demo, demo municipality profiles)."""
        from cityexchange.directory import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.directory.account import account_sections

        return account_sections(user)

    def staff_pages(self, user: Any) -> list[tuple[str, str]]:
        """Linked from the back office's start page (see ``core.templatetags.staff_pages``)."""
        from django.urls import reverse

        if not user.has_perm("directory.view_search_gaps"):
            return []
        return [(str(_("Searches that found nothing or little")), reverse("directory:search_gaps"))]
