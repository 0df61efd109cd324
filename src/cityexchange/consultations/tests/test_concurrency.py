"""Many people supporting the same comment at once, each pressing the button twice,
through a real server and real connections: one support per person, the right count.

Runs on whichever database the suite uses: SQLite (a file; IMMEDIATE transactions) or
PostgreSQL (the unique constraint on comment and person decides).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.conf import settings
from django.test import Client

from cityexchange.consultations import services
from cityexchange.consultations.models import Support
from cityexchange.consultations.tests.conftest import make_consultation, paragraph
from cityexchange.core.roles import Role
from cityexchange.core.tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

SUPPORTERS = 8


def _signed_in(live_server: Any, user: Any, page: str) -> tuple[requests.Session, str]:
    """A browser session of ``user`` and the form token of ``page``."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    html = session.get(f"{live_server.url}{page}", timeout=120).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, html[:500]
    return session, found.group(1)


def test_many_people_supporting_one_comment_at_once_count_once_each(
    live_server: Any, organiser: Any, author: Any
) -> None:
    consultation = make_consultation(organiser)
    comment = services.comment_create(
        consultation=consultation,
        author=author,
        text="Please name who decides the purpose.",
        language="en",
        target="paragraph",
        paragraph=paragraph(consultation, 3),
    )
    page = f"/en/consultations/{consultation.slug}/paragraphs/3/"
    people = [UserFactory(roles=[Role.MUNICIPAL_MEMBER]) for _ in range(SUPPORTERS)]
    sessions = [_signed_in(live_server, person, page) for person in people]
    url = f"{live_server.url}/en/consultations/{consultation.slug}/comments/{comment.pk}/support/"

    def press(n: int) -> int:
        session, token = sessions[n % SUPPORTERS]  # everyone presses twice
        answer = session.post(
            url,
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": f"{live_server.url}{page}"},
            allow_redirects=False,
            timeout=120,
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=2 * SUPPORTERS) as pool:
        codes = list(pool.map(press, range(2 * SUPPORTERS)))
    assert codes == [302] * (2 * SUPPORTERS), codes
    supporters = list(Support.objects.filter(comment=comment).values_list("user_id", flat=True))
    assert sorted(supporters) == sorted(p.pk for p in people)
    # Readers see the right count on the comment and on the document.
    html = requests.get(f"{live_server.url}{page}", timeout=120).text
    assert f"{SUPPORTERS} supports" in html
    document = requests.get(
        f"{live_server.url}/en/consultations/{consultation.slug}/", timeout=120
    ).text
    assert f"· {SUPPORTERS} supports" in document
