"""Form fields shared by the account pages and the profile form."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts import timezones
from cityexchange.core.middleware import known_timezones


class TimezoneSelect(forms.Select):
    """A ``<select>`` with one ``<optgroup>`` per region; ``timezone.js`` may preselect
    the browser's zone where ``data-suggest`` asks for it."""

    def __init__(self, *, suggest: bool = False, **kwargs: Any) -> None:
        attrs = {
            "class": "timezone-select",
            "data-suggest": "1" if suggest else "0",
            "data-device-label": str(_("Your device's time zone")),
        }
        attrs.update(kwargs.pop("attrs", None) or {})
        super().__init__(attrs=attrs, **kwargs)


class TimezoneField(forms.ChoiceField):
    """Offers the short grouped list and accepts any IANA zone name.

    A browser may report a zone that is not listed (the script then adds it as an
    option), and an older account may hold one: both stay valid choices.
    """

    def __init__(self, *, suggest: bool = False, current: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("widget", TimezoneSelect(suggest=suggest))
        # A callable: the labels (region names, today's offsets) are made per rendering,
        # in the language of the page.
        super().__init__(choices=partial(timezones.choices, current=current), **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in known_timezones()
