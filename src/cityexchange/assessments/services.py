"""Every write of the assessments app: typed, keyword-only, atomic and audited.

Several members of a town's team may edit the same draft at once, so answers
are written indicator by indicator and only when they changed; a submitted
assessment is frozen (its answers can no longer change).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityexchange.assessments import planning, selectors
from cityexchange.assessments.models import (
    MAX_LEVEL,
    Activity,
    Answer,
    Assessment,
    AssessmentStatus,
    Dimension,
    DimensionTarget,
    Indicator,
    MaturityModel,
    RoadmapItem,
    RoadmapStatus,
)
from cityexchange.core.models import Membership, Organisation, OrganisationKind, User
from cityexchange.core.services import audit_record, snapshot


class AssessmentError(ValueError):
    """A request the assessment cannot take; the message is for the user."""


@dataclass(frozen=True)
class AnswerInput:
    indicator: Indicator
    level: int | None
    dont_know: bool
    notes: str = ""
    evidence: str = ""
    # The version of the answer the user started from (0: there was none);
    # None skips the check (seeding, imports).
    expected_version: int | None = None


@dataclass(frozen=True)
class AnswerConflict:
    """A teammate saved this indicator after the user loaded it: nothing was written."""

    indicator: Indicator
    stored: Answer  # the teammate's answer as it is now
    mine: AnswerInput  # what the user sent


@dataclass
class AnswersSaved:
    changed: list[str] = field(default_factory=list)  # indicator keys written
    conflicts: list[AnswerConflict] = field(default_factory=list)


def _lock_draft(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.DRAFT:
        raise AssessmentError(_("This assessment has been submitted and can no longer be changed."))
    return locked


def assessment_start(
    *, organisation: Organisation, user: User, maturity_model: MaturityModel | None = None
) -> Assessment:
    if organisation.kind != OrganisationKind.MUNICIPALITY:
        raise AssessmentError(_("Only municipalities can assess their digital maturity."))
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise AssessmentError(_("You can only start an assessment for your own municipality."))
    maturity_model = maturity_model or selectors.model_current()
    if maturity_model is None:
        raise AssessmentError(_("The maturity model has not been loaded yet."))
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organisation=organisation, maturity_model=maturity_model, created_by=user
        )
        audit_record(
            actor=user,
            action="assessment.start",
            obj=assessment,
            after={"organisation": organisation.slug, "model": maturity_model.version},
        )
    return assessment


def answers_save(
    *, assessment: Assessment, answers: Sequence[AnswerInput], user: User | None
) -> AnswersSaved:
    """Save the given answers row by row; returns what changed and what collided.

    Only the given indicators are touched and only changed fields are written,
    so two members answering different indicators never overwrite each other.
    When two members change the same indicator, the answer carries the version
    each started from: a save from an older version is not written but
    returned as a conflict (unless it says the same as the stored answer), so
    the user can see both and choose. The assessment row is locked for the
    check, so two saves of the same version cannot both win.
    """
    result = AnswersSaved()
    for item in answers:
        if item.indicator.maturity_model_id != assessment.maturity_model_id:
            raise AssessmentError(_("This indicator is not part of the assessment's model."))
        if item.level is not None and not 0 <= item.level <= MAX_LEVEL:
            raise AssessmentError(_("A level must be between 0 and 4."))
    with transaction.atomic():
        locked = _lock_draft(assessment)
        existing = {
            a.indicator_id: a
            for a in Answer.objects.filter(
                assessment=locked, indicator__in=[i.indicator for i in answers]
            ).select_related("updated_by")
        }
        for item in answers:
            values = {
                "level": None if item.dont_know else item.level,
                "dont_know": item.dont_know,
                "notes": item.notes.strip(),
                "evidence": item.evidence.strip(),
            }
            answer = existing.get(item.indicator.pk)
            stored_version = answer.version if answer is not None else 0
            if answer is None:
                if values == {"level": None, "dont_know": False, "notes": "", "evidence": ""}:
                    continue
                answer = Answer.objects.create(
                    assessment=locked, indicator=item.indicator, updated_by=user, **values
                )
                audit_record(actor=user, action="assessment.answer", obj=answer, after=values)
                result.changed.append(item.indicator.key)
                continue
            fields = [name for name, value in values.items() if getattr(answer, name) != value]
            if not fields:
                continue
            if item.expected_version is not None and item.expected_version != stored_version:
                result.conflicts.append(
                    AnswerConflict(indicator=item.indicator, stored=answer, mine=item)
                )
                continue
            before = snapshot(answer, [*values, "version"])
            for name in fields:
                setattr(answer, name, values[name])
            answer.updated_by = user
            answer.version = stored_version + 1
            answer.save(update_fields=[*fields, "updated_by", "updated_at", "version"])
            audit_record(
                actor=user,
                action="assessment.answer",
                obj=answer,
                before=before,
                after=snapshot(answer, [*values, "version"]),
            )
            result.changed.append(item.indicator.key)
    return result


def assessment_submit(*, assessment: Assessment, user: User | None) -> Assessment:
    """Freeze the answers, keep the scores for history and peers, and plan the roadmap."""
    with transaction.atomic():
        locked = _lock_draft(assessment)
        dimensions = selectors.model_dimensions(locked.maturity_model)
        results = selectors.results_for(locked, dimensions)
        existing_targets = selectors.targets_by_dimension(locked)
        DimensionTarget.objects.bulk_create(
            DimensionTarget(assessment=locked, dimension=dimension, level=result.target)
            for dimension, result in zip(dimensions, results.dimensions, strict=True)
            if dimension.pk not in existing_targets
        )
        locked.status = AssessmentStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.overall_score = results.overall_rounded
        locked.dimension_scores = results.snapshot()
        locked.save(
            update_fields=[
                "status",
                "submitted_at",
                "submitted_by",
                "overall_score",
                "dimension_scores",
            ]
        )
        audit_record(
            actor=user,
            action="assessment.submit",
            obj=locked,
            after={
                "model": locked.maturity_model.version,
                "overall": locked.overall_score,
                "dimensions": locked.dimension_scores,
            },
        )
        _roadmap_plan(locked, dimensions=dimensions, user=user)
    return locked


def targets_set(*, assessment: Assessment, targets: Mapping[str, int], user: User) -> list[str]:
    """Set target levels per dimension key; re-plans the proposals of a submitted roadmap."""
    for key, level in targets.items():
        if not 0 <= level <= MAX_LEVEL:
            raise AssessmentError(
                _("The target for %(key)s must be between 0 and 4.") % {"key": key}
            )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        dimensions = {
            d.key: d for d in Dimension.objects.filter(maturity_model=locked.maturity_model_id)
        }
        unknown = set(targets) - set(dimensions)
        if unknown:
            raise AssessmentError(
                _("Unknown dimension: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
            )
        current = {t.dimension_id: t for t in locked.targets.all()}
        changed = []
        for key, level in targets.items():
            dimension = dimensions[key]
            target = current.get(dimension.pk)
            if target is None:
                DimensionTarget.objects.create(assessment=locked, dimension=dimension, level=level)
            elif target.level != level:
                target.level = level
                target.save(update_fields=["level"])
            else:
                continue
            changed.append(key)
        if changed:
            audit_record(
                actor=user,
                action="assessment.targets",
                obj=locked,
                after={k: targets[k] for k in changed},
            )
            if locked.is_submitted:
                _roadmap_plan(locked, user=user)
    return changed


def capacity_set(*, assessment: Assessment, capacity: int | None, user: User) -> bool:
    if capacity is not None and not 1 <= capacity <= 60:
        raise AssessmentError(_("The capacity must be between 1 and 60 effort points a year."))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.capacity == capacity:
            return False
        before = snapshot(locked, ["capacity"])
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        audit_record(
            actor=user,
            action="assessment.capacity",
            obj=locked,
            before=before,
            after=snapshot(locked, ["capacity"]),
        )
        if locked.is_submitted:
            _roadmap_plan(locked, user=user)
    return True


def _roadmap_plan(
    assessment: Assessment, *, user: User | None, dimensions: Sequence[Dimension] | None = None
) -> None:
    """(Re)build the proposals of the roadmap; the municipality's own decisions are kept.

    Items the team accepted, moved, assigned, dropped or finished stay as they
    are and use up capacity in their year; proposals are planned around them.
    """
    dimensions = (
        dimensions
        if dimensions is not None
        else selectors.model_dimensions(assessment.maturity_model)
    )
    results = selectors.results_for(assessment, dimensions)
    gaps = [
        planning.Gap(indicator=indicator.key, levels=result.target - indicator.score)
        for result in results.dimensions
        for indicator in result.indicators
        if indicator.score < result.target
    ]
    all_activities = {
        a.key: a
        for a in Activity.objects.filter(maturity_model=assessment.maturity_model_id)
        .prefetch_related("prerequisites")
        .order_by("position")
    }
    plan_activities = {
        key: planning.PlanActivity(
            key=key,
            effort=a.effort,
            impact=a.impact,
            prerequisites=tuple(p.key for p in a.prerequisites.all()),
            position=a.position,
        )
        for key, a in all_activities.items()
    }
    by_indicator = {
        i.key: selectors.indicator_activity_keys(i) for d in dimensions for i in d.indicators.all()
    }
    existing = {item.activity.key: item for item in assessment.roadmap.select_related("activity")}
    kept = {key: item for key, item in existing.items() if item.status != RoadmapStatus.PROPOSED}
    done = {key for key, item in kept.items() if item.status == RoadmapStatus.DONE}
    closes = planning.select(gaps, by_indicator, plan_activities, done=done)
    active = {k for k, item in kept.items() if item.status != RoadmapStatus.DROPPED}
    planned = {
        k: v for k, v in plan_activities.items() if (k in closes and k not in kept) or k in active
    }
    ranks = planning.priorities(planned, closes)
    plan = planning.schedule(
        planned,
        selectors.capacity_for(assessment),
        fixed={key: kept[key].year for key in active},
        ranks=ranks,
    )
    stale = [item.pk for key, item in existing.items() if key not in closes and key not in kept]
    RoadmapItem.objects.filter(pk__in=stale).delete()
    for position, (key, year) in enumerate(plan):
        item = existing.get(key)
        rank = ranks[key]
        values: dict[str, Any] = {
            "position": position,
            "priority": rank.score,
            "reasons": rank.reasons(),
        }
        if item is None:
            RoadmapItem.objects.create(
                assessment=assessment, activity=all_activities[key], year=year, **values
            )
            continue
        if item.status == RoadmapStatus.PROPOSED:
            values["year"] = year
        fields = [name for name, value in values.items() if getattr(item, name) != value]
        for name in fields:
            setattr(item, name, values[name])
        if fields:
            item.save(update_fields=fields)
    audit_record(
        actor=user,
        action="assessment.roadmap_plan",
        obj=assessment,
        after={"activities": len(plan), "kept": len(kept)},
    )


def roadmap_item_update(
    *,
    item: RoadmapItem,
    user: User,
    status: str | None = None,
    year: int | None = None,
    assignee: User | None = None,
    unassign: bool = False,
) -> list[str]:
    """Accept, drop, finish, move or assign one roadmap activity; returns the changed fields."""
    if status is not None and status not in RoadmapStatus.values:
        raise AssessmentError(_("Unknown status."))
    if year is not None and not 1 <= year <= planning.YEARS:
        raise AssessmentError(_("Choose a year between 1 and 4."))
    with transaction.atomic():
        locked = (
            RoadmapItem.objects.select_for_update()
            .select_related("activity", "assessment")
            .get(pk=item.pk)
        )
        values: dict[str, Any] = {}
        if status is not None:
            values["status"] = status
        if year is not None and year != locked.year:
            _check_year(locked, year)
            values["year"] = year
            # Moving a proposal is a decision: it stays where the team put it.
            if locked.status == RoadmapStatus.PROPOSED and status in (None, RoadmapStatus.PROPOSED):
                values["status"] = RoadmapStatus.ACCEPTED
        if assignee is not None:
            if not Membership.objects.filter(
                user=assignee, organisation_id=locked.assessment.organisation_id
            ).exists():
                raise AssessmentError(_("Activities can only be assigned to members of the team."))
            values["assignee_id"] = assignee.pk
        elif unassign:
            values["assignee_id"] = None
        before = snapshot(locked, ["status", "year", "assignee_id"])
        fields = [name for name, value in values.items() if getattr(locked, name) != value]
        if not fields:
            return []
        for name in fields:
            setattr(locked, name, values[name])
        locked.save(update_fields=[f.removesuffix("_id") for f in fields] + ["updated_at"])
        audit_record(
            actor=user,
            action="assessment.roadmap_item",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "year", "assignee_id"]),
        )
    item.refresh_from_db()
    return [f.removesuffix("_id") for f in fields]


def _check_year(item: RoadmapItem, year: int) -> None:
    """A move must keep prerequisites first: not before them, not after what depends on it."""
    others = {
        i.activity_id: i
        for i in RoadmapItem.objects.filter(assessment_id=item.assessment_id)
        .exclude(status=RoadmapStatus.DROPPED)
        .exclude(pk=item.pk)
        .select_related("activity")
    }
    for prerequisite in item.activity.prerequisites.all():
        other = others.get(prerequisite.pk)
        if other is not None and other.year is not None and other.year > year:
            raise AssessmentError(
                _("“%(name)s” has to come first; it is planned for year %(year)s.")
                % {"name": prerequisite.name, "year": other.year}
            )
    for dependent in item.activity.dependents.all():
        other = others.get(dependent.pk)
        if other is not None and other.year is not None and other.year < year:
            raise AssessmentError(
                _("“%(name)s” in year %(year)s builds on this activity; move that one first.")
                % {"name": dependent.name, "year": other.year}
            )


# ---------------------------------------------------------------- personal data


def personal_data_of(*, user: User) -> dict[str, Any]:
    """The self-assessment's part of a person's data export: what they started,
    submitted and answered, and the roadmap activities assigned to them. The
    assessments themselves belong to their municipalities."""
    answers = Answer.objects.filter(updated_by=user).select_related(
        "assessment__organisation", "indicator"
    )
    return {
        "assessments_started": list(
            Assessment.objects.filter(created_by=user).values_list("pk", flat=True)
        ),
        "assessments_submitted": list(
            Assessment.objects.filter(submitted_by=user).values_list("pk", flat=True)
        ),
        "answers": [
            {
                "assessment": answer.assessment_id,
                "organisation": answer.assessment.organisation.name,
                "indicator": answer.indicator.key,
                "level": answer.level,
                "dont_know": answer.dont_know,
                "notes": answer.notes,
                "evidence": answer.evidence,
                "at": answer.updated_at.isoformat(),
            }
            for answer in answers
        ],
        "roadmap_assigned": [
            {"assessment": assessment, "activity": activity, "status": status}
            for assessment, activity, status in RoadmapItem.objects.filter(
                assignee=user
            ).values_list("assessment_id", "activity__key", "status")
        ],
    }


def personal_data_erase(*, user: User) -> None:
    """Erasure: the answers stay with the municipality that gave them, no longer
    linked to the person; nothing is assigned to them any more."""
    Assessment.objects.filter(created_by=user).update(created_by=None)
    Assessment.objects.filter(submitted_by=user).update(submitted_by=None)
    Answer.objects.filter(updated_by=user).update(updated_by=None)
    RoadmapItem.objects.filter(assignee=user).update(assignee=None)
