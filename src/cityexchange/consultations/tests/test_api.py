"""The consultations API: list, detail with phases and document, public comments with
filters, and commenting for signed-in users (401 otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.consultations import services
from cityexchange.consultations.models import Comment

pytestmark = pytest.mark.django_db

API = "/api/v1/consultations"


def _token(user: Any) -> str:
    from cityexchange.core.services import api_token_create

    _row, raw = api_token_create(user=user, name="tests")
    return raw


def test_the_list_answers_items_and_count(client: Any, consultation: Any) -> None:
    body = client.get(API).json()
    assert body["count"] == 1 and body["items"][0]["slug"] == consultation.slug
    assert body["items"][0]["phase"] == "open"


def test_the_detail_holds_phases_sections_and_numbered_paragraphs(
    client: Any, consultation: Any, comment: Any, member: Any
) -> None:
    body = client.get(f"{API}/{consultation.slug}").json()
    assert body["phases"]["phase"] == "open"
    assert body["phases"]["closes_at"] == consultation.closes_at.isoformat()
    assert [s["heading"] for s in body["sections"]] == ["Purpose", "Data"]
    numbers = [p["number"] for s in body["sections"] for p in s["paragraphs"]]
    assert numbers == [1, 2, 3, 4]
    assert body["sections"][1]["paragraphs"][0]["comments"] == 1
    # The kept document follows a new comment and a support at once.
    services.comment_create(
        consultation=consultation,
        author=member,
        text="Agreed.",
        language="en",
        target="paragraph",
        paragraph=comment.paragraph,
    )
    services.support_set(comment=comment, user=member, support=True)
    again = client.get(f"{API}/{consultation.slug}").json()["sections"][1]["paragraphs"][0]
    assert (again["comments"], again["supports"]) == (2, 1)


def test_an_unknown_consultation_is_404(client: Any, db: Any) -> None:
    answer = client.get(f"{API}/nothing-here")
    assert answer.status_code == 404 and answer.json()["detail"]


def test_comments_are_paged_and_filtered(
    client: Any, consultation: Any, comment: Any, member: Any
) -> None:
    services.comment_create(
        consultation=consultation, author=member, text="Auf Deutsch", language="de"
    )
    assert client.get(f"{API}/{consultation.slug}/comments").json()["count"] == 2
    by_paragraph = client.get(f"{API}/{consultation.slug}/comments?paragraph=3").json()
    assert [c["id"] for c in by_paragraph["items"]] == [comment.pk]
    german = client.get(f"{API}/{consultation.slug}/comments?language=de").json()
    assert [c["text"] for c in german["items"]] == ["Auf Deutsch"]
    peru = client.get(f"{API}/{consultation.slug}/comments?country=pe").json()
    assert [c["id"] for c in peru["items"]] == [comment.pk]
    paged = client.get(f"{API}/{consultation.slug}/comments?page_size=1&page=2").json()
    assert paged["count"] == 2 and len(paged["items"]) == 1


@pytest.mark.parametrize(
    "query",
    ["language=xx", "country=ZZ", "paragraph=-1", "paragraph=abc", "page=0", "page=99999999999"],
)
def test_bad_filters_are_422_naming_the_problem(client: Any, consultation: Any, query: str) -> None:
    answer = client.get(f"{API}/{consultation.slug}/comments?{query}")
    assert answer.status_code == 422
    assert answer.json()["detail"]
    if query == "language=xx":
        assert "de, en, es, pt" in answer.json()["detail"]


def test_names_are_left_out_when_the_consultation_keeps_them_private(
    client: Any, consultation: Any, comment: Any
) -> None:
    consultation.names_public = False
    consultation.save(update_fields=["names_public"])
    item = client.get(f"{API}/{consultation.slug}/comments").json()["items"][0]
    assert item["author"] is None and item["organisation"] is None
    page = client.get(f"/en/consultations/{consultation.slug}/paragraphs/3/").content.decode()
    assert "Ana Autora" not in page


def test_posting_needs_a_sign_in(client: Any, consultation: Any) -> None:
    answer = client.post(
        f"{API}/{consultation.slug}/comments",
        {"text": "Hi", "language": "en"},
        content_type="application/json",
    )
    assert answer.status_code == 401
    assert not Comment.objects.exists()


def test_a_participant_posts_a_paragraph_comment_and_a_reply(
    client: Any, consultation: Any, author: Any, member: Any
) -> None:
    answer = client.post(
        f"{API}/{consultation.slug}/comments",
        {"text": "Via API", "language": "pt", "target": "paragraph", "paragraph": 2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(author)}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["paragraph"] == 2 and body["language"] == "pt" and body["country"] == "PE"
    reply = client.post(
        f"{API}/{consultation.slug}/comments",
        {"text": "Reply via API", "language": "en", "reply_to": body["id"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(member)}",
    )
    assert reply.status_code == 201
    assert reply.json()["reply_to"] == body["id"] and reply.json()["paragraph"] == 2


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": "", "language": "en"}, 422),
        ({"text": "   ", "language": "en"}, 422),
        ({"text": "x" * 5001, "language": "en"}, 422),
        ({"text": "Hi", "language": "fr"}, 422),
        ({"text": "Hi", "language": "en", "target": "paragraph", "paragraph": 99}, 404),
        (
            {"text": "Hi", "language": "en", "target": "paragraph", "paragraph": 1, "quote": "no"},
            409,
        ),
        ({"text": "Hi", "language": "en", "paragraph": 10**12}, 422),
        ({"text": "Hi", "language": "en", "reply_to": 999999}, 404),
        ({"text": 5, "language": "en"}, 422),
    ],
)
def test_bad_comments_are_refused_and_nothing_is_saved(
    client: Any, consultation: Any, author: Any, payload: dict[str, Any], status: int
) -> None:
    answer = client.post(
        f"{API}/{consultation.slug}/comments",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(author)}",
    )
    assert answer.status_code == status, answer.content
    assert answer.json()["detail"]
    assert not Comment.objects.exists()


def test_a_late_comment_is_409_naming_the_deadline(
    client: Any, consultation: Any, author: Any
) -> None:
    consultation.closes_at = timezone.now() - dt.timedelta(hours=1)
    consultation.save(update_fields=["closes_at"])
    answer = client.post(
        f"{API}/{consultation.slug}/comments",
        {"text": "Late", "language": "en"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(author)}",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert answer.status_code == 409
    assert "Die Konsultation endete am" in answer.json()["detail"]


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("member", 201), ("staff", 201)])
def test_restricted_consultations_accept_only_their_participants(
    client: Any, request: Any, restricted: Any, who: str, status: int
) -> None:
    user = request.getfixturevalue(who)
    answer = client.post(
        f"{API}/{restricted.slug}/comments",
        {"text": "Hello", "language": "en"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(user)}",
    )
    assert answer.status_code == status
    assert restricted.comments.count() == (1 if status == 201 else 0)
    listing = client.get(
        f"{API}/{restricted.slug}/comments", HTTP_AUTHORIZATION=f"Bearer {_token(user)}"
    )
    assert listing.status_code in (200, 404)


def test_the_api_comment_limit(
    client: Any, consultation: Any, author: Any, settings: Any, frozen_rate_window: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    token = _token(author)
    codes = [
        client.post(
            f"{API}/{consultation.slug}/comments",
            {"text": f"n{n}", "language": "en"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).status_code
        for n in range(11)
    ]
    assert codes == [201] * 10 + [429]
