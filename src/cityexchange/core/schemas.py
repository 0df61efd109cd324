"""API schemas every app shares."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """An error answer: a readable sentence in the request's language, and the field it
    is about when there is one."""

    detail: str
    field: str | None = None
