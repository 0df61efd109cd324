"""Uploaded files are never reachable at a public address, whatever app holds them.

Each file is sent only by its app's view, after the same permission check as the
page it belongs to; the folder that holds uploads is not served at all.
"""

from __future__ import annotations

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import models
from django.test import Client


def test_every_upload_field_stores_where_nothing_serves_it(client: Client) -> None:
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert fields, "the platform has uploads to check"
    for field in fields:
        storage = field.storage
        name = storage.save(f"probe/{field.model._meta.label_lower}.txt", ContentFile(b"secret"))
        try:
            url = storage.url(name)
            response = client.get(url)
            assert response.status_code == 404, f"{field.model.__name__}.{field.name}: {url}"
        finally:
            storage.delete(name)


def test_the_default_storage_is_not_served_under_its_address(client: Client) -> None:
    name = default_storage.save("attachments/draft-notes.pdf", ContentFile(b"%PDF draft"))
    try:
        assert client.get(f"/media/{name}").status_code == 404
        assert client.get(storages["default"].url(name)).status_code == 404
    finally:
        default_storage.delete(name)
