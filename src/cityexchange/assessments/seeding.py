"""Seeding the assessments app: the maturity model, and a demo assessment with ``--demo``."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cityexchange.assessments import selectors, services
from cityexchange.assessments.loading import DATA_FILE, load_model
from cityexchange.assessments.models import Assessment, Indicator, MaturityModel
from cityexchange.core.datafiles import Entry, load_yaml
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Organisation, OrganisationKind, User

DEMO_MUNICIPALITY = "demo-lindenau"
DEMO_MEMBER = "member@demo.invalid"
DEMO_PEERS = Path(__file__).resolve().parent / "data" / "demo_peers.yaml"


def load_demo_peers(model: MaturityModel, path: Path = DEMO_PEERS) -> str:
    """Invented demo municipalities with one submitted assessment each, so the demo
    member sees the peer comparison; idempotent (a town that has one keeps it)."""
    indicators = list(Indicator.objects.filter(maturity_model=model).order_by("position"))
    created = 0
    for raw in load_yaml(path, key="towns"):
        entry = Entry(path, raw, id_field="slug")
        names = entry.data["name"]
        organisation, _new = Organisation.objects.get_or_create(
            slug=entry.id,
            defaults={
                "kind": OrganisationKind.MUNICIPALITY,
                "country": entry.data["country"],
                "population": int(entry.data["population"]),
                "is_demo": True,
                "name": names["en"],
                **{f"name_{language}": names[language] for language in LANGUAGES},
            },
        )
        if Assessment.objects.filter(
            organisation=organisation, maturity_model=model, is_demo=True
        ).exists():
            continue
        pattern = list(entry.data["pattern"])
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organisation=organisation, maturity_model=model, is_demo=True
            )
            answers = [
                services.AnswerInput(
                    indicator=indicator,
                    level=pattern[index % len(pattern)],
                    dont_know=pattern[index % len(pattern)] is None,
                )
                for index, indicator in enumerate(indicators)
            ]
            services.answers_save(assessment=assessment, answers=answers, user=None)
            services.assessment_submit(assessment=assessment, user=None)
        created += 1
    return f"demo peer assessments: {created} created"


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
        report.append(load_demo_peers(current or model))
    return report
