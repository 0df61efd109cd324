"""Flags, hiding with a reason, and the pre-moderation queue; every step audited."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.consultations import services
from cityexchange.consultations.models import Comment, Flag
from cityexchange.consultations.tests.conftest import make_consultation, paragraph
from cityexchange.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_flag_puts_the_comment_in_the_queue_and_a_moderator_hides_it(
    client: Any, consultation: Any, comment: Any, member: Any, moderator: Any
) -> None:
    client.force_login(member)
    client.post(
        f"/en/consultations/{consultation.slug}/comments/{comment.pk}/flag/",
        {"reason": "Off topic"},
    )
    client.post(
        f"/en/consultations/{consultation.slug}/comments/{comment.pk}/flag/", {"reason": "Again"}
    )
    assert Flag.objects.filter(comment=comment).count() == 1
    client.force_login(moderator)
    queue = client.get(f"/en/consultations/{consultation.slug}/moderation/").content.decode()
    assert "Off topic" in queue and comment.text in queue
    answer = client.post(
        f"/en/consultations/{consultation.slug}/comments/{comment.pk}/hide/",
        {"reason": "Not about this text"},
    )
    assert answer.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == ("hidden", "Not about this text")
    assert Flag.objects.get().resolved_at is not None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"comment.flag", "comment.hide"} <= actions
    queue = client.get(f"/en/consultations/{consultation.slug}/moderation/").content.decode()
    assert comment.text not in queue


def test_hiding_needs_a_reason(
    client: Any, consultation: Any, comment: Any, moderator: Any
) -> None:
    client.force_login(moderator)
    answer = client.post(
        f"/en/consultations/{consultation.slug}/comments/{comment.pk}/hide/", {"reason": " "}
    )
    assert answer.status_code == 200
    comment.refresh_from_db()
    assert comment.status == "published"


def test_under_pre_moderation_a_comment_waits_for_approval(
    client: Any, organiser: Any, author: Any, member: Any, moderator: Any
) -> None:
    consultation = make_consultation(organiser, slug="premod", moderation="pre")
    client.force_login(author)
    client.post(
        "/en/consultations/premod/paragraphs/1/", {"text": "Waiting text", "language": "en"}
    )
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert "Waiting text" in client.get("/en/consultations/premod/paragraphs/1/").content.decode()
    client.force_login(member)
    assert (
        "Waiting text" not in client.get("/en/consultations/premod/paragraphs/1/").content.decode()
    )
    assert (
        "Waiting text" not in client.get("/api/v1/consultations/premod/comments").content.decode()
    )
    client.force_login(moderator)
    assert "Waiting text" in client.get("/en/consultations/premod/moderation/").content.decode()
    client.post(f"/en/consultations/premod/comments/{comment.pk}/approve/")
    comment.refresh_from_db()
    assert comment.status == "published"
    client.force_login(member)
    assert "Waiting text" in client.get("/en/consultations/premod/paragraphs/1/").content.decode()
    assert AuditEntry.objects.filter(action="comment.approve").exists()
    assert paragraph(consultation, 1).comments.count() == 1


def test_the_audit_log_keeps_no_comment_text(consultation: Any, comment: Any, author: Any) -> None:
    services.comment_edit(comment=comment, actor=author, text="Secret wording")
    for entry in AuditEntry.objects.filter(object_type="consultations.comment"):
        assert "Secret wording" not in str(entry.before) + str(entry.after)
        assert "Please name" not in str(entry.before) + str(entry.after) + entry.object_repr
