"""Importing drafts (Markdown, DOCX), previewing, publishing new versions that keep
comments on surviving paragraphs, and the readable per-paragraph diff."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityexchange.consultations import importing, services
from cityexchange.consultations.models import Comment, DocumentVersion
from cityexchange.consultations.tests.conftest import paragraph
from cityexchange.consultations.text import word_diff

pytestmark = pytest.mark.django_db


def test_markdown_headings_become_sections_and_blocks_numbered_paragraphs() -> None:
    sections = importing.parse_markdown(
        "Lead text.\n\n# One\n\nFirst *para*.\n\n- item a\n- item b\n\n## Two\n\nSecond\nline."
    )
    assert [(s.heading, s.level, s.paragraphs) for s in sections] == [
        ("", 1, ["Lead text."]),
        ("One", 1, ["First para.", "item a", "item b"]),
        ("Two", 2, ["Second line."]),
    ]


def test_docx_headings_become_sections() -> None:
    document = docx.Document()
    document.add_heading("Aims", level=1)
    document.add_paragraph("People come first.")
    document.add_paragraph("")
    document.add_heading("Data", level=2)
    document.add_paragraph("Keep data short.")
    buffer = io.BytesIO()
    document.save(buffer)
    sections = importing.parse_docx(buffer.getvalue())
    assert [(s.heading, s.level, s.paragraphs) for s in sections] == [
        ("Aims", 1, ["People come first."]),
        ("Data", 2, ["Keep data short."]),
    ]


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_file_that_is_not_docx_is_refused(data: bytes) -> None:
    with pytest.raises(importing.ImportFailed):
        importing.parse_docx(data)


def test_an_empty_document_is_refused() -> None:
    with pytest.raises(importing.ImportFailed):
        importing.parse_markdown("# Only a heading\n")


def test_staff_import_see_a_preview_and_publish_a_new_version_keeping_comments(
    client: Any, consultation: Any, comment: Any, staff: Any, member: Any
) -> None:
    """Paragraph 3 is edited, paragraph 2 removed, one paragraph added at the start:
    the comment on old paragraph 3 follows it to new paragraph 3."""
    client.force_login(staff)
    source = (
        "# Purpose\n\nA new opening paragraph.\n\n"
        "Towns make digital services serve the people who live in them.\n\n"
        "# Data\n\nData collected in public space is kept only as long as its published "
        "purpose needs.\n\nOpen data is published with a clear licence.\n"
    )
    answer = client.post(
        f"/en/consultations/{consultation.slug}/import/",
        {"file": SimpleUploadedFile("v2.md", source.encode()), "note": "Second draft"},
    )
    assert answer.status_code == 302 and answer["Location"].endswith("/versions/2/")
    preview = client.get(answer["Location"]).content.decode()
    assert "Preview: this version is not published yet." in preview
    assert "<ins>published </ins>" in preview
    assert "Nobody is left without" in preview  # listed as removed
    client.force_login(member)
    assert client.get(f"/en/consultations/{consultation.slug}/versions/2/").status_code == 404
    assert (
        "A new opening"
        not in client.get(f"/en/consultations/{consultation.slug}/").content.decode()
    )
    client.force_login(staff)
    client.post(f"/en/consultations/{consultation.slug}/versions/2/publish/")
    version = DocumentVersion.objects.get(number=2)
    assert version.published_at is not None
    comment.refresh_from_db()
    moved = paragraph(consultation, 3)
    assert comment.paragraph_id == moved.pk and moved.changed
    assert moved.key == comment.version.paragraphs.get(number=3).key
    page = client.get(f"/en/consultations/{consultation.slug}/paragraphs/3/").content.decode()
    assert comment.text in page and "What changed from the previous version" in page
    document = client.get(f"/en/consultations/{consultation.slug}/").content.decode()
    assert "Comment on paragraph 3 (1 comment)" in document


def test_a_comment_on_a_removed_paragraph_stays_on_the_old_version(
    consultation: Any, author: Any
) -> None:
    old = paragraph(consultation, 2)
    comment = services.comment_create(
        consultation=consultation,
        author=author,
        text="About the removed text",
        language="en",
        target="paragraph",
        paragraph=old,
    )
    version = services.version_import(
        consultation=consultation,
        actor=None,
        sections=importing.parse_markdown("# Purpose\n\nSomething entirely different here.\n"),
        source_format="markdown",
    )
    services.version_publish(version=version, actor=None)
    comment.refresh_from_db()
    assert comment.paragraph_id == old.pk
    assert Comment.objects.filter(paragraph__version=version).count() == 0


def test_the_import_form_reports_bad_files(client: Any, consultation: Any, staff: Any) -> None:
    client.force_login(staff)
    base = f"/en/consultations/{consultation.slug}/import/"
    answer = client.post(base, {"file": SimpleUploadedFile("x.docx", b"nonsense")})
    assert "not a Word document" in answer.content.decode()
    answer = client.post(base, {"file": SimpleUploadedFile("x.md", b"\xff\xfe\x00bad")})
    assert answer.status_code == 200
    answer = client.post(base, {})
    assert "Paste the text or choose a file." in answer.content.decode()
    assert consultation.versions.count() == 1


def test_word_diff_marks_added_and_removed_words() -> None:
    pieces = word_diff("Data is kept long.", "Data is kept short.")
    assert [(p.kind, p.text) for p in pieces] == [
        ("same", "Data is kept "),
        ("removed", "long."),
        ("added", "short."),
    ]
