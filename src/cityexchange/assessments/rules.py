"""Who may see and change a self-assessment.

An assessment belongs to a municipality: its members view and edit it,
network staff may view it, everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.models import OrganisationKind
from cityexchange.core.rules import is_member_of_organisation, is_staff_or_admin


@rules.predicate
def is_assessment_member(user: Any, assessment: Any) -> bool:
    if assessment is None:
        return False
    return bool(is_member_of_organisation(user, assessment.organisation))


@rules.predicate
def can_start_for(user: Any, organisation: Any) -> bool:
    if organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY:
        return False
    return bool(is_member_of_organisation(user, organisation))


rules.add_perm("assessments.view_assessment", is_assessment_member | is_staff_or_admin)
rules.add_perm("assessments.change_assessment", is_assessment_member)
rules.add_perm("assessments.start_assessment", can_start_for)
# The overview of every municipality's assessments: network staff only.
rules.add_perm("assessments.list_assessments", is_staff_or_admin)
