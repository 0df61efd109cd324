"""Saved Finder results: in their author's export, and gone after erasure."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.services import user_erase, user_personal_data
from cityexchange.directory.models import SavedResult

pytestmark = pytest.mark.django_db


def test_saved_finder_results_are_exported_and_erased(member: Any, outsider: Any) -> None:
    mine = SavedResult.objects.create(
        request={"description": "Our town of 8,000 wants open data"}, items=[], created_by=member
    )
    theirs = SavedResult.objects.create(request={"description": "x"}, items=[], created_by=outsider)

    exported = user_personal_data(user=member)["directory"]["saved_finder_results"]
    assert [r["token"] for r in exported] == [mine.token]
    assert exported[0]["request"]["description"] == "Our town of 8,000 wants open data"

    user_erase(user=member)

    assert not SavedResult.objects.filter(pk=mine.pk).exists()
    assert SavedResult.objects.filter(pk=theirs.pk).exists()
