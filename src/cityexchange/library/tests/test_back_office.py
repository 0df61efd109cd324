"""Staff attach files to a resource in the back office, checked like any other upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityexchange.core.models import AuditEntry
from cityexchange.core.tests.adminforms import admin_form
from cityexchange.library.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_staff(client: Client, staff: Any) -> Client:
    client.force_login(staff)
    return client


def _post_with_attachment(client: Client, resource: Any, upload: SimpleUploadedFile) -> Any:
    url = f"/en/admin/library/resource/{resource.pk}/change/"
    data = admin_form(client.get(url).content.decode(), "resource_form")
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-0-title": "Handbook",
            "attachments-0-file": upload,
        }
    )
    return client.post(url, data)


def test_staff_attach_a_file_to_a_resource_in_the_back_office(
    admin_client_staff: Client, corpus: dict
) -> None:
    resource = corpus["cyber-security-handbook"]
    upload = SimpleUploadedFile("handbook.txt", b"Patch early, patch often.", "text/plain")

    response = _post_with_attachment(admin_client_staff, resource, upload)

    assert response.status_code == 302, response.content.decode()[:3000]
    attachment = Attachment.objects.get(resource=resource)
    assert attachment.title == "Handbook"
    assert attachment.content_type == "text/plain"
    assert AuditEntry.objects.filter(
        action="library.attachment_add", object_id=str(attachment.pk)
    ).exists()
    # Its words are found by the library search.
    found = admin_client_staff.get("/api/v1/library/search", {"q": "patch"}).json()
    assert resource.slug in [item["slug"] for item in found["items"]]


def test_a_file_whose_content_is_not_its_type_is_refused(
    admin_client_staff: Client, corpus: dict
) -> None:
    resource = corpus["cyber-security-handbook"]
    upload = SimpleUploadedFile("handbook.pdf", b"not a pdf at all", "application/pdf")

    response = _post_with_attachment(admin_client_staff, resource, upload)

    assert response.status_code == 200
    assert not Attachment.objects.filter(resource=resource).exists()
