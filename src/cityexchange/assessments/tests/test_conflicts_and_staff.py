"""Two people on the same answer; the staff overview of all assessments; peers per version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from cityexchange.assessments.models import Answer
from cityexchange.assessments.selectors import peer_groups
from cityexchange.assessments.services import assessment_start, assessment_submit
from cityexchange.core.services import membership_add
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

from .conftest import answer_all

GOVERNANCE = "strategy-governance"
KEYS = ("smart-city-strategy", "digital-lead", "budget", "open-data", "data-platform")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_of(client: Client, url: str) -> dict[str, str]:
    """What the browser would send back unchanged for every indicator of the page."""
    page = client.get(url)
    data: dict[str, str] = {"action": "save"}
    for row in page.context["rows"]:
        for name in ("choice", "notes", "evidence", "original", "version"):
            value = row["form"][name].value()
            data[f"{row['indicator'].key}-{name}"] = "" if value is None else str(value)
    return data


def test_the_second_of_two_people_editing_one_answer_sees_both_and_chooses(
    assessment: Any, owner: Any, member: Any
) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    owners, members = _client(owner), _client(member)
    owner_form, member_form = _form_of(owners, url), _form_of(members, url)
    owner_form.update({"budget-choice": "2", "budget-notes": "Line in the 2025 budget"})
    assert owners.post(url, owner_form).status_code == 302
    member_form.update(
        {"budget-choice": "3", "budget-notes": "Multi-year plan", "digital-lead-choice": "1"}
    )
    response = members.post(url, member_form)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Changed by someone else meanwhile" in content
    assert "Line in the 2025 budget" in content and "Multi-year plan" in content
    assert owner.get_full_name() in content
    # The owner's answer is kept; the member's other answer was saved.
    stored = Answer.objects.get(indicator__key="budget")
    assert (stored.level, stored.notes, stored.updated_by) == (2, "Line in the 2025 budget", owner)
    assert Answer.objects.get(indicator__key="digital-lead").level == 1

    # Sending the page again without choosing is a form error, nothing changes.
    resent = {k: str(v) for k, v in response.context["rows"][0]["form"].data.items()}
    again = members.post(url, resent)
    assert again.status_code == 400 and "Choose which of the two answers to keep" in (
        again.content.decode()
    )
    assert Answer.objects.get(indicator__key="budget").level == 2
    # Choosing their own answer replaces the owner's, on purpose now.
    chosen = members.post(url, {**resent, "budget-resolve": "mine"})
    assert chosen.status_code == 302
    stored = Answer.objects.get(indicator__key="budget")
    assert (stored.level, stored.notes, stored.updated_by) == (3, "Multi-year plan", member)


def test_choosing_the_saved_answer_keeps_it(assessment: Any, owner: Any, member: Any) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    owners, members = _client(owner), _client(member)
    owner_form, member_form = _form_of(owners, url), _form_of(members, url)
    owners.post(url, {**owner_form, "budget-choice": "2"})
    conflict = members.post(url, {**member_form, "budget-choice": "4"})
    assert conflict.status_code == 409
    resent = {k: str(v) for k, v in conflict.context["rows"][0]["form"].data.items()}
    assert members.post(url, {**resent, "budget-resolve": "theirs"}).status_code == 302
    stored = Answer.objects.get(indicator__key="budget")
    assert (stored.level, stored.updated_by, stored.version) == (2, owner, 1)


def test_the_same_answer_from_two_people_is_no_conflict(
    assessment: Any, owner: Any, member: Any
) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    owners, members = _client(owner), _client(member)
    owner_form, member_form = _form_of(owners, url), _form_of(members, url)
    owners.post(url, {**owner_form, "budget-choice": "2"})
    assert members.post(url, {**member_form, "budget-choice": "2"}).status_code == 302


def _submitted_town(level: int, *, country: str = "DE", model: Any = None) -> Any:
    town = OrganisationFactory(population=9000, country=country)
    user = UserFactory()
    membership_add(user=user, organisation=town)
    assessment = assessment_start(organisation=town, user=user, maturity_model=model)
    answer_all(assessment, user, dict.fromkeys(KEYS, level))
    return assessment_submit(assessment=assessment, user=user)


def test_staff_see_every_assessment_and_filter_by_country_and_status(
    assessment: Any, staff: Any
) -> None:
    _submitted_town(2, country="BR")
    _submitted_town(3, country="DE")
    url = reverse("assessments:staff_list")
    client = _client(staff)
    content = client.get(url).content.decode()
    assert "<caption>3 assessments</caption>" in content
    assert "test.1" in content and "Submitted" in content and "Draft" in content
    brazil = client.get(url, {"country": "BR"}).content.decode()
    assert "<caption>1 assessment</caption>" in brazil and "Brazil" in brazil
    drafts = client.get(url, {"status": "draft"}).content.decode()
    assert "<caption>1 assessment</caption>" in drafts and "Lindenau" in drafts
    # Unknown filter values are ignored rather than failing.
    assert client.get(url, {"status": "lost", "country": "XX"}).status_code == 200
    start = client.get(reverse("assessments:start")).content.decode()
    assert f'href="{url}"' in start


def test_the_staff_overview_is_hidden_from_everyone_else(
    assessment: Any, owner: Any, member: Any, outsider: Any
) -> None:
    url = reverse("assessments:staff_list")
    for user in (owner, member, outsider):
        assert _client(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert f'href="{url}"' not in _client(owner).get(reverse("assessments:start")).content.decode()


def test_the_staff_overview_costs_the_same_queries_with_more_assessments(
    assessment: Any, staff: Any, django_assert_num_queries: Any
) -> None:
    url = reverse("assessments:staff_list")
    client = _client(staff)
    _submitted_town(1)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        client.get(url)
    for n in range(8):
        _submitted_town(n % 5, country=("BR", "MX", "PE")[n % 3])
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        assert client.get(url).status_code == 200


# Measured: session, user, the user's groups (permission), the countries for the
# filter, the count and one page of rows.
STAFF_LIST_QUERIES = 6


def test_peers_are_compared_within_one_model_version(
    assessment: Any, owner: Any, tmp_path: Path
) -> None:
    from cityexchange.assessments.loading import load_model
    from cityexchange.assessments.tests.conftest import FIXTURE

    newer = tmp_path / "model.yaml"
    newer.write_text(FIXTURE.read_text().replace("version: test.1", "version: test.2"))
    model_2, _what = load_model(newer)
    answer_all(assessment, owner, dict.fromkeys(KEYS, 4))
    own = assessment_submit(assessment=assessment, user=owner)
    for level in (0, 1, 2, 3):
        _submitted_town(level, model=model_2)  # same dimension keys, other version
    size = next(g for g in peer_groups(own) if g.key == "size")
    assert size.count == 1 and not size.shown
    for level in (0, 1, 2, 3):
        _submitted_town(level, model=own.maturity_model)
    size = next(g for g in peer_groups(own) if g.key == "size")
    assert size.count == 5 and size.shown
