"""What a browser would submit for a back-office form, read from its page."""

from __future__ import annotations

from typing import Any


def admin_form(html: str, form_id: str) -> dict[str, Any]:
    """The values a browser would submit for the admin form ``form_id``."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.data: dict[str, Any] = {}
            self.select: str | None = None
            self.multiple = False
            self.textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "form" and a.get("id") == form_id:
                self.inside = True
            if not self.inside or not a.get("name"):
                if tag == "option" and self.select and "selected" in a:
                    if self.multiple:
                        self.data.setdefault(self.select, []).append(a.get("value", ""))
                    else:
                        self.data[self.select] = a.get("value", "")
                return
            name = str(a["name"])
            if tag == "input" and a.get("type") not in ("checkbox", "submit", "file"):
                self.data[name] = a.get("value") or ""
            elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
                self.data[name] = "on"
            elif tag == "select":
                self.select = name
                # A multiple choice with nothing chosen is not sent at all.
                self.multiple = "multiple" in a
                if not self.multiple:
                    self.data.setdefault(name, "")
            elif tag == "textarea":
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.textarea = None

        def handle_data(self, data: str) -> None:
            if self.textarea:
                self.data[self.textarea] += data

    parser = Form()
    parser.feed(html)
    return parser.data
