"""Permissions of the events app, in the vocabulary shared by pages and API."""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.rules import is_staff_or_admin
from cityexchange.events.models import EventStatus


@rules.predicate
def is_public_event(user: Any, event: Any) -> bool:
    return bool(event is not None and event.status != EventStatus.DRAFT)


rules.add_perm("events.view_event", is_public_event | is_staff_or_admin)
rules.add_perm("events.manage_event", is_staff_or_admin)
rules.add_perm("events.view_statistics", rules.always_allow)
