"""The time zone is chosen from a short list grouped by region, and any real zone is kept."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from cityexchange.accounts.timezones import grouped_zones, zone_label

pytestmark = pytest.mark.django_db


def test_the_list_is_short_grouped_and_starts_with_the_networks_zones() -> None:
    groups = grouped_zones()
    names = [name for group in groups for name, _label in group.zones]
    assert 60 < len(names) < 150
    assert len(names) == len(set(names))
    europe = groups[0]
    with translation.override("es"):
        assert str(europe.label) == "Europa"
    assert europe.zones[0][0] == "Europe/Berlin"


def test_a_zone_reads_as_a_city_and_todays_offset() -> None:
    winter = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    assert zone_label("America/Sao_Paulo", now=winter) == "Sao Paulo (UTC−3)"
    assert zone_label("Asia/Kolkata", now=winter) == "Kolkata (UTC+5:30)"
    assert zone_label("Europe/Lisbon", now=winter) == "Lisbon (UTC+0)"


def test_the_footer_offers_regions_in_the_pages_language(client: Client) -> None:
    html = client.get("/de/").content.decode()
    footer = html[html.index('id="tz-select"') :]
    assert '<optgroup label="Europa">' in footer
    assert footer.count("<option") < 150


def test_the_sign_up_form_suggests_the_devices_zone_only_before_it_is_sent(
    client: Client,
) -> None:
    html = client.get("/pt/account/signup/").content.decode()
    assert re.search(r'<select[^>]*class="timezone-select"[^>]*data-suggest="1"', html)
    assert '<optgroup label="Américas">' in html
    assert "/static/accounts/timezone.js" in html
    sent = client.post("/pt/account/signup/", {"timezone": "Asia/Tokyo"}).content.decode()
    assert 'data-suggest="0"' in sent
    assert '<option value="Asia/Tokyo" selected>' in sent


def test_a_member_keeps_a_zone_that_is_not_on_the_short_list(client: Client, member: Any) -> None:
    member.timezone = "Pacific/Chatham"
    member.save(update_fields=["timezone"])
    client.force_login(member)
    html = client.get("/en/account/").content.decode()
    assert '<option value="Pacific/Chatham" selected>' in html
    response = client.post(
        "/en/account/", {"full_name": "", "language": "en", "timezone": "America/Argentina/Ushuaia"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.timezone == "America/Argentina/Ushuaia"


def test_the_footers_offsets_follow_summer_time_although_the_list_is_kept(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    from cityexchange.accounts import timezones
    from cityexchange.accounts.templatetags import accounts_timezones

    class Clock(dt.datetime):
        moment = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)

        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return cls.moment

    fake = types.SimpleNamespace(datetime=Clock, UTC=dt.UTC, timedelta=dt.timedelta)
    monkeypatch.setattr(timezones, "dt", fake)
    monkeypatch.setattr(accounts_timezones, "dt", fake)
    assert "Berlin (UTC+1)</option>" in client.get("/en/").content.decode()
    assert "Berlin (UTC+1)</option>" in client.get("/en/").content.decode()
    Clock.moment = dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC)
    assert "Berlin (UTC+2)</option>" in client.get("/en/").content.decode()
