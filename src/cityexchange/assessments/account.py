"""What "My cityexchange" shows of the self-assessment: the latest assessment of each of
the person's organisations and how far its roadmap has come.

Called through ``AssessmentsConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.assessments.models import Assessment, RoadmapStatus


def account_sections(user: Any) -> list[AccountSection]:
    assessments = (
        Assessment.objects.filter(organisation__memberships__user=user, is_demo=False)
        .select_related("organisation")
        .annotate(
            planned=Count("roadmap", filter=~Q(roadmap__status=RoadmapStatus.DROPPED)),
            done=Count("roadmap", filter=Q(roadmap__status=RoadmapStatus.DONE)),
        )
        .order_by("organisation__name", "-created_at")
    )
    latest: dict[int, Assessment] = {}
    for assessment in assessments:
        latest.setdefault(assessment.organisation_id, assessment)
    return [
        AccountSection(
            key="assessments",
            title=_("Self-assessment"),
            template="assessments/account_assessments.html",
            items=list(latest.values()),
            empty=_("Your organisation has not started a self-assessment yet."),
            links=[(_("Digital-maturity self-assessment"), reverse("assessments:start"))],
            order=40,
        )
    ]
