"""Uploaded pictures: checked by their content, resized, re-encoded without metadata,
with a thumbnail and the sizes a page needs to reserve their space."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1200
THUMB_SIDE = 480
ACCEPTED = {"JPEG", "PNG", "WEBP"}


@dataclass
class Picture:
    """A checked picture (at most MAX_SIDE px) and its thumbnail (at most THUMB_SIDE px)."""

    full: ContentFile[bytes]
    width: int
    height: int
    thumb: ContentFile[bytes]
    thumb_width: int
    thumb_height: int


def _encode(picture: Image.Image, name: str, *, has_alpha: bool) -> ContentFile[bytes]:
    out = io.BytesIO()
    if has_alpha:
        picture.save(out, format="PNG", optimize=True)
        return ContentFile(out.getvalue(), name=f"{name}.png")
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{name}.jpg")


def clean_picture(upload: Any, *, name: str = "photo") -> Picture:
    """``clean_photo``'s picture, with its size and a thumbnail; or ValidationError."""
    full = clean_photo(upload, name=name)
    with Image.open(io.BytesIO(full.read())) as image:
        image.load()
        width, height = image.size
        has_alpha = image.mode in ("RGBA", "LA", "P")
        small = image.copy()
    full.seek(0)
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Picture(
        full=full,
        width=width,
        height=height,
        thumb=_encode(small, f"{name}-thumb", has_alpha=has_alpha),
        thumb_width=small.width,
        thumb_height=small.height,
    )


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
    return _encode(picture, name, has_alpha=has_alpha)
