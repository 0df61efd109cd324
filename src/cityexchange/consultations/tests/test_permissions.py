"""Who sees and does what, for every page: anonymous, author, member, outsider,
moderator and staff. A restricted consultation is a 404 for whoever is not in it."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.consultations import services
from cityexchange.consultations.tests.conftest import paragraph

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["", "paragraphs/1/", "general/", "comments/", "overview/", "versions/1/"]
MODERATOR_PAGES = ["moderation/"]
STAFF_PAGES = ["responses/", "import/", "export.csv", "export.xlsx", "report/"]


def _people(request: Any) -> dict[str, Any]:
    return {
        name: request.getfixturevalue(name) if name != "anonymous" else None
        for name in ("anonymous", "author", "member", "outsider", "moderator", "staff")
    }


@pytest.mark.parametrize("who", ["anonymous", "author", "member", "outsider", "moderator", "staff"])
def test_open_consultation_pages_by_role(
    client: Any, request: Any, consultation: Any, comment: Any, who: str
) -> None:
    user = _people(request)[who]
    if user is not None:
        client.force_login(user)
    base = f"/en/consultations/{consultation.slug}/"
    for page in PUBLIC_PAGES:
        assert client.get(base + page).status_code == 200, page
    moderator = who in ("moderator", "staff")
    staff = who == "staff"
    for page in MODERATOR_PAGES:
        assert client.get(base + page).status_code == (200 if moderator else 404), page
    for page in STAFF_PAGES:
        assert client.get(base + page).status_code == (200 if staff else 404), page
    hide = client.get(f"{base}comments/{comment.pk}/hide/").status_code
    assert hide == (200 if moderator else 404)
    edit = client.get(f"{base}comments/{comment.pk}/edit/").status_code
    assert edit == (200 if who == "author" else 404)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("author", False),
        ("member", True),  # Lindenau takes part
        ("moderator", True),  # the organiser's administrator
        ("staff", True),
    ],
)
def test_a_restricted_consultation_is_invisible_to_outsiders(
    client: Any, request: Any, restricted: Any, who: str, sees: bool
) -> None:
    user = _people(request)[who]
    if user is not None:
        client.force_login(user)
    base = f"/en/consultations/{restricted.slug}/"
    for page in ["", "paragraphs/1/", "general/", "comments/", "overview/"]:
        assert client.get(base + page).status_code == (200 if sees else 404), page
    listed = restricted.title in client.get("/en/consultations/").content.decode()
    assert listed is sees
    api = client.get(f"/api/v1/consultations/{restricted.slug}")
    assert api.status_code == (200 if sees else 404)
    assert (restricted.slug in client.get("/api/v1/consultations").content.decode()) is sees


def test_an_outsider_cannot_post_to_a_restricted_consultation(
    client: Any, restricted: Any, outsider: Any
) -> None:
    client.force_login(outsider)
    answer = client.post(
        f"/en/consultations/{restricted.slug}/paragraphs/1/", {"text": "Hi", "language": "en"}
    )
    assert answer.status_code == 404
    assert not restricted.comments.exists()


def test_a_member_comments_on_a_restricted_consultation(
    client: Any, restricted: Any, member: Any
) -> None:
    client.force_login(member)
    client.post(
        f"/en/consultations/{restricted.slug}/paragraphs/1/", {"text": "Hi", "language": "en"}
    )
    assert restricted.comments.count() == 1


def test_an_unpublished_consultation_is_for_staff_and_its_organisers(
    client: Any, consultation: Any, member: Any, moderator: Any
) -> None:
    consultation.is_published = False
    consultation.save(update_fields=["is_published"])
    client.force_login(member)
    assert client.get(f"/en/consultations/{consultation.slug}/").status_code == 404
    client.force_login(moderator)
    assert client.get(f"/en/consultations/{consultation.slug}/").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "author", "member", "outsider", "moderator"])
def test_only_staff_write_responses_publish_reports_and_import(
    client: Any, request: Any, consultation: Any, comment: Any, who: str
) -> None:
    user = _people(request)[who]
    if user is not None:
        client.force_login(user)
    base = f"/en/consultations/{consultation.slug}/"
    assert (
        client.post(
            f"{base}comments/{comment.pk}/respond/", {f"c{comment.pk}-tag": "accepted"}
        ).status_code
        == 404
    )
    assert client.post(f"{base}responses/publish/").status_code == 404
    assert client.post(f"{base}import/", {"markdown": "# A\n\nB"}).status_code == 404
    assert client.post(f"{base}versions/1/publish/").status_code == 404
    assert not hasattr(comment, "response") or comment.response is None
    assert consultation.versions.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "author", "member", "outsider"])
def test_only_moderators_hide_or_approve(
    client: Any, request: Any, consultation: Any, comment: Any, who: str
) -> None:
    user = _people(request)[who]
    if user is not None:
        client.force_login(user)
    base = f"/en/consultations/{consultation.slug}/comments/{comment.pk}/"
    assert client.post(base + "hide/", {"reason": "no"}).status_code == 404
    assert client.post(base + "approve/").status_code == 404
    comment.refresh_from_db()
    assert comment.status == "published"


def test_a_hidden_comment_is_shown_to_its_author_with_the_reason_and_to_nobody_else(
    client: Any, consultation: Any, comment: Any, moderator: Any, author: Any, member: Any
) -> None:
    services.comment_hide(comment=comment, actor=moderator, reason="Personal attack")
    page = f"/en/consultations/{consultation.slug}/paragraphs/3/"
    client.force_login(author)
    body = client.get(page).content.decode()
    assert "Personal attack" in body and comment.text in body
    client.force_login(member)
    body = client.get(page).content.decode()
    assert comment.text not in body
    assert (
        client.get(
            f"/en/consultations/{consultation.slug}/comments/{comment.pk}/reply/"
        ).status_code
        == 404
    )
    assert paragraph(consultation, 3).comments.count() == 1
