"""Commenting until the deadline: paragraph, section and whole text, replies, support,
edit and withdraw; late comments refused with the deadline; nothing typed is lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.consultations import services
from cityexchange.consultations.models import Comment, Support
from cityexchange.consultations.tests.conftest import current
from cityexchange.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/en/consultations/draft-guidelines"


def test_a_participant_comments_on_a_paragraph_quoting_a_passage(
    client: Any, consultation: Any, author: Any
) -> None:
    client.force_login(author)
    answer = client.post(
        f"{URL}/paragraphs/2/",
        {"text": "Add *phone* hours.", "language": "es", "quote": "non-digital way"},
    )
    comment = Comment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/paragraphs/2/#comment-{comment.pk}")
    assert (comment.paragraph.number, comment.language, comment.quote) == (
        2,
        "es",
        "non-digital way",
    )
    assert comment.country == "PE" and comment.organisation_kind == "municipality"
    page = client.get(f"{URL}/paragraphs/2/").content.decode()
    assert "<em>phone</em>" in page and "non-digital way" in page
    document = client.get(f"{URL}/").content.decode()
    assert "Comment on paragraph 2 (1 comment)" in document
    assert AuditEntry.objects.filter(action="comment.create", object_id=str(comment.pk)).exists()


def test_a_quote_not_taken_from_the_paragraph_is_a_form_error(
    client: Any, consultation: Any, author: Any
) -> None:
    client.force_login(author)
    answer = client.post(
        f"{URL}/paragraphs/2/", {"text": "Fine.", "language": "en", "quote": "invented words"}
    )
    assert answer.status_code == 200
    assert "The quoted passage must be copied from the paragraph." in answer.content.decode()
    assert not Comment.objects.exists()


def test_comments_on_a_section_and_on_the_whole_text(
    client: Any, consultation: Any, author: Any
) -> None:
    client.force_login(author)
    section = current(consultation).sections.get(heading="Data")
    client.post(f"{URL}/sections/{section.pk}/", {"text": "Section remark", "language": "de"})
    client.post(f"{URL}/general/", {"text": "Overall remark", "language": "pt"})
    targets = sorted(Comment.objects.values_list("target", "language"))
    assert targets == [("document", "pt"), ("section", "de")]
    document = client.get(f"{URL}/").content.decode()
    assert "1 comment on this section" in document
    assert "Comment on the whole text (1 comment)" in document


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Please write your comment."),
        ("   ", "Please write your comment."),
        ("x" * 5001, "5000"),
    ],
)
def test_empty_or_oversized_comments_are_form_errors_and_keep_the_text(
    client: Any, consultation: Any, author: Any, text: str, error: str
) -> None:
    client.force_login(author)
    answer = client.post(f"{URL}/paragraphs/1/", {"text": text, "language": "en"})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert error in body
    assert 'class="error-summary"' in body
    if text.strip():
        assert text in body  # the typed text is in the form again
    assert not Comment.objects.exists()


def test_a_comment_after_the_deadline_is_refused_with_the_deadline_in_the_users_zone(
    client: Any, consultation: Any, author: Any
) -> None:
    consultation.closes_at = timezone.now() - dt.timedelta(minutes=1)
    consultation.save(update_fields=["closes_at"])
    client.force_login(author)  # Spanish, America/Lima
    answer = client.post(
        "/es/consultations/draft-guidelines/paragraphs/1/",
        {"text": "Mi comentario tardío", "language": "es"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert not Comment.objects.exists()
    lima = timezone.localtime(consultation.closes_at, dt.timezone(dt.timedelta(hours=-5)))
    assert "Mi comentario tardío" in body  # the text is kept in the form
    assert "-05" in body  # Lima's zone, not the server's
    assert f"{lima:%H:%M}" in body or f"{lima.hour}:{lima:%M}" in body


def test_comments_cannot_be_written_before_the_consultation_opens(
    consultation: Any, author: Any
) -> None:
    consultation.opens_at = timezone.now() + dt.timedelta(days=1)
    consultation.announced_at = consultation.opens_at
    consultation.save(update_fields=["opens_at", "announced_at"])
    with pytest.raises(services.ConsultationClosed):
        services.comment_create(
            consultation=consultation, author=author, text="Too early", language="en"
        )


def test_a_typed_comment_survives_an_expired_session(
    client: Any, consultation: Any, author: Any
) -> None:
    answer = client.post(
        f"{URL}/paragraphs/1/", {"text": "Written while signed out", "language": "pt"}
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith("/en/account/login/?next=")
    assert not Comment.objects.exists()
    client.force_login(author)
    page = client.get(f"{URL}/paragraphs/1/").content.decode()
    assert "Written while signed out" in page


@pytest.mark.django_db(transaction=True)
def test_a_reply_is_shown_under_its_comment_and_its_author_is_told_in_their_language(
    client: Any, consultation: Any, comment: Any, member: Any
) -> None:
    mail.outbox.clear()
    client.force_login(member)
    answer = client.post(
        f"{URL}/comments/{comment.pk}/reply/", {"text": "I agree with this.", "language": "en"}
    )
    reply = Comment.objects.get(parent=comment)
    assert answer.status_code == 302
    assert reply.paragraph_id == comment.paragraph_id
    page = client.get(f"{URL}/paragraphs/3/").content.decode()
    assert page.index(f'id="comment-{comment.pk}"') < page.index(f'id="comment-{reply.pk}"')
    assert [m.to for m in mail.outbox] == [[comment.author.email]]
    assert "respuesta" in mail.outbox[0].subject.lower()  # the author reads Spanish


def test_support_counts_once_per_person(
    client: Any, consultation: Any, comment: Any, member: Any
) -> None:
    client.force_login(member)
    for _ in range(3):
        client.post(f"{URL}/comments/{comment.pk}/support/")
    assert Support.objects.filter(comment=comment).count() == 1
    assert "1 support" in client.get(f"{URL}/paragraphs/3/").content.decode()
    client.post(f"{URL}/comments/{comment.pk}/support/", {"support": "0"})
    assert not Support.objects.exists()


def test_nobody_supports_their_own_comment(client: Any, comment: Any, author: Any) -> None:
    client.force_login(author)
    client.post(f"{URL}/comments/{comment.pk}/support/")
    assert not Support.objects.exists()


def test_the_author_edits_and_withdraws_until_the_deadline(
    client: Any, consultation: Any, comment: Any, author: Any
) -> None:
    client.force_login(author)
    client.post(f"{URL}/comments/{comment.pk}/edit/", {"text": "Sharper wording."})
    comment.refresh_from_db()
    assert comment.text == "Sharper wording." and comment.edited_at is not None
    client.post(f"{URL}/comments/{comment.pk}/withdraw/")
    comment.refresh_from_db()
    assert comment.status == "withdrawn"
    assert "Sharper wording." not in client.get(f"{URL}/paragraphs/3/").content.decode()


def test_after_the_deadline_the_author_can_no_longer_edit(
    client: Any, consultation: Any, comment: Any, author: Any
) -> None:
    consultation.closes_at = timezone.now() - dt.timedelta(seconds=1)
    consultation.save(update_fields=["closes_at"])
    client.force_login(author)
    answer = client.post(f"{URL}/comments/{comment.pk}/edit/", {"text": "Too late now."})
    assert "no longer accepted" in answer.content.decode()
    assert "Too late now." in answer.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Please name who decides the purpose."


def test_only_the_author_edits_or_withdraws(client: Any, comment: Any, member: Any) -> None:
    client.force_login(member)
    assert client.get(f"{URL}/comments/{comment.pk}/edit/").status_code == 404
    assert (
        client.post(f"{URL}/comments/{comment.pk}/edit/", {"text": "Hijacked"}).status_code == 404
    )
    assert client.post(f"{URL}/comments/{comment.pk}/withdraw/").status_code == 404
    comment.refresh_from_db()
    assert comment.status == "published" and comment.text != "Hijacked"


def test_commenting_is_rate_limited(
    client: Any, consultation: Any, author: Any, settings: Any, frozen_rate_window: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    client.force_login(author)
    codes = [
        client.post(f"{URL}/paragraphs/1/", {"text": f"Comment {n}", "language": "en"}).status_code
        for n in range(12)
    ]
    assert codes[:10] == [302] * 10
    assert codes[10:] == [429, 429]
    assert Comment.objects.count() == 10


def test_paragraph_forms_are_plain_links_and_forms(client: Any, consultation: Any) -> None:
    document = client.get(f"{URL}/").content.decode()
    assert f'href="{URL}/paragraphs/1/"' in document
    page = client.get(f"{URL}/paragraphs/1/").content.decode()
    assert (
        '<form method="post"' in page
        and 'name="text"' in page
        and "<script" not in page.split("<main")[1]
    )
