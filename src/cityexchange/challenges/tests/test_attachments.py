"""PDF attachments of a challenge: checked on the way in, served to those who see it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, ChallengeAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_member_attaches_a_pdf_and_only_those_who_see_the_challenge_can_read_it(
    draft: Challenge, member: Any, outsider: Any, staff: Any
) -> None:
    client = Client()
    client.force_login(member)
    upload = SimpleUploadedFile("plan.pdf", _pdf(), content_type="application/pdf")
    client.post(
        reverse("challenges:attachment_add", kwargs={"pk": draft.pk}),
        {"title": "Site plan", "file": upload},
    )
    attachment = ChallengeAttachment.objects.get(challenge=draft)
    assert attachment.title == "Site plan"
    url = reverse("challenges:attachment", kwargs={"pk": attachment.pk})
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    other = Client()
    other.force_login(outsider)
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "content", [b"not a pdf at all", b"%PDF-1.7 broken", b""], ids=["text", "broken", "empty"]
)
def test_files_that_are_not_readable_pdfs_are_refused(
    draft: Challenge, owner: Any, content: bytes
) -> None:
    upload = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
    with pytest.raises(services.ChallengeError):
        services.attachment_add(challenge=draft, user=owner, upload=upload)
    assert not ChallengeAttachment.objects.exists()


def test_an_outsider_cannot_attach_and_a_handed_in_challenge_is_fixed(
    draft: Challenge, owner: Any, outsider: Any
) -> None:
    upload = SimpleUploadedFile("plan.pdf", _pdf(), content_type="application/pdf")
    with pytest.raises(services.ChallengeError):
        services.attachment_add(challenge=draft, user=outsider, upload=upload)
    services.challenge_submit(challenge=draft, user=owner)
    with pytest.raises(services.ChallengeError):
        services.attachment_add(challenge=draft, user=owner, upload=upload)
    assert not ChallengeAttachment.objects.exists()
