"""Offers and municipality profiles edited in the back office reach the Finder at once."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from cityexchange.core.models import AuditEntry
from cityexchange.directory.finder import FinderQuery, finder_run

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would send for the page's form, as the test client wants them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name", "")
        if tag == "input" and name and attr.get("type") not in ("submit", "file", "button"):
            ticked = attr.get("type") in ("checkbox", "radio")
            if ticked and "checked" not in attr:
                return
            self.data.setdefault(name, []).append(attr.get("value", "on" if ticked else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attr:
            self.data[self._select].append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data


def change_form(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    # Django's textareas start with a newline the browser drops.
    return {
        name: [v.removeprefix("\n") for v in values] if len(values) != 1 else values[0]
        for name, values in parser.data.items()
    }


def found(description: str, **wishes: Any) -> list[str]:
    answer = finder_run(
        FinderQuery(description=description, **wishes), language="en", record_gaps=False
    )
    return [item["offer"]["slug"] for item in answer["items"]]


@pytest.fixture
def staff_client(staff: Any) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_an_offer_ended_in_the_back_office_leaves_the_finder_at_once(
    catalogue: None, staff_client: Client
) -> None:
    from cityexchange.directory.models import Offer

    assert found("Hochwasser", country="DE")[0] == "test-mixer"
    offer = Offer.objects.get(slug="test-mixer")
    url = f"/en/admin/directory/offer/{offer.pk}/change/"
    data = change_form(staff_client, url)
    data["status"] = "ended"

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Offer.objects.get(pk=offer.pk).status == "ended"
    assert "test-mixer" not in found("Hochwasser", country="DE")
    audit = AuditEntry.objects.get(action="offer.update")
    assert (audit.before["status"], audit.after["status"]) == ("active", "ended")


def test_an_offer_deleted_in_the_back_office_leaves_the_finder_at_once(
    catalogue: None, staff_client: Client
) -> None:
    from cityexchange.directory.models import Offer

    assert "test-mixer" in found("Hochwasser", country="DE")
    offer = Offer.objects.get(slug="test-mixer")

    response = staff_client.post(f"/en/admin/directory/offer/{offer.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "test-mixer" not in found("Hochwasser", country="DE")


def test_a_peer_unlisted_in_the_back_office_is_no_longer_shown(
    catalogue: None, staff_client: Client, municipality: Any
) -> None:
    from cityexchange.core.models import Concept
    from cityexchange.directory.models import MunicipalityProfile
    from cityexchange.directory.services import profile_save

    profile_save(
        organisation=municipality,
        actor=None,
        values={"country": "DE", "listed_as_peer": True},
        topics=list(Concept.objects.filter(key="flooding")),
    )
    ask = FinderQuery(description="Hochwasser")
    assert [p["name"] for p in finder_run(ask, language="en", record_gaps=False)["peers"]] == [
        municipality.name
    ]
    profile = MunicipalityProfile.objects.get(organisation=municipality)
    url = f"/en/admin/directory/municipalityprofile/{profile.pk}/change/"
    data = change_form(staff_client, url)
    data.pop("listed_as_peer", None)

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert finder_run(ask, language="en", record_gaps=False)["peers"] == []
