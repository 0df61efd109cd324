"""Uploaded pictures: checked by their content, resized, re-encoded without metadata."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1200
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def clean_photo(upload: Any, *, name: str = "photo") -> ContentFile[bytes]:
    """A re-encoded copy of ``upload`` (at most MAX_SIDE px), or ValidationError.

    The file's name and declared type are ignored: Pillow reads the content. Re-encoding
    drops EXIF (location, camera) and anything appended to the picture.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("The picture is larger than 5 MB."))
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The picture is larger than 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in ACCEPTED:
                raise ValidationError(_("Upload a JPEG, PNG or WebP picture."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The picture has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            has_alpha = image.mode in ("RGBA", "LA", "P")
            picture = image.convert("RGBA" if has_alpha else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture.")) from exc
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if has_alpha:
        picture.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        picture.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{name}.{extension}")
