"""Loading the maturity model data file (``data/maturity_model.yaml``) into a model version.

A version is immutable in meaning: loading a file whose ``version`` is new
creates a complete new set of rows, and assessments keep pointing at the
version they were answered against. Reloading the same content changes
nothing; reloading the same version with corrected texts only (same keys,
levels, efforts, links) updates those texts in place; any change of structure
under an existing version is refused with a request to raise the version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from cityexchange.assessments.models import (
    MAX_LEVEL,
    Activity,
    Dimension,
    Indicator,
    Level,
    MaturityModel,
    ScaleLevel,
)
from cityexchange.core.datafiles import DataFileError, Entry
from cityexchange.core.i18n import LANGUAGES

DATA_FILE = Path(__file__).resolve().parent / "data" / "maturity_model.yaml"
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OFFER_KINDS = (
    "membership_network",
    "exchange_format",
    "training",
    "study_programme",
    "challenge",
    "consultation",
    "tool",
    "funding",
    "guideline",
    "advisory",
)
LEVEL_COUNT = MAX_LEVEL + 1
Texts = dict[str, str]


@dataclass
class ParsedIndicator:
    key: str
    name: Texts
    question: Texts
    levels: list[tuple[Texts, Texts]]  # (statement, improve) for level 0..4
    activities: list[str]


@dataclass
class ParsedDimension:
    key: str
    name: Texts
    description: Texts
    indicators: list[ParsedIndicator] = field(default_factory=list)


@dataclass
class ParsedActivity:
    key: str
    name: Texts
    description: Texts
    effort: int
    impact: int
    prerequisites: list[str]
    topics: list[str]
    offer_kinds: list[str]


@dataclass
class ParsedModel:
    version: str
    name: Texts
    levels: list[Texts]
    dimensions: list[ParsedDimension]
    activities: list[ParsedActivity]
    content_hash: str
    structure_hash: str


def _translated(fieldname: str, texts: Texts) -> dict[str, str]:
    values = {f"{fieldname}_{lang}": texts.get(lang, "") for lang in LANGUAGES}
    values[fieldname] = texts.get("en", "")
    return values


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _key(entry: Entry, fieldname: str = "key") -> str:
    if not KEY_PATTERN.match(entry.id):
        raise entry.error(fieldname, "must be lowercase words joined by hyphens")
    return entry.id


def _list_of_mappings(path: Path, value: Any, *, entry: str | None, fieldname: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise DataFileError(path, "must be a non-empty list", entry=entry, field=fieldname)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise DataFileError(
                path, f"item {index + 1} must be a mapping", entry=entry, field=fieldname
            )
    return value


def _check_unique(path: Path, keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise DataFileError(path, f"duplicate {what} key", entry=key, field="key")
        seen.add(key)


def _check_acyclic(path: Path, activities: list[ParsedActivity]) -> None:
    graph = {a.key: a.prerequisites for a in activities}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(key: str, trail: list[str]) -> None:
        state[key] = 1
        for prerequisite in graph[key]:
            if state.get(prerequisite) == 1:
                cycle = [*trail[trail.index(prerequisite) :], prerequisite]
                raise DataFileError(
                    path,
                    f"prerequisites form a cycle: {' → '.join(cycle)}",
                    entry=prerequisite,
                    field="prerequisites",
                )
            if prerequisite not in state:
                visit(prerequisite, [*trail, prerequisite])
        state[key] = 2

    for key in graph:
        if key not in state:
            visit(key, [key])


def parse(path: Path, *, known_topics: set[str]) -> ParsedModel:
    """Read and check the whole file; every error names file, entry and field."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise DataFileError(path, "file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise DataFileError(path, "expected a mapping with version, name, levels, dimensions")
    top = Entry(
        path, {**document, "version": str(document.get("version") or "")}, id_field="version"
    )
    name = top.translations("name")
    raw_levels = document.get("levels")
    if not isinstance(raw_levels, list) or len(raw_levels) != LEVEL_COUNT:
        raise top.error("levels", f"must list exactly {LEVEL_COUNT} level names (0 to {MAX_LEVEL})")
    levels = [
        Entry(path, {"names": item, "id": f"level {index}"}, id_field="id").translations("names")
        for index, item in enumerate(raw_levels)
    ]

    activities: list[ParsedActivity] = []
    for raw in _list_of_mappings(
        path, document.get("activities"), entry=None, fieldname="activities"
    ):
        entry = Entry(path, raw, id_field="key")
        key = _key(entry)
        effort = entry.integer("effort", required=True, minimum=1)
        impact = entry.integer("impact", required=True, minimum=1)
        assert effort is not None and impact is not None  # noqa: S101 - required above
        if effort > 3:
            raise entry.error("effort", "must be 1 (low), 2 (medium) or 3 (high)")
        if impact > 3:
            raise entry.error("impact", "must be 1 (low), 2 (medium) or 3 (high)")
        topics = entry.text_list("topics")
        for topic in topics:
            if topic not in known_topics:
                raise entry.error(
                    "topics",
                    f"{topic!r} is not a concept of the thesaurus (core/data/thesaurus.yaml)",
                )
        kinds = entry.text_list("offer_kinds")
        for kind in kinds:
            if kind not in OFFER_KINDS:
                raise entry.error("offer_kinds", f"{kind!r} is not one of {', '.join(OFFER_KINDS)}")
        activities.append(
            ParsedActivity(
                key=key,
                name=entry.translations("name"),
                description=entry.translations("description"),
                effort=effort,
                impact=impact,
                prerequisites=entry.text_list("prerequisites"),
                topics=topics,
                offer_kinds=kinds,
            )
        )
    activity_keys = {a.key for a in activities}
    _check_unique(path, [a.key for a in activities], "activity")
    for activity in activities:
        for prerequisite in activity.prerequisites:
            if prerequisite == activity.key:
                raise DataFileError(
                    path,
                    "an activity cannot be its own prerequisite",
                    entry=activity.key,
                    field="prerequisites",
                )
            if prerequisite not in activity_keys:
                raise DataFileError(
                    path,
                    f"names {prerequisite!r}, which is not an activity of the file",
                    entry=activity.key,
                    field="prerequisites",
                )
    _check_acyclic(path, activities)

    dimensions: list[ParsedDimension] = []
    for raw in _list_of_mappings(
        path, document.get("dimensions"), entry=None, fieldname="dimensions"
    ):
        entry = Entry(path, raw, id_field="key")
        dimension = ParsedDimension(
            key=_key(entry),
            name=entry.translations("name"),
            description=entry.translations("description"),
        )
        raw_indicators = _list_of_mappings(
            path, raw.get("indicators"), entry=dimension.key, fieldname="indicators"
        )
        for raw_indicator in raw_indicators:
            indicator_entry = Entry(path, raw_indicator, id_field="key")
            ind_key = _key(indicator_entry)
            raw_ind_levels = raw_indicator.get("levels")
            if not isinstance(raw_ind_levels, list) or len(raw_ind_levels) != LEVEL_COUNT:
                raise indicator_entry.error("levels", f"must have exactly {LEVEL_COUNT} entries")
            ind_levels = []
            for index, raw_level in enumerate(raw_ind_levels):
                if not isinstance(raw_level, dict):
                    raise indicator_entry.error(f"levels[{index}]", "must be a mapping")
                level_entry = Entry(path, {**raw_level, "_where": f"{ind_key}"}, id_field="_where")
                try:
                    ind_levels.append(
                        (level_entry.translations("statement"), level_entry.translations("improve"))
                    )
                except DataFileError as exc:
                    raise DataFileError(
                        path,
                        str(exc).split(": ", 1)[-1],
                        entry=ind_key,
                        field=f"levels[{index}].{exc.field}",
                    ) from exc
            linked = indicator_entry.text_list("activities")
            for key in linked:
                if key not in activity_keys:
                    raise indicator_entry.error(
                        "activities", f"names {key!r}, which is not an activity of the file"
                    )
            dimension.indicators.append(
                ParsedIndicator(
                    key=ind_key,
                    name=indicator_entry.translations("name"),
                    question=indicator_entry.translations("question"),
                    levels=ind_levels,
                    activities=linked,
                )
            )
        dimensions.append(dimension)
    _check_unique(path, [d.key for d in dimensions], "dimension")
    _check_unique(path, [i.key for d in dimensions for i in d.indicators], "indicator")

    structure = {
        "dimensions": [[d.key, [[i.key, i.activities] for i in d.indicators]] for d in dimensions],
        "activities": [
            [a.key, a.effort, a.impact, a.prerequisites, a.topics, a.offer_kinds]
            for a in activities
        ],
    }
    return ParsedModel(
        version=top.id,
        name=name,
        levels=levels,
        dimensions=dimensions,
        activities=activities,
        content_hash=_hash(document),
        structure_hash=_hash(structure),
    )


def _structure_hash_of(model: MaturityModel) -> str:
    """The structure of a stored version, in the same shape ``parse`` hashes."""
    dimensions = []
    for dimension in model.dimensions.prefetch_related("indicators__activities").order_by(
        "position"
    ):
        indicators = [
            [i.key, [a.key for a in sorted(i.activities.all(), key=lambda a: a.position)]]
            for i in sorted(dimension.indicators.all(), key=lambda i: i.position)
        ]
        dimensions.append([dimension.key, indicators])
    activities = [
        [
            a.key,
            a.effort,
            a.impact,
            [p.key for p in sorted(a.prerequisites.all(), key=lambda p: p.position)],
            a.topics,
            a.offer_kinds,
        ]
        for a in model.activities.prefetch_related("prerequisites").order_by("position")
    ]
    return _hash({"dimensions": dimensions, "activities": activities})


def _set_fields(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _create(parsed: ParsedModel) -> MaturityModel:
    model = MaturityModel.objects.create(
        version=parsed.version, content_hash=parsed.content_hash, **_translated("name", parsed.name)
    )
    ScaleLevel.objects.bulk_create(
        ScaleLevel(maturity_model=model, value=value, **_translated("name", texts))
        for value, texts in enumerate(parsed.levels)
    )
    activities: dict[str, Activity] = {}
    for position, item in enumerate(parsed.activities):
        activities[item.key] = Activity.objects.create(
            maturity_model=model,
            key=item.key,
            position=position,
            effort=item.effort,
            impact=item.impact,
            topics=item.topics,
            offer_kinds=item.offer_kinds,
            **_translated("name", item.name),
            **_translated("description", item.description),
        )
    through = Activity.prerequisites.through
    through.objects.bulk_create(
        through(from_activity=activities[item.key], to_activity=activities[key])
        for item in parsed.activities
        for key in item.prerequisites
    )
    position = 0
    for dim_position, dim in enumerate(parsed.dimensions):
        dimension = Dimension.objects.create(
            maturity_model=model,
            key=dim.key,
            position=dim_position,
            **_translated("name", dim.name),
            **_translated("description", dim.description),
        )
        for ind in dim.indicators:
            indicator = Indicator.objects.create(
                maturity_model=model,
                dimension=dimension,
                key=ind.key,
                position=position,
                **_translated("name", ind.name),
                **_translated("question", ind.question),
            )
            position += 1
            Level.objects.bulk_create(
                Level(
                    indicator=indicator,
                    value=value,
                    **_translated("statement", statement),
                    **_translated("improve", improve),
                )
                for value, (statement, improve) in enumerate(ind.levels)
            )
            indicator.activities.set([activities[key] for key in ind.activities])
            indicator.activity_order = list(ind.activities)
            indicator.save(update_fields=["activity_order"])
    return model


def _update_texts(model: MaturityModel, parsed: ParsedModel) -> None:
    """Same structure, corrected wording: update the texts of the stored rows."""
    if fields := _set_fields(
        model, {**_translated("name", parsed.name), "content_hash": parsed.content_hash}
    ):
        model.save(update_fields=fields)
    for scale in model.scale_levels.all():
        if fields := _set_fields(scale, _translated("name", parsed.levels[scale.value])):
            scale.save(update_fields=fields)
    by_key = {a.key: a for a in parsed.activities}
    for activity in model.activities.all():
        item = by_key[activity.key]
        values = {**_translated("name", item.name), **_translated("description", item.description)}
        if fields := _set_fields(activity, values):
            activity.save(update_fields=fields)
    dims = {d.key: d for d in parsed.dimensions}
    inds = {i.key: i for d in parsed.dimensions for i in d.indicators}
    for dimension in model.dimensions.all():
        dim = dims[dimension.key]
        values = {**_translated("name", dim.name), **_translated("description", dim.description)}
        if fields := _set_fields(dimension, values):
            dimension.save(update_fields=fields)
    for level in Level.objects.filter(indicator__maturity_model=model).select_related("indicator"):
        statement, improve = inds[level.indicator.key].levels[level.value]
        values = {**_translated("statement", statement), **_translated("improve", improve)}
        if fields := _set_fields(level, values):
            level.save(update_fields=fields)
    for indicator in model.indicators.all():
        ind = inds[indicator.key]
        indicator_values: dict[str, Any] = {
            **_translated("name", ind.name),
            **_translated("question", ind.question),
            "activity_order": list(ind.activities),
        }
        if fields := _set_fields(indicator, indicator_values):
            indicator.save(update_fields=fields)


def load_model(path: Path | None = None) -> tuple[MaturityModel, str]:
    """Load the model file; returns the version and what happened (created/updated/unchanged)."""
    from cityexchange.core.models import Concept

    path = path or DATA_FILE
    parsed = parse(path, known_topics=set(Concept.objects.values_list("key", flat=True)))
    with transaction.atomic():
        existing = MaturityModel.objects.select_for_update().filter(version=parsed.version).first()
        if existing is None:
            return _create(parsed), "created"
        if existing.content_hash == parsed.content_hash:
            if existing.indicators.filter(activity_order=[], activities__isnull=False).exists():
                # Loaded before the order was stored: same content, so only fill it in.
                _update_texts(existing, parsed)
                return existing, "activity order stored"
            return existing, "unchanged"
        if _structure_hash_of(existing) != parsed.structure_hash:
            raise DataFileError(
                path,
                f"version {parsed.version} is already loaded with different dimensions, "
                "indicators or activities; give the changed file a new version",
                field="version",
            )
        _update_texts(existing, parsed)
        return existing, "texts updated"
