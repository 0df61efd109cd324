"""Reading the document with its counts costs the same queries whatever its size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.consultations import importing, services
from cityexchange.consultations.models import Comment, Support
from cityexchange.consultations.tests.conftest import paragraph

pytestmark = pytest.mark.django_db

# Session, user, the consultation with its organiser, its topics and member
# organisations, the user's groups and memberships (every permission check), the
# version. The document with its counts is kept until a comment or support changes.
DOCUMENT_PAGE_QUERIES = 8
# Then once: the counts (comments and supports), sections, paragraphs, the versions.
DOCUMENT_PAGE_QUERIES_AFTER_A_CHANGE = DOCUMENT_PAGE_QUERIES + 4
# The consultation, its topics and member organisations, the version, the counts,
# sections, paragraphs; then, until a comment or support changes, the first four.
API_DETAIL_QUERIES = 7
API_DETAIL_QUERIES_KEPT = 4


def _big(organiser: Any, author: Any, member: Any, paragraphs: int, comments: int) -> Any:
    now = timezone.now()
    consultation = services.consultation_create(
        actor=None,
        slug=f"big-{paragraphs}",
        organiser=organiser,
        title="Big",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
    )
    source = "\n\n".join(
        (f"# Section {n // 10}\n\n" if n % 10 == 0 else "") + f"Paragraph text number {n}."
        for n in range(paragraphs)
    )
    version = services.version_import(
        consultation=consultation,
        actor=None,
        sections=importing.parse_markdown(source),
        source_format="markdown",
    )
    services.version_publish(version=version, actor=None)
    rows = list(version.paragraphs.all())
    created = Comment.objects.bulk_create(
        Comment(
            consultation=consultation,
            version=version,
            target="paragraph",
            paragraph=rows[n % len(rows)],
            section_id=rows[n % len(rows)].section_id,
            language="en",
            text=f"c{n}",
            author=author,
        )
        for n in range(comments)
    )
    Support.objects.bulk_create(Support(comment=c, user=member) for c in created[::3])
    return consultation


@pytest.mark.parametrize(("paragraphs", "comments"), [(5, 3), (60, 300)])
def test_the_document_page_costs_the_same_queries_whatever_its_size(
    client: Any,
    organiser: Any,
    author: Any,
    member: Any,
    django_assert_num_queries: Any,
    paragraphs: int,
    comments: int,
) -> None:
    consultation = _big(organiser, author, member, paragraphs, comments)
    client.force_login(member)
    client.get(f"/en/consultations/{consultation.slug}/")  # warm caches (thesaurus, session)
    with django_assert_num_queries(DOCUMENT_PAGE_QUERIES):
        answer = client.get(f"/en/consultations/{consultation.slug}/")
    body = answer.content.decode()
    assert answer.status_code == 200
    assert body.count('class="paragraph"') == paragraphs
    per = -(-comments // paragraphs)  # the first paragraph gets the remainder too
    assert f"Comment on paragraph 1 ({per} comment" in body

    first = paragraph(consultation, 1)
    services.comment_create(
        consultation=consultation,
        author=member,
        text="One more.",
        language="en",
        target="paragraph",
        paragraph=first,
    )
    with django_assert_num_queries(DOCUMENT_PAGE_QUERIES_AFTER_A_CHANGE):
        body = client.get(f"/en/consultations/{consultation.slug}/").content.decode()
    assert f"Comment on paragraph 1 ({per + 1} comments)" in body


@pytest.mark.parametrize(("paragraphs", "comments"), [(5, 3), (60, 300)])
def test_the_api_detail_costs_the_same_queries_whatever_its_size(
    client: Any,
    organiser: Any,
    author: Any,
    member: Any,
    django_assert_num_queries: Any,
    paragraphs: int,
    comments: int,
) -> None:
    consultation = _big(organiser, author, member, paragraphs, comments)
    with django_assert_num_queries(API_DETAIL_QUERIES):
        answer = client.get(f"/api/v1/consultations/{consultation.slug}")
    assert sum(len(s["paragraphs"]) for s in answer.json()["sections"]) == paragraphs
    with django_assert_num_queries(API_DETAIL_QUERIES_KEPT):
        again = client.get(f"/api/v1/consultations/{consultation.slug}")
    assert again.json() == answer.json()
