"""Reads of the accounts app: a person's organisations and requests, an organisation's team."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Q, QuerySet

from cityexchange.accounts.models import Invitation, JoinRequest, JoinRequestStatus
from cityexchange.core.models import Membership, Organisation, User


def has_verified_address(*, user: User) -> bool:
    return bool(
        EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return user.memberships.select_related("organisation").order_by("organisation__name")


def join_requests_of(*, user: User) -> QuerySet[JoinRequest]:
    return user.join_requests.select_related("organisation").order_by("-created_at")[:20]


def organisations_matching(*, query: str, user: User) -> QuerySet[Organisation]:
    """Organisations by name, short name or address, without the demo content."""
    query = query.strip()
    if len(query) < 2:
        return Organisation.objects.none()
    # The name in any of the four languages: people search in their own.
    names = Q(short_name__icontains=query) | Q(slug__icontains=query)
    for language in settings.MODELTRANSLATION_LANGUAGES:
        names |= Q(**{f"name_{language}__icontains": query})
    return (
        Organisation.objects.filter(is_demo=False)
        .filter(names)
        .exclude(memberships__user=user)
        .distinct()
        .order_by("name")[:20]
    )


def team_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("-role", "user__full_name")


def pending_requests_for(*, organisation: Organisation) -> QuerySet[JoinRequest]:
    return organisation.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "user"
    )


def open_invitations_for(*, organisation: Organisation) -> QuerySet[Invitation]:
    from django.utils import timezone

    return organisation.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


def proposed_organisations() -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(
        organisation__isnull=True, status=JoinRequestStatus.PENDING
    ).select_related("user")
