"""A consultation end to end in a real browser, in German and Portuguese, checked by axe:
comment on a paragraph, reply, support, a late comment refused (the text kept), a
moderator hides a reply, staff publish the response report, and the commenter reads
how their comment was considered. The commenter reads on a phone-sized screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSIDERED = {"de": "Teilweise übernommen", "pt": "Aceito em parte"}
CLOSED = {"de": "Die Konsultation endete am", "pt": "A consulta foi encerrada em"}


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def people(db: Any, municipality: Any) -> dict[str, Any]:
    """The organiser and its administrator (moderator), and a commenter from Peru."""
    from cityexchange.core.roles import Role
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    organiser = OrganisationFactory(name="Hafenberg", name_en="Hafenberg")
    moderator = UserFactory(email="moderator@hafenberg.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=moderator, organisation=organiser, role="admin")
    author = UserFactory(email="author@villa.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=author, organisation=OrganisationFactory(name="Villa", country="PE"))
    return {"organiser": organiser, "moderator": moderator, "author": author}


def _as(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A browser context signed in as ``user`` (the session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def _check(page: Any, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_consultation_flow_is_usable_and_accessible(
    browser: Any,
    live_server: Any,
    language: str,
    people: dict[str, Any],
    member: Any,
    staff: Any,
) -> None:
    from cityexchange.consultations.models import Comment
    from cityexchange.consultations.tests.conftest import make_consultation

    organiser, author, moderator = people["organiser"], people["author"], people["moderator"]
    consultation = make_consultation(organiser)
    base = f"{live_server.url}/{language}/consultations/{consultation.slug}"

    # The commenter, on a phone, comments on paragraph 3.
    commenter = _as(browser, live_server, author, viewport={"width": 375, "height": 800})
    page = commenter.new_page()
    page.goto(f"{base}/")
    _check(page, f"consultations-document-{language}")
    follow(page.locator('a[href$="/paragraphs/3/"]').first)
    page.fill("#id_text", "Wer legt den Zweck fest?")
    page.select_option("#id_language", language)
    page.fill("#id_quote", "kept only as long")
    follow(page.locator("form.comment-form button[type=submit]"))
    assert "Wer legt den Zweck fest?" in page.content()
    _check(page, f"consultations-paragraph-{language}")
    comment = Comment.objects.get()

    # Another participant supports it and replies, without JavaScript.
    other = _as(browser, live_server, member, java_script_enabled=False)
    page2 = other.new_page()
    page2.goto(f"{base}/paragraphs/3/")
    follow(page2.locator(f"#comment-{comment.pk} form button[type=submit]").first)
    follow(page2.locator(f'#comment-{comment.pk} a[href$="/reply/"]'))
    page2.fill("#id_text", "Gute Frage.")
    follow(page2.locator("form.comment-form button[type=submit]"))
    reply = Comment.objects.get(parent=comment)
    assert comment.supports.count() == 1
    screenshot(page2, f"consultations-no-javascript-{language}")
    # axe needs JavaScript: the thread with its reply is checked in the commenter's browser.
    page.goto(f"{base}/paragraphs/3/")
    assert "Gute Frage." in page.content()
    _check(page, f"consultations-reply-{language}")

    # The deadline passes while the commenter writes: refused, the text is kept.
    page.goto(f"{base}/paragraphs/1/")
    consultation.closes_at = timezone.now() - dt.timedelta(seconds=1)
    consultation.save(update_fields=["closes_at"])
    page.fill("#id_text", "Zu spät geschrieben")
    follow(page.locator("form.comment-form button[type=submit]"))
    assert CLOSED[language] in page.content()
    assert page.input_value("#id_text") == "Zu spät geschrieben"
    assert Comment.objects.count() == 2
    _check(page, f"consultations-late-{language}")

    # The moderator hides the reply with a reason.
    moderating = _as(browser, live_server, moderator)
    page3 = moderating.new_page()
    page3.goto(f"{base}/comments/{reply.pk}/hide/")
    page3.fill("#id_reason", "Kein Bezug zum Text")
    follow(page3.locator("main form button[type=submit]"))
    reply.refresh_from_db()
    assert reply.status == "hidden"
    _check(page3, f"consultations-moderation-{language}")

    # Staff consider the comment and publish the response report.
    staffing = _as(browser, live_server, staff)
    page4 = staffing.new_page()
    page4.goto(f"{base}/responses/")
    page4.select_option(f"#id_c{comment.pk}-tag", "partly")
    page4.fill(f"#id_c{comment.pk}-text", "Der Rat legt ihn fest.")
    follow(page4.locator(f"#c{comment.pk} form button[type=submit]"))
    _check(page4, f"consultations-responses-{language}")
    follow(page4.locator('form[action$="/responses/publish/"] button[type=submit]'))
    consultation.refresh_from_db()
    assert consultation.response_published_at is not None

    # The commenter reads how the comment was considered.
    page.goto(f"{base}/report/")
    assert CONSIDERED[language] in page.content() and "Der Rat legt ihn fest." in page.content()
    _check(page, f"consultations-report-{language}")
    page.goto(f"{base}/overview/")
    _check(page, f"consultations-overview-{language}")
    for context in (commenter, other, moderating, staffing):
        context.close()
