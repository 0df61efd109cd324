"""Fetch-and-authorise: the one way views and API endpoints look objects up.

Whoever may not see an object gets the same 404 as for an object that does
not exist, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest

from cityexchange.core.models import User

M = TypeVar("M", bound=models.Model)


def get_for_user(
    queryset: models.QuerySet[M], *, user: Any, perm: str | None = None, **lookup: Any
) -> M:
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if perm is not None and not user.has_perm(perm, obj):
        raise Http404
    return obj


def signed_in(request: HttpRequest) -> User:
    """The request's user, in a view that only signed-in people reach (``login_required``
    or a permission checked before); anyone else gets the same 404 as above."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user
