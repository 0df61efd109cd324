"""Permissions of the network app, in the vocabulary shared by pages and API."""

from __future__ import annotations

import rules

from cityexchange.core.rules import is_staff_or_admin

# Partnership notes, meetings and the budget are the network team's working material.
rules.add_perm("network.view_operations", is_staff_or_admin)
rules.add_perm("network.manage_operations", is_staff_or_admin)
