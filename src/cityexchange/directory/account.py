"""What "My cityexchange" shows of the directory: the person's saved Finder results.

Called through ``DirectoryConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.directory.models import SavedResult


def account_sections(user: Any) -> list[AccountSection]:
    saved = list(SavedResult.objects.filter(created_by=user).order_by("-created_at")[:10])
    return [
        AccountSection(
            key="directory-saved",
            title=_("Saved Finder results"),
            template="directory/account_saved_results.html",
            items=saved,
            empty=_("You have not saved a Finder result yet."),
            links=[(_("Open the Finder"), reverse("directory:finder"))],
            order=20,
        )
    ]
