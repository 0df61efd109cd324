"""Server-rendered SVG charts: accessible (role="img", <title>, <desc>) and free of inline style.

Each chart comes with a data table on the page; the SVG is the picture of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

MAX = 4


def _wrap(label: str, width: int = 18) -> list[str]:
    """Break a label into lines of about ``width`` characters; no word is ever dropped."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def radar(
    *,
    chart_id: str,
    title: str,
    description: str,
    axes: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
) -> SafeString:
    """A radar chart; ``series`` are (css class, legend label, values 0–4 per axis)."""
    # Wider than tall: the labels left and right of the circle need room in every language
    # (Portuguese and Spanish names of a dimension run to 45 characters).
    width, height, radius = 760, 540, 170
    centre_x, centre_y = width // 2, height // 2
    count = max(len(axes), 3)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * value / MAX
        return round(centre_x + r * math.cos(angle), 1), round(centre_y + r * math.sin(angle), 1)

    rings = format_html_join(
        "",
        '<polygon class="radar-ring" points="{}"></polygon>',
        (
            (" ".join(f"{x},{y}" for x, y in (point(i, level) for i in range(count))),)
            for level in range(1, MAX + 1)
        ),
    )
    spokes = format_html_join(
        "",
        '<line class="radar-spoke" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
        ((centre_x, centre_y, *point(i, MAX)) for i in range(count)),
    )
    ticks = format_html_join(
        "",
        '<text class="radar-tick" x="{}" y="{}">{}</text>',
        (
            (centre_x + 4, round(centre_y - radius * level / MAX + 4, 1), level)
            for level in range(0, MAX + 1)
        ),
    )
    labels = []
    for index, axis in enumerate(axes):
        x, y = point(index, MAX + 0.55)
        anchor = "middle" if abs(x - centre_x) < 20 else ("start" if x > centre_x else "end")
        lines = _wrap(axis)
        # Labels above the circle grow upwards, those below downwards, the others around y.
        if y < centre_y - radius:
            first_y = y - (len(lines) - 1) * 18
        elif y > centre_y + radius:
            first_y = y
        else:
            first_y = y - (len(lines) - 1) * 9
        tspans = format_html_join(
            "",
            '<tspan x="{}" y="{}">{}</tspan>',
            ((x, round(first_y + n * 18, 1), line) for n, line in enumerate(lines)),
        )
        labels.append(format_html('<text class="radar-label anchor-{}">{}</text>', anchor, tspans))
    shapes = []
    legend = []
    for n, (css, label, values) in enumerate(series):
        pts = " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values)))
        shapes.append(
            format_html('<polygon class="radar-area {}" points="{}"></polygon>', css, pts)
        )
        shapes.append(
            format_html_join(
                "",
                '<circle class="radar-dot {}" cx="{}" cy="{}" r="4"></circle>',
                ((css, *point(i, v)) for i, v in enumerate(values)),
            )
        )
        legend.append(
            format_html(
                '<rect class="radar-key {}" x="16" y="{}" width="18" height="12"></rect>'
                '<text class="radar-legend" x="40" y="{}">{}</text>',
                css,
                16 + n * 22,
                27 + n * 22,
                label,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" class="radar"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}{}{}{}{}{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        rings,
        spokes,
        mark_safe("".join(shapes)),  # noqa: S308 - built from format_html parts above
        ticks,
        mark_safe("".join(labels)),  # noqa: S308 - built from format_html parts above
        mark_safe("".join(legend)),  # noqa: S308 - built from format_html parts above
    )


def line(
    *, chart_id: str, title: str, description: str, points: Sequence[tuple[str, float]]
) -> SafeString:
    """A simple line chart of the overall score (0–4) over successive assessments."""
    width, height, left, top, bottom = 560, 240, 40, 20, 40
    inner_w, inner_h = width - left - 20, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return round(left + index * step, 1), round(top + inner_h * (1 - value / MAX), 1)

    grid = format_html_join(
        "",
        '<line class="line-grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<text class="line-tick" x="{}" y="{}">{}</text>',
        (
            (left, xy(0, v)[1], width - 20, xy(0, v)[1], left - 8, xy(0, v)[1] + 4, v)
            for v in range(MAX + 1)
        ),
    )
    coords = [xy(i, v) for i, (_label, v) in enumerate(points)]
    path = " ".join(f"{x},{y}" for x, y in coords)
    dots = format_html_join(
        "",
        '<circle class="line-dot" cx="{}" cy="{}" r="4"></circle>'
        '<text class="line-label" x="{}" y="{}">{}</text>',
        ((x, y, x, height - 12, label) for (x, y), (label, _v) in zip(coords, points, strict=True)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" class="history-chart"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}<polyline class="line-path" points="{}"></polyline>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        grid,
        path,
        dots,
    )
