"""The radar chart shows every word of every dimension's name, inside its picture."""

from __future__ import annotations

import re

from cityexchange.assessments import charts

LONG_NAMES = [
    "Estratégia e governança",
    "Infraestrutura digital e conectividade",
    "Dados e interoperabilidade",
    "Serviços públicos digitais",
    "Competências e organização",
    "Participação e inclusão",
    "Segurança, resiliência e trabalho em rede",
]


def _chart() -> str:
    return str(
        charts.radar(
            chart_id="r",
            title="Maturidade",
            description="Atual e meta",
            axes=LONG_NAMES,
            series=[("series-current", "Atual", [1, 2, 3, 2, 1, 0, 4])],
        )
    )


def test_long_dimension_names_keep_every_word() -> None:
    svg = _chart()
    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]+)</tspan>", svg))
    for name in LONG_NAMES:
        for word in name.split():
            assert word in shown, word


def test_labels_stay_inside_the_picture() -> None:
    svg = _chart()
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert box, svg[:200]
    width, height = map(float, box.groups())
    # About 8.5 units per character at the label's 15px font.
    for anchor, body in re.findall(r'<text class="radar-label anchor-(\w+)">(.*?)</text>', svg):
        for x, y, text in re.findall(r'<tspan x="([\d.]+)" y="([\d.]+)">([^<]+)</tspan>', body):
            extent = len(text) * 8.5
            left = {"start": 0.0, "middle": extent / 2, "end": extent}[anchor]
            assert float(x) - left >= 0, text
            assert float(x) - left + extent <= width, text
            assert 12 <= float(y) <= height, text
