"""What "My cityexchange" shows of the marketplace: the person's shops, the towns they
look after, and orders placed with their account.

Called through ``MarketplaceConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.marketplace import selectors
from cityexchange.marketplace.models import Order


def account_sections(user: Any) -> list[AccountSection]:
    orders = list(
        Order.objects.filter(user=user).select_related("shop__town").order_by("-created_at")[:20]
    )
    return [
        AccountSection(
            key="marketplace",
            title=_("Local marketplace"),
            template="marketplace/account_section.html",
            items=orders,
            empty=_("You have not ordered at a local marketplace with this account."),
            links=[(_("Local marketplaces"), reverse("marketplace:home"))],
            extra={
                "shops": list(selectors.shops_of_user(user)),
                "towns": list(selectors.towns_of_staff(user)),
            },
            order=70,
        )
    ]
