"""A person's comments, supports and flags are in their data export; erasure unlinks
their comments from them and removes their supports and flags."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.consultations import services
from cityexchange.consultations.models import Comment, Flag, Support
from cityexchange.core.services import user_erase, user_personal_data

pytestmark = pytest.mark.django_db


def test_the_export_holds_comments_supports_and_flags(
    consultation: Any, comment: Any, member: Any
) -> None:
    services.support_set(comment=comment, user=member, support=True)
    services.comment_flag(comment=comment, user=member, reason="check")
    mine = user_personal_data(user=comment.author)["consultations"]
    assert [c["text"] for c in mine["comments"]] == [comment.text]
    assert mine["comments"][0]["paragraph"] == 3
    theirs = user_personal_data(user=member)["consultations"]
    assert theirs["supports"] == [comment.pk]
    assert theirs["flags"][0]["reason"] == "check"
    assert theirs["comments"] == []


def test_erasure_unlinks_comments_and_removes_supports_and_flags(
    client: Any, consultation: Any, comment: Any, member: Any, author: Any
) -> None:
    services.support_set(comment=comment, user=member, support=True)
    services.comment_flag(comment=comment, user=member, reason="check")
    user_erase(user=member)
    assert not Support.objects.exists() and not Flag.objects.exists()
    user_erase(user=author)
    comment.refresh_from_db()
    assert comment.author is None and comment.organisation is None
    page = client.get(f"/en/consultations/{consultation.slug}/paragraphs/3/").content.decode()
    assert "Ana Autora" not in page and "Former participant" in page
    assert user_personal_data(user=author)["consultations"]["comments"] == []
    assert Comment.objects.count() == 1


def test_my_cityexchange_lists_the_consultations_i_commented_on(
    client: Any, consultation: Any, comment: Any, author: Any
) -> None:
    client.force_login(author)
    answer = client.get("/en/account/")
    if answer.status_code == 200:
        assert consultation.title in answer.content.decode()
    from cityexchange.consultations.account import account_sections

    section = account_sections(author)[0]
    assert [c.slug for c in section.items] == [consultation.slug]
