"""What "My cityexchange" shows of the network app: the person's open next steps.

Only network staff own next steps; for everyone else the section is left out.
Called through ``NetworkConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.network.models import NextStep


def account_sections(user: Any) -> list[AccountSection]:
    if not user.has_perm("network.view_operations"):
        return []
    steps = list(
        NextStep.objects.filter(owner=user, done_at__isnull=True)
        .select_related("partnership")
        .order_by("due_on", "id")
    )
    return [
        AccountSection(
            key="network",
            title=_("My next steps in partnerships"),
            template="network/account_steps.html",
            items=steps,
            empty=_("You have no open next steps."),
            links=[(_("Network dashboard"), reverse("network:dashboard"))],
            order=60,
        )
    ]
