"""Every page of the programme for every kind of visitor, in one table.

Anonymous visitors are sent to sign in where a page needs an account; whoever may
not see an object gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "member", "outsider", "evaluator", "staff")

# page name -> expected status per role, in the order of ROLES
PAGES: dict[str, tuple[int, ...]] = {
    "home": (200, 200, 200, 200, 200, 200),
    "round": (200, 200, 200, 200, 200, 200),
    "catalogue": (200, 200, 200, 200, 200, 200),
    "ideas": (200, 200, 200, 200, 200, 200),
    "challenge": (404, 200, 200, 404, 404, 200),
    "challenge_edit": (302, 200, 200, 404, 404, 403),
    "challenge_new": (302, 200, 200, 200, 403, 403),
    "idea_new": (302, 200, 200, 200, 403, 403),
    "proposal_new": (302, 200, 200, 200, 403, 403),
    "proposal": (302, 200, 200, 404, 200, 200),
    "score": (302, 404, 404, 404, 200, 404),
    "workspace": (302, 404, 404, 404, 200, 404),
    "panel": (302, 404, 404, 404, 404, 200),
    "export": (302, 404, 404, 404, 404, 200),
}


def _url(name: str, round_: Any, draft: Any, proposal: Any) -> str:
    if name == "home":
        return reverse("challenges:home")
    if name in ("challenge", "challenge_edit"):
        return reverse(f"challenges:{name}", kwargs={"pk": draft.pk})
    if name in ("proposal", "score"):
        return reverse(f"challenges:{name}", kwargs={"pk": proposal.pk})
    if name == "export":
        return reverse("challenges:export", kwargs={"slug": round_.slug, "fmt": "csv"})
    return reverse(f"challenges:{name}", kwargs={"slug": round_.slug})


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_answers_each_visitor_as_it_should(
    page: str, request: Any, round_: Any, draft: Any, submitted_proposal: Any, evaluator: Any
) -> None:
    url = _url(page, round_, draft, submitted_proposal)
    answers = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        answers[role] = client.get(url).status_code
    assert answers == dict(zip(ROLES, PAGES[page], strict=True)), url
