"""The short list of time zones people choose from, grouped by region.

Every IANA name stays valid (a browser may report one that is not listed, and older
accounts may hold one); the list is what is offered, with the zones of the network's
members first in each region, then the others by city.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityexchange.core.middleware import known_timezones

# (region label, zones where the network's members are, further zones of the region)
REGIONS: list[tuple[Promise, list[str], list[str]]] = [
    (
        _("Europe"),
        ["Europe/Berlin", "Europe/Lisbon", "Europe/Madrid", "Europe/Brussels", "Europe/Tallinn"],
        [
            "Europe/Amsterdam",
            "Europe/Athens",
            "Europe/Bucharest",
            "Europe/Copenhagen",
            "Europe/Dublin",
            "Europe/Helsinki",
            "Europe/Istanbul",
            "Europe/Kyiv",
            "Europe/London",
            "Europe/Oslo",
            "Europe/Paris",
            "Europe/Prague",
            "Europe/Riga",
            "Europe/Rome",
            "Europe/Sofia",
            "Europe/Stockholm",
            "Europe/Vienna",
            "Europe/Vilnius",
            "Europe/Warsaw",
            "Europe/Zurich",
            "Atlantic/Azores",
            "Atlantic/Canary",
            "Atlantic/Madeira",
        ],
    ),
    (
        _("Americas"),
        [
            "America/Sao_Paulo",
            "America/Manaus",
            "America/Mexico_City",
            "America/Bogota",
            "America/Lima",
            "America/Argentina/Buenos_Aires",
        ],
        [
            "America/Asuncion",
            "America/Belem",
            "America/Caracas",
            "America/Chicago",
            "America/Costa_Rica",
            "America/Cuiaba",
            "America/Denver",
            "America/Fortaleza",
            "America/Guatemala",
            "America/Guayaquil",
            "America/Havana",
            "America/La_Paz",
            "America/Los_Angeles",
            "America/Montevideo",
            "America/New_York",
            "America/Noronha",
            "America/Panama",
            "America/Recife",
            "America/Santiago",
            "America/Santo_Domingo",
            "America/Tijuana",
            "America/Toronto",
            "America/Vancouver",
        ],
    ),
    (
        _("Africa"),
        ["Africa/Nairobi", "Africa/Accra", "Africa/Luanda", "Africa/Maputo"],
        [
            "Africa/Addis_Ababa",
            "Africa/Algiers",
            "Africa/Bissau",
            "Africa/Cairo",
            "Africa/Casablanca",
            "Africa/Dakar",
            "Africa/Johannesburg",
            "Africa/Kinshasa",
            "Africa/Lagos",
            "Africa/Sao_Tome",
            "Africa/Tunis",
            "Atlantic/Cape_Verde",
        ],
    ),
    (
        _("Asia"),
        ["Asia/Kolkata", "Asia/Bangkok", "Asia/Tokyo", "Asia/Seoul"],
        [
            "Asia/Dhaka",
            "Asia/Dili",
            "Asia/Dubai",
            "Asia/Hong_Kong",
            "Asia/Jakarta",
            "Asia/Jerusalem",
            "Asia/Karachi",
            "Asia/Kuala_Lumpur",
            "Asia/Macau",
            "Asia/Manila",
            "Asia/Riyadh",
            "Asia/Shanghai",
            "Asia/Singapore",
            "Asia/Taipei",
            "Asia/Tehran",
        ],
    ),
    (
        _("Oceania"),
        ["Australia/Sydney"],
        [
            "Australia/Adelaide",
            "Australia/Brisbane",
            "Australia/Perth",
            "Pacific/Auckland",
            "Pacific/Fiji",
            "Pacific/Honolulu",
        ],
    ),
    (_("Universal time"), ["UTC"], []),
]


@dataclass(frozen=True)
class ZoneGroup:
    label: str | Promise
    zones: list[tuple[str, str]]  # (IANA name, readable label)


def zone_label(name: str, *, now: dt.datetime | None = None) -> str:
    """ "Sao Paulo (UTC−03:00)": the city people know and today's offset."""
    moment = now or dt.datetime.now(tz=dt.UTC)
    offset = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    if name == "UTC":
        return "UTC"
    return f"{city} (UTC{sign}{hours}{f':{rest:02d}' if rest else ''})"


@lru_cache(maxsize=2)
def _labels_at(minute: dt.datetime) -> dict[str, str]:
    """Every offered zone's label at ``minute``. Kept: each label loads its zone's file
    (``ZoneInfo`` keeps only a few zones loaded), which cost about 10 ms per page, and
    offsets change at most on a minute's boundary."""
    return {
        zone: zone_label(zone, now=minute)
        for _, common, others in REGIONS
        for zone in common + others
    }


def grouped_zones(*, current: str = "") -> list[ZoneGroup]:
    """The offered zones by region; ``current`` is added when it is valid but not listed."""
    labels = _labels_at(dt.datetime.now(tz=dt.UTC).replace(second=0, microsecond=0))
    groups = [
        ZoneGroup(label, [(z, labels[z]) for z in common + others])
        for label, common, others in REGIONS
    ]
    listed = {name for group in groups for name, _label in group.zones}
    if current and current not in listed and current in known_timezones():
        groups.insert(0, ZoneGroup(_("Your current choice"), [(current, current)]))
    return groups


def choices(*, current: str = "") -> list[tuple[str | Promise, list[tuple[str, str]]]]:
    """The grouped list as Django form choices (one ``<optgroup>`` per region)."""
    return [(group.label, group.zones) for group in grouped_zones(current=current)]
