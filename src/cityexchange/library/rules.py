"""Who may see and change library content, shared by pages and API."""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.rules import is_expert, is_municipal_member, is_staff_or_admin

is_network_member = is_municipal_member | is_expert | is_staff_or_admin


@rules.predicate
def is_visible_resource(user: Any, resource: Any) -> bool:
    if resource is None:
        return False
    if resource.status != "published":
        return bool(is_staff_or_admin(user))
    if resource.visibility == "public":
        return True
    return bool(is_network_member(user))


def may_see_members_content(user: Any) -> bool:
    return bool(user is not None and is_network_member(user))


rules.add_perm("library.view_resource", is_visible_resource)
rules.add_perm("library.manage_resources", is_staff_or_admin)
rules.add_perm("library.forward_resource", is_staff_or_admin)
rules.add_perm("library.subscribe", rules.is_authenticated)
