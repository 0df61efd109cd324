"""Permissions of the directory, in the vocabulary shared by pages and API."""

from __future__ import annotations

import rules

from cityexchange.core.rules import is_member_of_organisation, is_staff_or_admin

# A municipality's Finder profile: its own team and network staff, nobody else.
rules.add_perm("directory.edit_profile", is_staff_or_admin | is_member_of_organisation)
rules.add_perm("directory.view_search_gaps", is_staff_or_admin)
