"""A resource page shows its full text safely, says what it is and where it comes from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.base import ContentFile

from cityexchange.library.models import Attachment, Resource
from cityexchange.library.rendering import render_body

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "resources.yaml"


def _page(client: Any, resource: Resource, lang: str = "en") -> str:
    response = client.get(f"/{lang}/library/r/{resource.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _resource(**values: Any) -> Resource:
    defaults: dict[str, Any] = {
        "slug": "a-page",
        "kind": "guideline",
        "title": "A page",
        "title_en": "A page",
        "summary": "Two sentences.",
        "languages": ["en"],
        "status": "published",
    }
    return Resource.objects.create(**{**defaults, **values})


def test_the_whole_text_is_shown_one_paragraph_per_line_not_only_the_summary(
    client: Any,
) -> None:
    resource = _resource(body="First paragraph about heat.\nSecond paragraph about shade.")
    html = _page(client, resource)
    assert "<p>First paragraph about heat.</p>" in html
    assert "<p>Second paragraph about shade.</p>" in html
    assert 'lang="en"' in html.split('class="resource-text"')[1][:80]


def test_the_text_cannot_run_scripts_load_other_sites_or_break_the_outline(client: Any) -> None:
    body = (
        "# Top\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        "![tracker](https://evil.example/pixel.png)\n\n<img src=x onerror=alert(3)>\n\n"
        "[real](https://example.org/report)"
    )
    html = _page(client, _resource(body=body))
    text = html.split('class="resource-text"')[1].split("</section>")[0]
    # Typed HTML stays text; a script link stays text; an image is at most a link, never loaded.
    assert "<script" not in text and 'href="javascript:' not in text
    assert "<img" not in text and "onerror=alert(3)>" not in text
    assert "&lt;script&gt;" in text
    assert 'href="https://example.org/report"' in text and "noopener" in text
    # The text's top heading sits under the page's "Full text" heading.
    assert '<h3 id="section-top">Top</h3>' in text
    assert "<h1" not in text and "<h2" not in text.split("</h2>", 1)[1]


def test_a_long_text_with_sections_gets_a_table_of_contents_a_short_one_none(
    client: Any,
) -> None:
    words = " ".join(["word"] * 150)
    long_body = "\n\n".join(
        f"## {name}\n\n{words}" for name in ("Why", "How", "What it costs", "How")
    )
    html = _page(client, _resource(body=long_body), "de")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S)
    assert toc is not None and "Inhalt" in toc.group(0)
    anchors = re.findall(r'href="#(section-[a-z-0-9]+)"', toc.group(0))
    assert anchors == ["section-why", "section-how", "section-what-it-costs", "section-how-2"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    short = _resource(
        slug="short", body="## One\n\nA little.\n\n## Two\n\nMore.\n\n## Three\n\nEnd."
    )
    assert '<nav class="toc"' not in _page(client, short)
    assert render_body("").html == ""


def test_a_page_says_whether_it_is_own_text_a_pointer_elsewhere_or_a_file(
    client: Any,
) -> None:
    own = _page(client, _resource(slug="own"), "de")
    assert "Eine erklärende Seite des Netzwerks selbst" in own
    assert "Quelle" not in own.split('class="resource-facts"')[1].split("</dl>")[0]
    outside = _page(
        client, _resource(slug="outside", source_url="https://digitalprinciples.org/"), "de"
    )
    assert "anderswo veröffentlichtes Material" in outside
    assert 'href="https://digitalprinciples.org/"' in outside
    with_file = _resource(slug="with-file", kind="presentation")
    Attachment.objects.create(
        resource=with_file,
        title="Slides",
        file=ContentFile(b"%PDF-1.4", name="slides.pdf"),
        content_type="application/pdf",
        size=8,
    )
    assert "Eine Datei" in _page(client, with_file, "de")


def test_a_recording_or_slides_without_a_file_say_so_instead_of_pretending(client: Any) -> None:
    html = _page(client, _resource(slug="talk", kind="recording"), "pt")
    assert "Esta página não tem gravação anexada" in html
    html = _page(client, _resource(slug="deck", kind="presentation"), "en")
    assert "No slides are attached to this page" in html


def test_the_shipped_library_names_no_video_and_no_home_page_as_a_source() -> None:
    entries = yaml.safe_load(DATA.read_text(encoding="utf-8"))["resources"]
    titles = [t for e in entries for t in e["title"].values()]
    assert not [t for t in titles if re.search(r"\b(video|vídeo|Erklärvideo)\b", t, re.I)]
    assert not [e["slug"] for e in entries if e["kind"] == "recording"]
    for entry in entries:
        if entry.get("source_url"):
            # An organisation's home page is no source for a publication of theirs.
            assert entry["source_url"] not in ("https://unhabitat.org/", "https://www.oecd.org/")


@pytest.mark.parametrize(
    ("language", "card", "page_text"),
    [
        ("pt", "Idioma: alemão", "alemão"),
        ("es", "Idioma: alemán", "alemán"),
        ("de", "Sprache: Deutsch", "Deutsch"),
    ],
)
def test_the_materials_language_is_named_as_the_pages_language_writes_it(
    client: Any, corpus: dict, language: str, card: str, page_text: str
) -> None:
    results = client.get(f"/{language}/library/search/", {"q": "Zwillinge"}).content.decode()
    assert card in results
    page = client.get(f"/{language}/library/r/digitale-zwillinge-kommunen/").content.decode()
    facts = page[page.index("<dl") : page.index("</dl>")]
    assert f"<dd>{page_text}</dd>" in facts
