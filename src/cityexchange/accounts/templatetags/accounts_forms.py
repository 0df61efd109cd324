"""Rendering helpers for form fields: errors and help linked to the input they describe."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def described_widget(field: BoundField) -> SafeString:
    """The field's input with ``aria-describedby`` naming its help and error texts,
    and ``aria-invalid`` when it has errors, so a screen reader announces them."""
    ids = []
    attrs: dict[str, str | bool] = {}
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
