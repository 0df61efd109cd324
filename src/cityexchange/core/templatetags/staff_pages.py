"""``{% staff_pages user as pages %}``: the apps' own staff pages, for the back office.

An app lists its pages outside the admin (reports, queues, checks) with
``AppConfig.staff_pages(user)``, returning ``(label, url)`` pairs for the pages the
user may open; the back office's start page links them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps

register = template.Library()


@register.simple_tag
def staff_pages(user: Any) -> list[dict[str, Any]]:
    sections = []
    for config in apps.get_app_configs():
        pages = getattr(config, "staff_pages", None)
        links = pages(user) if pages is not None else []
        if links:
            sections.append(
                {
                    "app": config.verbose_name,
                    "links": [{"label": label, "url": url} for label, url in links],
                }
            )
    return sections
