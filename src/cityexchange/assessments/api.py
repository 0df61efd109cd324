"""Self-assessment API at /api/v1/assessments: the model, assessments, answers, results, roadmap.

No ``from __future__ import annotations`` here: django-ninja reads the
annotations at import time. Assessments are readable only by the
municipality's members and network staff; everyone else gets 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from cityexchange.assessments import planning, selectors, services
from cityexchange.assessments.models import Answer, Assessment, Indicator
from cityexchange.core.access import get_for_user
from cityexchange.core.api import token_or_session
from cityexchange.core.models import Organisation, User
from cityexchange.core.schemas import ErrorOut

router = Router(tags=["assessments"])


class LevelOut(Schema):
    level: int
    statement: str
    improve: str


class IndicatorOut(Schema):
    key: str
    name: str
    question: str
    levels: list[LevelOut]
    activities: list[str]


class DimensionOut(Schema):
    key: str
    name: str
    description: str
    indicators: list[IndicatorOut]


class ActivityOut(Schema):
    key: str
    name: str
    description: str
    effort: int
    impact: int
    prerequisites: list[str]
    topics: list[str]
    offer_kinds: list[str]


class ModelOut(Schema):
    version: str
    name: str
    language: str
    levels: list[str]
    dimensions: list[DimensionOut]
    activities: list[ActivityOut]


class StartIn(Schema):
    organisation: str = Field(..., description="Slug of one of your municipalities")


class AnswerOut(Schema):
    indicator: str
    level: int | None
    dont_know: bool
    notes: str
    evidence: list[str]
    version: int = Field(..., description="Send it back with your next change of this answer")
    updated_at: Any


class AssessmentOut(Schema):
    id: int
    organisation: str
    model_version: str
    status: str
    created_at: Any
    submitted_at: Any
    capacity: int
    answers: list[AnswerOut]


class AnswerIn(Schema):
    version: int = Field(
        ...,
        ge=0,
        description="The version of the answer you changed (0 if it had none); "
        "a teammate's newer answer is not overwritten (409)",
    )
    level: int | None = Field(None, ge=0, le=4)
    dont_know: bool = False
    notes: str = Field("", max_length=4000)
    evidence: list[str] = Field(default_factory=list, max_length=10)


class IndicatorResultOut(Schema):
    key: str
    name: str
    level: int | None
    dont_know: bool
    score: int


class DimensionResultOut(Schema):
    key: str
    name: str
    score: float
    target: int
    not_known: int
    uncertain: bool
    weakest: list[str]
    indicators: list[IndicatorResultOut]


class PeerOut(Schema):
    group: str
    municipalities: int
    shown: bool
    withheld: str = Field(
        "", description="why the means are withheld: too_few | overlap (differencing), or empty"
    )
    means: dict[str, float]


class ResultsOut(Schema):
    id: int
    status: str
    rule: str
    overall: float
    not_known: int
    strongest: list[str]
    weakest: list[str]
    dimensions: list[DimensionResultOut]
    peers: list[PeerOut]


class RoadmapItemOut(Schema):
    activity: str
    name: str
    year: int | None
    position: int
    status: str
    effort: int
    impact: int
    assignee: str | None
    prerequisites: list[str]
    indicators: list[str]
    priority: float
    reasons: list[dict[str, Any]]


class RoadmapOut(Schema):
    id: int
    capacity: int
    done: int
    planned: int
    effort_by_year: dict[int, int]
    over_capacity_years: list[int]
    items: list[RoadmapItemOut]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, _("Authentication required: sign in or send a valid API token."))
    return user


def _get(request: HttpRequest, assessment_id: int) -> Assessment:
    return get_for_user(
        selectors.assessment_queryset(),
        user=request.user,
        perm="assessments.view_assessment",
        pk=assessment_id,
    )


def _get_for_change(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = _get(request, assessment_id)
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied
    return assessment


def _answer_out(key: str, answer: Answer | None) -> dict[str, Any]:
    return {
        "indicator": key,
        "level": answer.level if answer else None,
        "dont_know": answer.dont_know if answer else False,
        "notes": answer.notes if answer else "",
        "evidence": answer.evidence_links if answer else [],
        "version": answer.version if answer else 0,
        "updated_at": answer.updated_at if answer else None,
    }


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    answers = assessment.answers.select_related("indicator").order_by("indicator__position")
    return {
        "id": assessment.pk,
        "organisation": assessment.organisation.slug,
        "model_version": assessment.maturity_model.version,
        "status": assessment.status,
        "created_at": assessment.created_at,
        "submitted_at": assessment.submitted_at,
        "capacity": selectors.capacity_for(assessment),
        "answers": [_answer_out(a.indicator.key, a) for a in answers],
    }


@router.get("/model", response={200: ModelOut, 404: ErrorOut}, auth=None)
def model(request: HttpRequest) -> Any:
    """The current maturity model in the language of ``Accept-Language`` (de, en, es, pt)."""
    from cityexchange.core.i18n import current_language

    current = selectors.model_current()
    if current is None:
        return Status(404, {"detail": _("The maturity model has not been loaded yet.")})
    dimensions = selectors.model_dimensions(current)
    activities = current.activities.prefetch_related("prerequisites").order_by("position")
    return {
        "version": current.version,
        "name": current.name,
        "language": current_language(),
        "levels": selectors.level_names(current),
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "description": d.description,
                "indicators": [
                    {
                        "key": i.key,
                        "name": i.name,
                        "question": i.question,
                        "levels": [
                            {"level": lv.value, "statement": lv.statement, "improve": lv.improve}
                            for lv in i.levels.all()
                        ],
                        "activities": [a.key for a in i.activities.all()],
                    }
                    for i in d.indicators.all()
                ],
            }
            for d in dimensions
        ],
        "activities": [
            {
                "key": a.key,
                "name": a.name,
                "description": a.description,
                "effort": a.effort,
                "impact": a.impact,
                "prerequisites": [p.key for p in a.prerequisites.all()],
                "topics": a.topics,
                "offer_kinds": a.offer_kinds,
            }
            for a in activities
        ],
    }


@router.post(
    "",
    response={201: AssessmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=token_or_session,
)
def start(request: HttpRequest, payload: StartIn) -> Any:
    """Start an assessment for one of your municipalities."""
    user = _user(request)
    organisation = selectors.municipalities_of(user).filter(slug=payload.organisation).first()
    if organisation is None:
        if Organisation.objects.filter(slug=payload.organisation).exists():
            return Status(
                403, {"detail": _("You can only start an assessment for your own municipality.")}
            )
        return Status(404, {"detail": _("No municipality with this address.")})
    try:
        assessment = services.assessment_start(organisation=organisation, user=user)
    except services.AssessmentError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(201, _assessment_out(assessment))


@router.get("/{assessment_id}", response=AssessmentOut, auth=token_or_session)
def detail(request: HttpRequest, assessment_id: int) -> Any:
    return _assessment_out(_get(request, assessment_id))


@router.put(
    "/{assessment_id}/answers/{indicator_key}",
    response={200: AnswerOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=token_or_session,
)
def put_answer(
    request: HttpRequest, assessment_id: int, indicator_key: str, payload: AnswerIn
) -> Any:
    """Save one indicator's answer: only this row is written, so teammates do not collide."""
    assessment = _get_for_change(request, assessment_id)
    indicator = Indicator.objects.filter(
        maturity_model=assessment.maturity_model_id, key=indicator_key
    ).first()
    if indicator is None:
        return Status(
            404, {"detail": _("This assessment has no indicator %(key)s.") % {"key": indicator_key}}
        )
    if payload.dont_know and payload.level is not None:
        return Status(400, {"detail": _("Give either a level or “don't know”, not both.")})
    from cityexchange.assessments.forms import AnswerForm

    form = AnswerForm(
        {
            f"{indicator.key}-choice": "",
            f"{indicator.key}-notes": payload.notes,
            f"{indicator.key}-evidence": "\n".join(payload.evidence),
        },
        indicator=indicator,
    )
    if not form.is_valid():
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return Status(400, {"detail": " ".join(messages)})
    if assessment.is_submitted:
        return Status(
            409, {"detail": _("This assessment has been submitted and can no longer be changed.")}
        )
    try:
        outcome = services.answers_save(
            assessment=assessment,
            answers=[
                services.AnswerInput(
                    indicator=indicator,
                    level=payload.level,
                    dont_know=payload.dont_know,
                    notes=form.cleaned_data["notes"],
                    evidence=form.cleaned_data["evidence"],
                    expected_version=payload.version,
                )
            ],
            user=_user(request),
        )
    except services.AssessmentError as exc:
        return Status(409, {"detail": str(exc)})
    if outcome.conflicts:
        stored = outcome.conflicts[0].stored
        return Status(
            409,
            {
                "detail": _(
                    "%(name)s changed this answer after you read it (now version %(version)s, "
                    "you sent %(sent)s). Nothing was saved: read the answer again, then send "
                    "your change with version %(version)s if it should replace theirs."
                )
                % {
                    "name": stored.updated_by.get_full_name()
                    if stored.updated_by
                    else _("A team member"),
                    "version": stored.version,
                    "sent": payload.version,
                }
            },
        )
    answer = assessment.answers.filter(indicator=indicator).first()
    return Status(200, _answer_out(indicator.key, answer))


@router.post(
    "/{assessment_id}/submit",
    response={200: AssessmentOut, 409: ErrorOut},
    auth=token_or_session,
)
def submit(request: HttpRequest, assessment_id: int) -> Any:
    assessment = _get_for_change(request, assessment_id)
    try:
        assessment = services.assessment_submit(assessment=assessment, user=_user(request))
    except services.AssessmentError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _assessment_out(assessment))


RULE = (
    "indicator = chosen level 0-4 (don't know / unanswered = 0, counted as not known); "
    "dimension = mean of its indicators (uncertain when more than half are not known); "
    "overall = mean of the dimensions; default target = dimension score rounded up + 1, max 4"
)


@router.get("/{assessment_id}/results", response=ResultsOut, auth=token_or_session)
def results(request: HttpRequest, assessment_id: int) -> Any:
    assessment = _get(request, assessment_id)
    result = selectors.results_for(assessment)
    peers = selectors.peer_groups(assessment) if assessment.is_submitted else []
    return {
        "id": assessment.pk,
        "status": assessment.status,
        "rule": RULE,
        "overall": result.overall_rounded,
        "not_known": result.not_known,
        "strongest": [d.key for d in result.strongest],
        "weakest": [d.key for d in result.weakest],
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "score": d.rounded,
                "target": d.target,
                "not_known": d.not_known,
                "uncertain": d.uncertain,
                "weakest": [i.key for i in d.weakest],
                "indicators": [
                    {
                        "key": i.key,
                        "name": i.name,
                        "level": i.level,
                        "dont_know": i.dont_know,
                        "score": i.score,
                    }
                    for i in d.indicators
                ],
            }
            for d in result.dimensions
        ],
        # Groups below the threshold are listed without figures: their size is all there is.
        "peers": [
            {
                "group": g.key,
                "municipalities": g.count,
                "shown": g.shown,
                "withheld": g.withheld,
                "means": g.means if g.shown else {},
            }
            for g in peers
        ],
    }


@router.get("/{assessment_id}/roadmap", response=RoadmapOut, auth=token_or_session)
def roadmap(request: HttpRequest, assessment_id: int) -> Any:
    assessment = _get(request, assessment_id)
    items = selectors.roadmap_items(assessment)
    done, planned = selectors.roadmap_progress(items)
    capacity = selectors.capacity_for(assessment)
    efforts = selectors.roadmap_effort_by_year(items)
    return {
        "id": assessment.pk,
        "capacity": capacity,
        "done": done,
        "planned": planned,
        "effort_by_year": efforts,
        "over_capacity_years": planning.over_capacity(efforts, capacity),
        "items": [
            {
                "activity": i.activity.key,
                "name": i.activity.name,
                "year": i.year,
                "position": i.position,
                "status": i.status,
                "effort": i.activity.effort,
                "impact": i.activity.impact,
                "assignee": i.assignee.get_full_name() if i.assignee else None,
                "prerequisites": [p.key for p in i.activity.prerequisites.all()],
                "indicators": [ind.key for ind in i.activity.indicators.all()],
                "priority": i.priority,
                "reasons": i.reasons,
            }
            for i in items
        ],
    }
