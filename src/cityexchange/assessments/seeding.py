"""Seeding the assessments app: the maturity model, and a demo assessment with ``--demo``."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cityexchange.assessments import selectors, services
from cityexchange.assessments.loading import DATA_FILE, load_model
from cityexchange.assessments.models import Assessment, Indicator, MaturityModel
from cityexchange.core.models import Organisation, User

DEMO_MUNICIPALITY = "demo-lindenau"
DEMO_MEMBER = "member@demo.invalid"


def load_demo_assessment(model: MaturityModel) -> str:
    """A submitted assessment for the demo town, so results and a roadmap can be seen."""
    organisation = Organisation.objects.filter(slug=DEMO_MUNICIPALITY).first()
    if organisation is None:
        return f"demo assessment: skipped ({DEMO_MUNICIPALITY} not loaded)"
    if Assessment.objects.filter(organisation=organisation, is_demo=True).exists():
        return "demo assessment: unchanged"
    user = User.objects.filter(email=DEMO_MEMBER).first()
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organisation=organisation, maturity_model=model, created_by=user, is_demo=True
        )
        indicators = list(Indicator.objects.filter(maturity_model=model).order_by("position"))
        answers = []
        for index, indicator in enumerate(indicators):
            # A plausible newcomer: mostly levels 0–2, now and then "don't know".
            dont_know = index % 7 == 5
            answers.append(
                services.AnswerInput(
                    indicator=indicator,
                    level=None if dont_know else (1, 2, 0, 1, 3, 2, 1, 0)[index % 8],
                    dont_know=dont_know,
                )
            )
        services.answers_save(assessment=assessment, answers=answers, user=user)
        services.assessment_submit(assessment=assessment, user=user)
    return "demo assessment: 1 submitted assessment created"


def seed(*, demo: bool, path: Path | None = None) -> list[str]:
    path = path or DATA_FILE
    if not path.exists():
        return [f"maturity model: skipped ({path.name} not found)"]
    model, what = load_model(path)
    report = [f"maturity model {model.version}: {what}"]
    if demo:
        current = selectors.model_current()
        report.append(load_demo_assessment(current or model))
    return report
