"""Who may see, comment on, moderate and answer a consultation: pages and API alike.

A consultation among members is invisible to everyone else (404, as if it did not
exist). Moderators are network staff and the organiser's administrators; tagging
comments, writing responses, importing documents and exports are for network staff.
"""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.rules import is_staff_or_admin


def _memberships(user: Any) -> dict[int, str]:
    # Cached on the user object: one query per request, however many checks a page makes.
    cached = getattr(user, "_consultation_memberships", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        user._consultation_memberships = cached
    return cached


def _member_of(user: Any, organisation_ids: list[int], *, admin: bool = False) -> bool:
    if not user.is_authenticated or not organisation_ids:
        return False
    roles = _memberships(user)
    return any(pk in roles and (not admin or roles[pk] == "admin") for pk in organisation_ids)


@rules.predicate
def is_consultation_moderator(user: Any, consultation: Any) -> bool:
    if consultation is None or not user.is_authenticated:
        return False
    if is_staff_or_admin(user):
        return True
    return _member_of(user, [consultation.organiser_id], admin=True)


def _is_participant(user: Any, consultation: Any) -> bool:
    if consultation.audience != "members":
        return True
    ids = [consultation.organiser_id, *(o.pk for o in consultation.member_organisations.all())]
    return _member_of(user, ids)


@rules.predicate
def may_view_consultation(user: Any, consultation: Any) -> bool:
    if consultation is None:
        return False
    if is_staff_or_admin(user):
        return True
    if not consultation.is_published:
        return bool(is_consultation_moderator(user, consultation))
    if consultation.audience != "members":
        return True
    return user.is_authenticated and _is_participant(user, consultation)


@rules.predicate
def may_comment(user: Any, consultation: Any) -> bool:
    # Staff and moderators may answer in any consultation they run.
    return bool(
        user.is_authenticated
        and may_view_consultation(user, consultation)
        and (is_consultation_moderator(user, consultation) or _is_participant(user, consultation))
    )


@rules.predicate
def is_comment_author(user: Any, comment: Any) -> bool:
    return bool(comment is not None and user.is_authenticated and comment.author_id == user.pk)


rules.add_perm("consultations.view_consultation", may_view_consultation)
rules.add_perm("consultations.comment", may_comment)
rules.add_perm("consultations.moderate", is_consultation_moderator)
rules.add_perm("consultations.respond", is_staff_or_admin)
rules.add_perm("consultations.manage", is_staff_or_admin)
rules.add_perm("consultations.change_comment", is_comment_author)
