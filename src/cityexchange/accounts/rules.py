"""Who may see and manage an organisation's members and decide on join requests."""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.models import MembershipRole
from cityexchange.core.rules import is_member_of_organisation, is_staff_or_admin


@rules.predicate
def is_organisation_owner(user: Any, organisation: Any) -> bool:
    """An owner is a member with the administrator role of that organisation."""
    if not user.is_authenticated or organisation is None:
        return False
    return bool(organisation.memberships.filter(user=user, role=MembershipRole.ADMIN).exists())


@rules.predicate
def owns_requested_organisation(user: Any, join_request: Any) -> bool:
    return bool(is_organisation_owner(user, join_request.organisation))


rules.add_perm("accounts.view_members", is_staff_or_admin | is_member_of_organisation)
rules.add_perm("accounts.manage_members", is_staff_or_admin | is_organisation_owner)
rules.add_perm("accounts.decide_join_request", is_staff_or_admin | owns_requested_organisation)
