"""Print suggested topics for the shipped editions, for a person to review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityexchange.core.datafiles import load_yaml
from cityexchange.core.text import thesaurus
from cityexchange.events.seeding import DATA_DIR
from cityexchange.events.topics import suggest_topics


class Command(BaseCommand):
    help = (
        "Suggest thesaurus topics for each edition in events/data/past_editions.yaml from "
        "its title and its library documentation; prints YAML lines to review."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.apps import apps

        documentation: dict[str, tuple[list[str], str]] = {}
        if apps.is_installed("cityexchange.library"):
            resource_model = apps.get_model("library", "Resource")
            rows = (
                resource_model.objects.filter(event__isnull=False)
                .select_related("event")
                .prefetch_related("topics")
            )
            for resource in rows:
                text = " ".join(
                    [
                        getattr(resource, "title_en", "") or "",
                        getattr(resource, "summary_en", "") or "",
                        resource.body,
                    ]
                )
                if resource.event is not None:
                    documentation[resource.event.slug] = (
                        [t.key for t in resource.topics.all()],
                        text,
                    )
        index = thesaurus()
        known = set(index.labels)
        for raw in load_yaml(DATA_DIR / "past_editions.yaml", key="editions"):
            slug = f"{raw['format']}-{int(raw['number']):02d}"
            topics, text = documentation.get(slug, ([], ""))
            keys = suggest_topics(
                title=str(raw["title"]),
                documentation_topics=topics,
                documentation_text=text,
                index=index,
                known=known,
            )
            self.stdout.write(f"{slug}: [{', '.join(keys)}]")
