"""The document page is kept between requests, yet shows every change of its counts at
once, and counts read naturally in every language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityexchange.consultations import services
from cityexchange.consultations.models import Consultation
from cityexchange.consultations.tests.conftest import paragraph

pytestmark = pytest.mark.django_db


def _line(client: Client, consultation: Consultation, number: int, lang: str = "en") -> str:
    """The paragraph's count line as a reader sees it."""
    html = client.get(f"/{lang}/consultations/{consultation.slug}/").content.decode()
    start = html.index(f'id="p{number}"')
    line = html[html.index('class="paragraph-comments"', start) :]
    return line[: line.index("</p>")]


def test_every_change_of_comments_and_supports_shows_on_the_next_page_view(
    client: Client, consultation: Consultation, author: Any, member: Any, moderator: Any
) -> None:
    assert "(0 comments)" in _line(client, consultation, 3)
    assert "(0 comentários)" in _line(client, consultation, 3, "pt")

    comment = services.comment_create(
        consultation=consultation,
        author=author,
        text="Name who decides.",
        language="en",
        target="paragraph",
        paragraph=paragraph(consultation, 3),
    )
    assert "(1 comment)" in _line(client, consultation, 3)
    assert "(1 comentário)" in _line(client, consultation, 3, "pt")

    services.support_set(comment=comment, user=member, support=True)
    assert "1 support" in _line(client, consultation, 3)
    services.support_set(comment=comment, user=member, support=False)
    assert "support" not in _line(client, consultation, 3)
    services.support_set(comment=comment, user=member, support=True)
    services.personal_data_erase(user=member)
    assert "support" not in _line(client, consultation, 3)

    services.comment_hide(comment=comment, actor=moderator, reason="Off topic")
    assert "(0 comments)" in _line(client, consultation, 3)
    services.comment_approve(comment=comment, actor=moderator)
    assert "(1 comment)" in _line(client, consultation, 3)
    services.comment_withdraw(comment=comment, actor=author)
    assert "(0 comments)" in _line(client, consultation, 3)


def test_portuguese_uses_the_plural_for_zero_comments_and_the_singular_for_one(
    client: Client, consultation: Consultation, author: Any
) -> None:
    services.comment_create(
        consultation=consultation,
        author=author,
        text="Um comentário.",
        language="pt",
        target="paragraph",
        paragraph=paragraph(consultation, 1),
    )
    html = client.get(f"/pt/consultations/{consultation.slug}/").content.decode()
    assert "Comentar o parágrafo 1 (1 comentário)" in html
    assert "Comentar o parágrafo 2 (0 comentários)" in html
    assert "0 comentário)" not in html
