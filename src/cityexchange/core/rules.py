"""Permissions of the core app, in the one vocabulary shared by pages and API.

Other apps build on the predicates defined here (``is_network_staff`` ...) and
register their own ``<app>.<verb>_<thing>`` permissions in their ``rules.py``.
"""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.roles import Role


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _in_group(user, Role.ADMIN)))


@rules.predicate
def is_network_staff(user: Any) -> bool:
    return bool(user.is_authenticated and _in_group(user, Role.NETWORK_STAFF))


@rules.predicate
def is_municipal_member(user: Any) -> bool:
    return bool(user.is_authenticated and _in_group(user, Role.MUNICIPAL_MEMBER))


@rules.predicate
def is_expert(user: Any) -> bool:
    return bool(user.is_authenticated and _in_group(user, Role.EXPERT))


@rules.predicate
def is_member_of_organisation(user: Any, organisation: Any) -> bool:
    if not user.is_authenticated or organisation is None:
        return False
    return bool(organisation.memberships.filter(user=user).exists())


def _in_group(user: Any, name: str) -> bool:
    # Cached on the user object: one query per request, not one per check.
    cached = getattr(user, "_cityexchange_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._cityexchange_groups = cached
    return name in cached


is_staff_or_admin = is_network_staff | is_admin

rules.add_perm("core.manage_content", is_staff_or_admin)
rules.add_perm("core.view_audit_log", is_staff_or_admin)
rules.add_perm("core.view_organisation_private", is_staff_or_admin | is_member_of_organisation)
rules.add_perm("core.manage_organisation", is_staff_or_admin)
