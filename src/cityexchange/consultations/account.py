"""What "My cityexchange" shows of consultations: the ones the person commented on.

Called through ``ConsultationsConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.consultations.models import Consultation


def account_sections(user: Any) -> list[AccountSection]:
    consultations = (
        Consultation.objects.filter(comments__author=user)
        .annotate(
            mine=Count("comments", filter=Q(comments__author=user)),
            hidden=Count("comments", filter=Q(comments__author=user, comments__status="hidden")),
        )
        .order_by("-closes_at")
    )
    return [
        AccountSection(
            key="consultations",
            title=_("Consultations"),
            template="consultations/account_consultations.html",
            items=list(consultations),
            empty=_("You have not commented on a consultation yet."),
            links=[(_("Consultations"), reverse("consultations:home"))],
            order=60,
        )
    ]
