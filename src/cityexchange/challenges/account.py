"""What "My cityexchange" shows of the challenge programme: the challenges of the
person's cities. Called through ``ChallengesConfig.account_sections``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.challenges.selectors import my_challenges


def account_sections(user: Any) -> list[AccountSection]:
    return [
        AccountSection(
            key="challenges",
            title=_("Challenge programme"),
            template="challenges/account_challenges.html",
            items=my_challenges(user),
            empty=_("Your cities have not written a challenge yet."),
            links=[(_("Challenge programme"), reverse("challenges:home"))],
            order=45,
        )
    ]
