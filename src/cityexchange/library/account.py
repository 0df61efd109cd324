"""What "My cityexchange" shows of the library: the digest subscription and the resources
forwarded to the person or their organisations.

Called through ``LibraryConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.library.models import Forwarding, ResourceKind, Subscription


def account_sections(user: Any) -> list[AccountSection]:
    subscription = (
        Subscription.objects.filter(user=user, is_active=True).prefetch_related("topics").first()
    )
    summary: dict[str, Any] = {}
    if subscription is not None:
        kinds = dict(ResourceKind.choices)
        summary = {
            "frequency": subscription.get_frequency_display(),
            "language": subscription.get_language_display(),
            "topics": [topic.label for topic in subscription.topics.all()],
            "kinds": [str(kinds.get(kind, kind)) for kind in subscription.kinds],
        }
    forwarded = list(
        Forwarding.objects.filter(Q(organisation__memberships__user=user) | Q(recipient=user))
        .distinct()
        .select_related("resource", "organisation")
        .order_by("-created_at")[:10]
    )
    return [
        AccountSection(
            key="library-subscription",
            title=_("Library digest"),
            template="library/account_subscription.html",
            items=[summary] if summary else [],
            empty=_("You do not receive a library digest."),
            links=[(_("Subscribe to a digest by topic"), reverse("library:subscription"))],
            order=30,
        ),
        AccountSection(
            key="library-forwarded",
            title=_("Forwarded to you"),
            template="library/account_forwarded.html",
            items=forwarded,
            empty=_("Nothing has been forwarded to you or your municipality yet."),
            links=[(_("Forwarded to you"), reverse("library:forwarded"))],
            order=31,
        ),
    ]
