"""A topic picker for long thesaurus lists: grouped checkboxes instead of a Ctrl-click list.

The thesaurus's broader concepts become the groups (collapsible ``<details>``,
open when something in them is chosen), every concept is a checkbox, a
summary says what is chosen, and with JavaScript a filter box narrows the list
(``directory/topic-picker.js``). Without JavaScript it is a plain, complete
form. Any form can use it: ``topic_choices(language)`` gives the grouped
choices, ``TopicPicker`` renders them and ``MultipleChoiceField`` validates
grouped choices as they are; include ``directory/_topic_field.html`` for the
fieldset and legend, and load the script and ``directory/directory.css``.
"""

from __future__ import annotations

from typing import Any

from django import forms

from cityexchange.core.models import Concept


def topic_choices(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Concepts grouped under their top concept (the broader chain's end), by label.

    Each group lists its top concept first, then the others alphabetically; one
    query whatever the thesaurus's size.
    """
    rows = list(Concept.objects.values("key", "broader__key", "label", f"label_{language}"))
    labels = {row["key"]: row[f"label_{language}"] or row["label"] or row["key"] for row in rows}
    broader = {row["key"]: row["broader__key"] for row in rows}

    def top(key: str) -> str:
        seen = {key}
        while broader.get(key) and broader[key] not in seen:
            key = broader[key]
            seen.add(key)
        return key

    groups: dict[str, list[str]] = {}
    for key in labels:
        groups.setdefault(top(key), []).append(key)
    result = []
    for root in sorted(groups, key=lambda k: labels[k].casefold()):
        members = sorted((k for k in groups[root] if k != root), key=lambda k: labels[k].casefold())
        result.append((labels[root], [(k, labels[k]) for k in [root, *members]]))
    return result


class TopicPicker(forms.CheckboxSelectMultiple):
    template_name = "directory/widgets/topic_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in (value or [])}
        context["widget"]["chosen"] = [
            label
            for _group, options in self.choices
            if isinstance(options, (list, tuple))
            for key, label in options
            if str(key) in chosen
        ]
        return context
