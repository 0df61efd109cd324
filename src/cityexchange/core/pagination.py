"""The API's page numbers, bounded: a page the database cannot represent is a 422."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Far beyond any real list; a larger page asks for an offset the database cannot hold.
MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    """``page`` from 1 to MAX_PAGE; ``page_size`` capped at the configured maximum."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
