"""The parts of "My cityexchange" that other apps contribute.

Like the personal-data export (``core.services.user_personal_data``), the accounts app
asks each installed app instead of importing it: an AppConfig may offer

- ``account_sections(user) -> list[AccountSection]``: what the page shows, rendered
  with the app's own template;
- ``earlier_records(user) -> int`` and ``link_earlier_records(user) -> int``: records the
  person left before having an account (same, verified address), to count and to link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.functional import Promise


@dataclass
class AccountSection:
    key: str
    title: str | Promise
    template: str
    items: list[Any] = field(default_factory=list)
    # Shown instead of the items when there are none.
    empty: str | Promise = ""
    # (label, URL) links under the section, e.g. to edit a subscription.
    links: list[tuple[str | Promise, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def account_sections(*, user: Any) -> list[AccountSection]:
    sections: list[AccountSection] = []
    for config in apps.get_app_configs():
        contribute = getattr(config, "account_sections", None)
        if contribute is not None:
            sections.extend(contribute(user))
    return sorted(sections, key=lambda s: (s.order, s.key))


def earlier_records(*, user: Any) -> int:
    """How many records made without an account carry the person's address."""
    total = 0
    for config in apps.get_app_configs():
        count = getattr(config, "earlier_records", None)
        if count is not None:
            total += int(count(user))
    return total
