"""Every page in German, Spanish and Portuguese: no interface English, no bare codes.

The walk starts at the home page and follows the site's own links (anonymously, as
the demo municipal member and as the demo network staff) over the shipped and demo
data, in each language. On every page it reads the visible text and the texts a
screen reader announces (``aria-label``, ``title``, ``alt``, ``placeholder``) and
fails on

* an interface string of the catalogues shown in English although it has a
  translation (a string that escaped ``gettext``, or a translation not applied);
* a bare language or country code where a reader expects a name ("pt", "es, pt",
  "language: pt", "DE");
* a Portuguese or Spanish month name with a capital letter inside a date.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import polib
import pytest
from django.core.management import call_command
from django.test import Client

import cityexchange

pytestmark = pytest.mark.django_db

PACKAGE = Path(cityexchange.__file__).resolve().parent
LANGUAGES = ["de", "es", "pt"]
# Each visitor reads at most this many pages of each part of the site (the first
# part of the path: events, library, market, ...) per language: every kind of page
# is reached well before, the rest are more of the same kinds.
PAGES_PER_PART = 15
# Not pages to read: the back office (Django's own translations), sign-out, downloads.
SKIP = re.compile(
    r"/admin/|/logout/|/account/logout|\.(ics|csv|xlsx|pdf|json|xml|ttl|rdf|svg|png|jpg)$|"
    r"/export|/download|/api/|/i18n/|/static/|/media/|/files/"
)
CODES = {"de", "en", "es", "pt"}
CODE_LIST = re.compile(r"^(?:de|en|es|pt)(?:\s*[,/]\s*(?:de|en|es|pt))*$")
CODE_AFTER_COLON = re.compile(r":\s*(?:de|en|es|pt)(?:\s*,\s*(?:de|en|es|pt))*\s*$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
MONTHS = {
    "pt": "Janeiro|Fevereiro|Março|Abril|Maio|Junho|Julho|Agosto|Setembro|Outubro|Novembro|Dezembro",
    "es": "Enero|Febrero|Marzo|Abril|Mayo|Junio|Julio|Agosto|Septiembre|Octubre|Noviembre|Diciembre",
}


class _Text(HTMLParser):
    """The page's visible text nodes, announced attributes and links."""

    ANNOUNCED = ("aria-label", "title", "alt", "placeholder")
    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in {"code", "kbd", "samp", "pre"}:
            self._in_code += 1
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        for name in self.ANNOUNCED:
            if values.get(name):
                self.texts.append(str(values[name]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in {"code", "kbd", "samp", "pre"} and self._in_code:
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden and not self._in_code:
            self.texts.append(text)


def _interface_strings(language: str) -> dict[str, str]:
    """English interface strings that have a different translation in ``language``.

    Single short words are left out: names such as "Name" or "Online" are the same
    in several of the languages and would be reported for content that uses them.
    """
    found: dict[str, str] = {}
    for path in PACKAGE.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            msgid = entry.msgid
            if (
                entry.msgstr
                and entry.msgstr != msgid
                and "%" not in msgid
                and "{" not in msgid
                and len(msgid.split()) >= 2
            ):
                found[msgid] = entry.msgstr
    return found


def _problems(
    language: str, url: str, texts: list[str], english: dict[str, str]
) -> list[tuple[str, str]]:
    problems = []
    months = re.compile(rf"\d{{1,2}}\.? de ({MONTHS[language]})\b") if language in MONTHS else None
    for text in texts:
        if text in english:
            problems.append((f"English {text!r} (→ {english[text]!r})", url))
        elif CODE_LIST.match(text) or CODE_AFTER_COLON.search(text):
            problems.append((f"bare language code in {text!r}", url))
        elif COUNTRY_CODE.match(text):
            problems.append((f"bare country code {text!r}", url))
        elif months is not None and months.search(text):
            problems.append((f"capitalised month in {text!r}", url))
    return problems


def _walk(
    client: Client, language: str, english: dict[str, str]
) -> tuple[int, list[tuple[str, str]]]:
    start = f"/{language}/"
    queue, seen = deque([start]), {start}
    problems: list[tuple[str, str]] = []
    read: Counter[str] = Counter()
    while queue:
        url = queue.popleft()
        part = url[len(start) :].split("/", 1)[0]
        if read[part] >= PAGES_PER_PART:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read[part] += 1
        parser = _Text()
        parser.feed(response.content.decode())
        problems.extend(_problems(language, url, parser.texts, english))
        for href in parser.links:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith(start) or SKIP.search(link):
                continue
            # One page per path, with the query of the first link to it (a search or a
            # filtered list shows results that way): other filters show the same strings.
            if parts.path not in seen:
                seen.add(parts.path)
                queue.append(link)
    return sum(read.values()), problems


@pytest.fixture
def site(settings: Any) -> dict[str, Any]:
    from cityexchange.core.models import User

    settings.RATELIMIT_ENABLE = False
    call_command("seed", demo=True, verbosity=0)
    return {
        "member": User.objects.get(email="member@demo.invalid"),
        "staff": User.objects.get(email="staff@demo.invalid"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_show_no_english_interface_text_and_no_bare_codes(
    site: dict[str, Any], language: str
) -> None:
    english = _interface_strings(language)
    assert len(english) > 500, "the catalogues could not be read"
    # Each kind of problem once, with the first page it was seen on and how often.
    problems: dict[str, list[str]] = {}
    walked = {}
    for visitor in ("anonymous", "member", "staff"):
        client = Client()
        if visitor != "anonymous":
            client.force_login(site[visitor])
        walked[visitor], found = _walk(client, language, english)
        for problem, url in found:
            problems.setdefault(problem, []).append(f"[{visitor}] {url}")
    # The walk really went through the site, not just its home page.
    assert min(walked.values()) >= 20, walked
    report = [f"{p} — {urls[0]} and {len(urls) - 1} more" for p, urls in sorted(problems.items())]
    assert report == [], f"{len(report)} problems:\n" + "\n".join(report)
