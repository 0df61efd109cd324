"""Seeding the consultations app: nothing is shipped; ``--demo`` loads two invented
consultations (one open, one closed with a published response report), marked is_demo.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityexchange.consultations import importing, services
from cityexchange.consultations.models import Comment, Consultation, Paragraph, Section
from cityexchange.core.datafiles import load_yaml
from cityexchange.core.models import Organisation, User
from cityexchange.core.roles import Role

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA_DIR / "demo.yaml"


def _people() -> dict[str, User]:
    from cityexchange.core.services import membership_add, user_create

    people: dict[str, User] = {}
    for raw in load_yaml(DEMO_FILE, key="people"):
        user = User.objects.filter(email=raw["email"]).first()
        if user is None:
            user = user_create(
                email=raw["email"],
                password=None,
                full_name=raw["name"],
                roles=[Role.MUNICIPAL_MEMBER],
            )
            user.language, user.timezone = raw["language"], raw["timezone"]
            user.save(update_fields=["language", "timezone"])
            organisation = Organisation.objects.filter(slug=raw["organisation"]).first()
            if organisation is not None:
                membership_add(user=user, organisation=organisation)
        people[raw["email"]] = user
    return people


def _load(raw: dict[str, Any], people: dict[str, User], staff: User | None) -> str:
    slug = raw["slug"]
    if Consultation.objects.filter(slug=slug).exists():
        return f"demo consultation {slug}: unchanged"
    organiser = Organisation.objects.filter(slug=raw["organiser"]).first()
    if organiser is None:
        return f"demo consultation {slug}: skipped ({raw['organiser']} not loaded)"
    today = timezone.now().replace(minute=0, second=0, microsecond=0)
    opens = today + dt.timedelta(days=raw["opens"])
    closes = today + dt.timedelta(days=raw["closes"])
    sections = importing.parse_markdown((DATA_DIR / raw["document"]).read_text("utf-8"))
    with transaction.atomic():
        consultation = services.consultation_create(
            actor=staff,
            slug=slug,
            organiser=organiser,
            title=raw["title"]["en"],
            introduction=raw["introduction"]["en"],
            opens_at=opens,
            announced_at=opens - dt.timedelta(days=7),
            closes_at=closes,
            document_languages=raw.get("languages", ["en"]),
            is_demo=True,
            translations={
                **{f"title_{k}": v for k, v in raw["title"].items()},
                **{f"introduction_{k}": v for k, v in raw["introduction"].items()},
                **{f"response_summary_{k}": v for k, v in raw.get("response_summary", {}).items()},
            },
        )
        version = services.version_import(
            consultation=consultation, actor=staff, sections=sections, source_format="markdown"
        )
        services.version_publish(version=version, actor=staff)
        written: list[Comment] = []
        moment = opens + dt.timedelta(days=1)
        for entry in raw.get("comments", []):
            moment += dt.timedelta(hours=5)
            author = people[entry["by"]]
            paragraph = section = parent = None
            target = "document"
            if "paragraph" in entry:
                paragraph = Paragraph.objects.get(version=version, number=entry["paragraph"])
                target = "paragraph"
            elif "section" in entry:
                section = Section.objects.get(version=version, heading=entry["section"])
                target = "section"
            if "reply_to" in entry:
                parent = written[entry["reply_to"] - 1]
            comment = services.comment_create(
                consultation=consultation,
                author=author,
                text=entry["text"],
                language=entry["language"],
                target=target,
                paragraph=paragraph,
                section=section,
                quote=entry.get("quote", ""),
                parent=parent,
                now=moment,
            )
            comment.is_demo = True
            comment.save(update_fields=["is_demo"])
            written.append(comment)
            if staff is not None and "tag" in entry:
                services.response_save(
                    comment=comment, actor=staff, tag=entry["tag"], text=entry.get("response", "")
                )
        for entry in raw.get("supports", []):
            services.support_set(
                comment=written[entry["comment"] - 1], user=people[entry["by"]], support=True
            )
        if staff is not None and closes < timezone.now() and raw.get("response_summary"):
            services.report_publish(consultation=consultation, actor=staff, notify=False)
    return f"demo consultation {slug}: created with {len(written)} comments"


def seed(*, demo: bool) -> list[str]:
    if not demo:
        return []
    people = _people()
    staff = User.objects.filter(groups__name=Role.NETWORK_STAFF, is_active=True).first()
    return [_load(raw, people, staff) for raw in load_yaml(DEMO_FILE, key="consultations")]
