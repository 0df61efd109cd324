"""Loading the maturity model file: versions, idempotence and errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cityexchange.assessments.loading import load_model
from cityexchange.assessments.models import Activity, Indicator, Level, MaturityModel
from cityexchange.core.datafiles import DataFileError

from .conftest import FIXTURE


def _variant(tmp_path: Path, change: Any) -> Path:
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "maturity_model.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_the_model_is_loaded_with_levels_in_four_languages(maturity_model: Any) -> None:
    assert maturity_model.version == "test.1"
    assert Indicator.objects.filter(maturity_model=maturity_model).count() == 5
    level = Level.objects.get(indicator__key="open-data", value=3)
    assert level.statement_de == "open-data level 3 (de)"
    assert level.improve_pt == "improve open-data from 3 (pt)"
    strategy = Activity.objects.get(key="adopt-strategy")
    assert [p.key for p in strategy.prerequisites.all()] == ["appoint-manager"]
    assert [i.key for i in strategy.indicators.all()] == ["smart-city-strategy"]


def test_loading_twice_changes_nothing(maturity_model: Any) -> None:
    model, what = load_model(FIXTURE)
    assert (model.pk, what) == (maturity_model.pk, "unchanged")
    assert MaturityModel.objects.count() == 1
    assert Indicator.objects.count() == 5


def test_a_new_version_adds_rows_and_leaves_the_old_version_alone(
    maturity_model: Any, tmp_path: Path
) -> None:
    def new_version(doc: dict[str, Any]) -> None:
        doc["version"] = "test.2"
        doc["dimensions"][0]["indicators"][0]["name"]["en"] = "Strategy (renamed)"

    old_name = Indicator.objects.get(maturity_model=maturity_model, key="smart-city-strategy").name
    model, what = load_model(_variant(tmp_path, new_version))
    assert what == "created" and model.pk != maturity_model.pk
    assert Indicator.objects.count() == 10
    assert (
        Indicator.objects.get(maturity_model=maturity_model, key="smart-city-strategy").name
        == old_name
    )
    assert Indicator.objects.get(maturity_model=model, key="smart-city-strategy").name == (
        "Strategy (renamed)"
    )


def test_corrected_wording_under_the_same_version_updates_texts_in_place(
    maturity_model: Any, tmp_path: Path
) -> None:
    def typo(doc: dict[str, Any]) -> None:
        doc["activities"][0]["name"]["de"] = "Smart-City-Managerin benennen"

    _model, what = load_model(_variant(tmp_path, typo))
    assert what == "texts updated"
    assert Activity.objects.get(key="appoint-manager").name_de == "Smart-City-Managerin benennen"
    assert MaturityModel.objects.count() == 1


def test_a_changed_structure_under_the_same_version_is_refused(
    maturity_model: Any, tmp_path: Path
) -> None:
    def more_effort(doc: dict[str, Any]) -> None:
        doc["activities"][0]["effort"] = 3

    with pytest.raises(DataFileError, match="new version"):
        load_model(_variant(tmp_path, more_effort))
    assert Activity.objects.get(key="appoint-manager").effort == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["activities"][0].update(prerequisites=["publish-open-data"]),
            "entry 'appoint-manager', field 'prerequisites': prerequisites form a cycle: appoint-manager → publish-open-data",
        ),
        (
            lambda d: d["activities"][1].update(prerequisites=["no-such-activity"]),
            "entry 'adopt-strategy', field 'prerequisites': names 'no-such-activity'",
        ),
        (
            lambda d: d["activities"][2].update(topics=["astrology"]),
            "entry 'set-budget', field 'topics': 'astrology' is not a concept",
        ),
        (
            lambda d: d["activities"][2].update(effort=5),
            "entry 'set-budget', field 'effort'",
        ),
        (
            lambda d: d["dimensions"][1]["indicators"][0]["levels"].pop(),
            "entry 'open-data', field 'levels': must have exactly 5 entries",
        ),
        (
            lambda d: d["dimensions"][1]["indicators"][0]["levels"][2]["improve"].pop("es"),
            "entry 'open-data', field 'levels[2].improve.es'",
        ),
        (
            lambda d: d["dimensions"][0]["indicators"][1].update(activities=["fly-to-the-moon"]),
            "entry 'digital-lead', field 'activities': names 'fly-to-the-moon'",
        ),
        (
            lambda d: d["dimensions"][0]["indicators"][1].update(key="open-data"),
            "entry 'open-data', field 'key': duplicate indicator key",
        ),
    ],
)
def test_a_broken_file_is_refused_with_file_entry_and_field(
    topics: None, tmp_path: Path, change: Any, message: str
) -> None:
    with pytest.raises(DataFileError) as error:
        load_model(_variant(tmp_path, change))
    assert str(error.value).startswith("maturity_model.yaml, ")
    assert message in str(error.value)
    assert MaturityModel.objects.count() == 0


def test_seeding_with_demo_adds_a_submitted_assessment_for_lindenau(topics: None) -> None:
    from cityexchange.assessments.seeding import seed
    from cityexchange.core.models import Organisation
    from cityexchange.core.tests.factories import OrganisationFactory

    OrganisationFactory(slug="demo-lindenau", name="Lindenau (demo)", population=8200, country="DE")
    first = seed(demo=True, path=FIXTURE)
    second = seed(demo=True, path=FIXTURE)
    assert first == [
        "maturity model test.1: created",
        "demo assessment: 1 submitted assessment created",
        "demo peer assessments: 15 created",
    ]
    assert second == [
        "maturity model test.1: unchanged",
        "demo assessment: unchanged",
        "demo peer assessments: 0 created",
    ]
    from cityexchange.assessments.models import Assessment
    from cityexchange.assessments.selectors import peer_groups

    demo = Assessment.objects.get(organisation__slug="demo-lindenau")
    assert demo.is_submitted and demo.is_demo and demo.roadmap.exists()
    # The demo member sees every comparison group working, none withheld.
    groups = peer_groups(demo)
    assert [(g.key, g.count, g.shown) for g in groups] == [
        ("size", 11, True),
        ("country", 11, True),
        ("size_country", 6, True),
    ]
    assert all(g.means for g in groups)
    assert all(
        "(demo)" in o.name_en for o in Organisation.objects.filter(slug__startswith="demo-peer-")
    )


def test_the_shipped_model_loads_with_seven_dimensions_and_29_indicators(thesaurus: None) -> None:
    from cityexchange.assessments.loading import DATA_FILE

    model, what = load_model(DATA_FILE)
    assert what == "created"
    assert model.dimensions.count() == 7
    assert Indicator.objects.filter(maturity_model=model).count() == 29
    assert Level.objects.filter(indicator__maturity_model=model).count() == 29 * 5
    assert all(a.topics for a in Activity.objects.filter(maturity_model=model))
    assert load_model(DATA_FILE)[1] == "unchanged"
