"""Server-rendered SVG charts for the statistics page, accessible without JavaScript.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by a
``<desc>`` that states the figures in words; the page puts a data table with the
same figures next to it. Colours come from classes in ``events.css`` (the CSP
allows no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, ROW, LABEL = 560, 32, 200
# Longer labels are shortened in the chart (the <desc> and the table keep them whole),
# so they stay inside the label column at the larger type used on phones.
LABEL_CHARS = 16


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass
class Bar:
    label: str
    value: float


@dataclass
class Range:
    label: str
    low: float
    mean: float
    high: float


def _number(value: float) -> str:
    return f"{value:g}"


def _open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="events-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(bars: list[Bar], *, title: str, chart_id: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per label, each with its value written next to it."""
    height = max(len(bars), 1) * ROW + 10
    top = max((b.value for b in bars), default=0) or 1
    desc = "; ".join(f"{b.label}: {_number(b.value)}{unit}" for b in bars) or _("No data.")
    parts = _open(chart_id, height, title, desc)
    for index, bar in enumerate(bars):
        y = 5 + index * ROW
        length = (WIDTH - LABEL - 70) * bar.value / top
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + 22}" text-anchor="end" class="chart-label">'
            f"<title>{escape(bar.label)}</title>{escape(_short(bar.label))}</text>"
            f'<rect x="{LABEL}" y="{y + 6}" width="{length:.1f}" height="{ROW - 12}" '
            f'class="chart-bar"/>'
            f'<text x="{LABEL + length + 6:.1f}" y="{y + 22}" class="chart-value">'
            f"{escape(_number(bar.value) + unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def range_chart(ranges: list[Range], *, title: str, chart_id: str) -> SafeString:
    """A span from minimum to maximum per label, with a marker at the mean."""
    height = max(len(ranges), 1) * ROW + 10
    top = max((r.high for r in ranges), default=0) or 1
    span = WIDTH - LABEL - 190
    desc = "; ".join(
        _("%(label)s: minimum %(low)s, mean %(mean)s, maximum %(high)s")
        % {
            "label": r.label,
            "low": _number(r.low),
            "mean": _number(r.mean),
            "high": _number(r.high),
        }
        for r in ranges
    ) or _("No data.")
    parts = _open(chart_id, height, title, desc)
    for index, item in enumerate(ranges):
        y = 5 + index * ROW
        x_low = LABEL + span * item.low / top
        x_high = LABEL + span * item.high / top
        x_mean = LABEL + span * item.mean / top
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + 22}" text-anchor="end" class="chart-label">'
            f"<title>{escape(item.label)}</title>{escape(_short(item.label))}</text>"
            f'<rect x="{x_low:.1f}" y="{y + 12}" width="{max(x_high - x_low, 2):.1f}" height="8" '
            f'class="chart-range"/>'
            f'<circle cx="{x_mean:.1f}" cy="{y + 16}" r="6" class="chart-mean"/>'
            f'<text x="{x_high + 10:.1f}" y="{y + 22}" class="chart-value">'
            f"{escape(f'{_number(item.low)}–{_number(item.high)} (Ø {_number(item.mean)})')}"
            "</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
