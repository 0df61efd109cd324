"""A person's part in a self-assessment: exported, and unlinked from them on erasure.

The answers belong to the municipality and stay; only the link to the person goes.
"""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.assessments.models import Answer, Assessment
from cityexchange.assessments.tests.conftest import answer_all
from cityexchange.core.services import user_erase, user_personal_data

pytestmark = pytest.mark.django_db


def test_answers_are_exported_and_no_longer_linked_after_erasure(
    assessment: Any, owner: Any
) -> None:
    first_key = Answer.objects.model._meta.get_field("indicator").related_model.objects.first().key
    answer_all(assessment, owner, {first_key: 2})

    data = user_personal_data(user=owner)["assessments"]
    assert data["assessments_started"] == [assessment.pk]
    assert [a["indicator"] for a in data["answers"]] == [first_key]
    assert data["answers"][0]["level"] == 2

    user_erase(user=owner)

    kept = Answer.objects.get(assessment=assessment, indicator__key=first_key)
    assert kept.level == 2 and kept.updated_by is None
    assert Assessment.objects.get(pk=assessment.pk).created_by is None
    assert user_personal_data(user=owner)["assessments"]["answers"] == []
