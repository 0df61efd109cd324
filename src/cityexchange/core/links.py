"""Addresses of many pages of one kind at once."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

# What the ``slug`` path converter accepts.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def slug_paths(viewname: str) -> Callable[[str], str]:
    """``reverse(viewname, kwargs={"slug": slug})`` in the active language, for many slugs.

    Reversing costs more than the rest of a list item together, and the pages of one
    kind differ only in their slug: one is reversed and the others follow its pattern.
    """
    before, after = reverse(viewname, kwargs={"slug": "slug"}).rsplit("slug", 1)

    def path(slug: str) -> str:
        if not _SLUG.fullmatch(slug):  # reverse() refuses it, as it would have
            return reverse(viewname, kwargs={"slug": slug})
        return before + slug + after

    return path
