"""SVG drawn at build time from the cases' front matter: the prefecture tile map (事例一覧 and the
home page) and the chart of 人口 and 高齢化率 (事例一覧).

Both are built with xml.etree (every text and attribute escaped, so a municipality name from a
pull request stays text) into an ``svg_figure`` node that the HTML writer emits inside a
<details> box, so that a reader on a phone can fold it. Colours come from classes in
handbook.css (the Content-Security-Policy forbids style attributes). Nothing is fetched and no
script is needed: the map's prefectures are links (``cases.html?prefecture=…``) that
static/handbook-explorer.js turns into in-place filters on 事例一覧.

Both stay the same size whatever the number of cases: the map has 47 tiles; the chart draws one
linked dot per case (with its figures and their as-of dates) up to ``MAX_LINKED_DOTS`` and, above
that, all dots as one path (the case pages and the explorer's table carry the figures).

The map is a tile grid, not a drawn map: no shape data of Japan ships with the pinned packages.
"""

from __future__ import annotations

import html
import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from docutils import nodes

from handbook_search.model.schema import as_of, date_label, percent
from handbook_search.model.vocab import PREFECTURES, case_label

if TYPE_CHECKING:
    from handbook_search.model.page import Page

SVG_NS = "http://www.w3.org/2000/svg"

# (column, row) of each prefecture on the tile map, roughly where it lies.
TILES: dict[str, tuple[int, int]] = {
    "北海道": (12, 0), "青森県": (12, 1), "秋田県": (11, 2), "岩手県": (12, 2),
    "山形県": (11, 3), "宮城県": (12, 3), "石川県": (9, 4), "富山県": (10, 4),
    "新潟県": (11, 4), "福島県": (12, 4), "島根県": (3, 5), "鳥取県": (4, 5),
    "兵庫県": (5, 5), "京都府": (6, 5), "滋賀県": (7, 5), "福井県": (8, 5),
    "岐阜県": (9, 5), "長野県": (10, 5), "群馬県": (11, 5), "栃木県": (12, 5),
    "山口県": (2, 6), "広島県": (3, 6), "岡山県": (4, 6), "大阪府": (6, 6),
    "奈良県": (7, 6), "三重県": (8, 6), "愛知県": (9, 6), "山梨県": (10, 6),
    "埼玉県": (11, 6), "茨城県": (12, 6), "長崎県": (0, 7), "佐賀県": (1, 7),
    "福岡県": (2, 7), "愛媛県": (3, 7), "香川県": (4, 7), "和歌山県": (6, 7),
    "静岡県": (9, 7), "神奈川県": (10, 7), "東京都": (11, 7), "千葉県": (12, 7),
    "熊本県": (1, 8), "大分県": (2, 8), "高知県": (3, 8), "徳島県": (4, 8),
    "鹿児島県": (1, 9), "宮崎県": (2, 9), "沖縄県": (0, 10),
}  # fmt: skip
assert set(TILES) == set(PREFECTURES) and len(set(TILES.values())) == len(TILES)
TILE, GAP = 44, 4  # a tile's side and the gap between tiles, in SVG units
LEVELS = 4  # colour steps for prefectures with cases

MAX_LINKED_DOTS = 150  # above this the chart's dots are one path (the page must not grow)
LABELLED_DOTS = 12  # up to this many dots carry the municipality's name
LABEL_CHARS = 8  # a longer name is cut on the chart (its <title> has it whole)


class svg_figure(nodes.General, nodes.Element):  # noqa: N801 (docutils' naming)
    """An SVG made by this module (``svg``: markup), in a <details> box with a ``summary``
    and an optional ``caption`` (text) under the drawing."""


def visit_svg_figure(self, node: svg_figure) -> None:
    opened = " open" if node.get("open") else ""
    classes = html.escape(" ".join(["handbook-figure", *node["classes"]]))
    self.body.append(
        f'<details class="{classes}"{opened}><summary>{html.escape(node["summary"])}</summary>\n'
        f'<div class="handbook-figure-body">{node["svg"]}</div>\n'
    )
    if node.get("caption"):
        note = node.get("phone_note")
        note = f'<span class="handbook-phone-only">{html.escape(note)}</span>' if note else ""
        caption = html.escape(node["caption"])
        self.body.append(f'<p class="handbook-figure-caption">{caption}{note}</p>\n')
    self.body.append("</details>\n")
    raise nodes.SkipNode


def skip_svg_figure(self, node: svg_figure) -> None:
    raise nodes.SkipNode


def _svg(width: float, height: float, label: str, classes: str) -> ET.Element:
    return ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"-2 -2 {width + 4:g} {height + 4:g}",  # room for a focus outline
            "class": classes,
            "role": "group",
            "aria-label": label,
        },
    )


def _text(parent: ET.Element, x: float, y: float, text: str, cls: str, **attrs: str) -> None:
    el = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", "class": cls, **attrs})
    el.text = text


def _markup(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


# -- the tile map ------------------------------------------------------------------------
def level(count: int, most: int) -> int:
    """Colour step of a tile: 0 for no case, then 1–LEVELS by share of the busiest prefecture
    (the busiest is always the darkest).

    >>> [level(n, 10) for n in (0, 1, 3, 4, 6, 10)]
    [0, 1, 2, 2, 3, 4]
    >>> [level(n, 1) for n in (0, 1)]
    [0, 4]
    """
    if count == 0:
        return 0
    return max(1, math.ceil(count * LEVELS / max(most, 1)))


def legend_ranges(most: int) -> list[tuple[int, int, int]]:
    """(level, first, last) count of each colour step that some count up to `most` reaches.

    >>> legend_ranges(1)
    [(4, 1, 1)]
    >>> legend_ranges(10)
    [(1, 1, 2), (2, 3, 5), (3, 6, 7), (4, 8, 10)]
    """
    out: list[tuple[int, int, int]] = []
    for n in range(1, most + 1):
        lv = level(n, most)
        if out and out[-1][0] == lv:
            out[-1] = (lv, out[-1][1], n)
        else:
            out.append((lv, n, n))
    return out


def _short(name: str) -> str:
    return name if name == "北海道" else name[:-1]


def map_svg(counts: dict[str, int], href: Callable[[str], str]) -> str:
    """The 47 prefectures as tiles coloured by number of cases; each with a case is a link."""
    most = max(counts.values(), default=0)
    cols = 1 + max(x for x, _ in TILES.values())
    rows = 1 + max(y for _, y in TILES.values())
    step = TILE + GAP
    svg = _svg(cols * step - GAP, rows * step - GAP, "都道府県別の事例の件数", "handbook-map-svg")
    for name in PREFECTURES:
        x, y = TILES[name]
        n = counts.get(name, 0)
        if n:
            group = ET.SubElement(
                svg,
                "a",
                {"href": href(name), "class": "hx-tile", "data-prefecture": name},
            )
        else:
            # no case: part of the picture, not read aloud 44 times
            group = ET.SubElement(svg, "g", {"class": "hx-tile hx-empty", "aria-hidden": "true"})
        ET.SubElement(group, "title").text = f"{name}（{n} 件）"
        ET.SubElement(
            group,
            "rect",
            {
                "x": str(x * step),
                "y": str(y * step),
                "width": str(TILE),
                "height": str(TILE),
                "rx": "4",
                "class": f"hx-level{level(n, most)}",
            },
        )
        cx = x * step + TILE / 2
        short = _short(name)
        fit = {"textLength": str(TILE - 6), "lengthAdjust": "spacingAndGlyphs"}
        _text(group, cx, y * step + (19 if n else 27), short, "hx-tile-name",
              **(fit if len(short) > 2 else {}))  # fmt: skip
        if n:
            _text(group, cx, y * step + 36, str(n), "hx-tile-count")
    # the legend, in the empty north-west corner (rows 0–3 are free up to column 10)
    _text(svg, 0, 14, "事例の件数", "hx-legend-title")
    entries = [(0, "0 件")] + [
        (lv, f"{a} 件" if a == b else f"{a}〜{b} 件") for lv, a, b in legend_ranges(most)
    ]
    for i, (lv, label) in enumerate(entries):
        ex = i * 92
        box = {"x": str(ex), "y": "24", "width": "16", "height": "16", "rx": "3"}
        ET.SubElement(svg, "rect", {**box, "class": f"hx-level{lv}"})
        _text(svg, ex + 21, 37, label, "hx-legend")
    return _markup(svg)


def map_figure(pages: Iterable[Page], explorer_uri: str, open_: bool = True) -> svg_figure:
    """The map as a node: each prefecture with cases links to ``explorer_uri?prefecture=…``."""
    counts = Counter(p.meta.prefecture for p in pages)
    svg = map_svg(counts, lambda name: f"{explorer_uri}?prefecture={quote(name)}")
    return svg_figure(
        "",
        svg=svg,
        summary="地図から選ぶ（都道府県別の事例の件数）",
        caption="都道府県を押すと、その都道府県の事例だけを表示します。配置はおおよその位置です。",
        phone_note="地図は横にスクロールできます。",
        open=open_,
        classes=["handbook-map"],
    )


# -- the chart of 人口 and 高齢化率 --------------------------------------------------------------
@dataclass(frozen=True)
class Axis:
    """A linear or log10 scale from the data's [low, high] onto [start, end] SVG units."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        f = math.log10 if self.log else float
        share = (f(value) - f(self.low)) / (f(self.high) - f(self.low))
        return round(self.start + share * (self.end - self.start), 1)


def population_axis(values: list[int]) -> tuple[float, float, list[int]]:
    """Whole decades around the populations, and ticks at 1, 2 and 5 of each decade.

    >>> population_axis([172_540])
    (100000, 1000000, [100000, 200000, 500000, 1000000])
    >>> population_axis([3_000, 45_000])[:2]
    (1000, 100000)
    >>> population_axis([1, 3_000_000])[2]
    [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000]
    """
    low = 10 ** math.floor(math.log10(min(values)))
    high = 10 ** math.ceil(math.log10(max(values)))
    if high <= low:
        high = low * 10
    decades = range(round(math.log10(low)), round(math.log10(high)) + 1)
    steps = (1, 2, 5) if len(decades) <= 4 else (1,)  # wide ranges: one tick a decade
    ticks = [m * 10**k for k in decades for m in steps if low <= m * 10**k <= high]
    return low, high, ticks


def rate_axis(values: list[float]) -> tuple[float, float, list[float]]:
    """Multiples of 5 (10 when wide) around the rates, at least 10 points wide.

    >>> rate_axis([30.34])
    (25, 35, [25, 30, 35])
    """
    low = max(0, math.floor((min(values) - 2) / 5) * 5)
    high = min(100, math.ceil((max(values) + 2) / 5) * 5)
    step = 10 if high - low > 40 else 5
    return low, high, list(range(int(low), int(high) + 1, step))


def people(n: int) -> str:
    """A population as an axis label.

    >>> [people(n) for n in (1_000, 10_000, 200_000, 1_000_000, 100_000_000)]
    ['1,000人', '1万人', '20万人', '100万人', '1億人']
    """
    if n >= 100_000_000 and n % 100_000_000 == 0:
        return f"{n // 100_000_000}億人"
    return f"{n // 10_000}万人" if n >= 10_000 and n % 10_000 == 0 else f"{n:,}人"


def figure_title(page: Page) -> str:
    """What a dot says about its case: the figures and the date each is as of."""
    m = page.meta
    return (
        f"{case_label(m.municipality, m.prefecture, m.fiscal_year)}: 人口 {m.population:,}人"
        f"{as_of(m.population_as_of)}、高齢化率 {percent(m.aging_rate)}{as_of(m.aging_rate_as_of)}"
    )


def chart_svg(plotted: list[Page], href: Callable[[Page], str]) -> str:
    """人口 (log scale, x) against 高齢化率 (y) of `plotted`: cases that give both figures."""
    width, height = 640, 340
    left, right, top, bottom = 64, 36, 16, 52
    pop_low, pop_high, pop_ticks = population_axis([p.meta.population for p in plotted])
    rate_low, rate_high, rate_ticks = rate_axis([p.meta.aging_rate for p in plotted])
    x = Axis(pop_low, pop_high, left, width - right, log=True)
    y = Axis(rate_low, rate_high, height - bottom, top)
    svg = _svg(width, height, "事例の人口と高齢化率", "handbook-chart-svg")
    grid = ET.SubElement(svg, "g", {"class": "hx-grid"})
    for t in pop_ticks:
        ET.SubElement(grid, "line", {"x1": f"{x(t):g}", "x2": f"{x(t):g}",
                                      "y1": str(top), "y2": str(height - bottom)})  # fmt: skip
        _text(svg, x(t), height - bottom + 18, people(t), "hx-tick", **{"text-anchor": "middle"})
    for t in rate_ticks:
        ET.SubElement(grid, "line", {"x1": str(left), "x2": str(width - right),
                                      "y1": f"{y(t):g}", "y2": f"{y(t):g}"})  # fmt: skip
        _text(svg, left - 8, y(t) + 4, f"{t:g}%", "hx-tick", **{"text-anchor": "end"})
    _text(svg, (left + width - right) / 2, height - 8, "人口（対数目盛）", "hx-axis-title",
          **{"text-anchor": "middle"})  # fmt: skip
    _text(svg, 14, (top + height - bottom) / 2, "高齢化率", "hx-axis-title",
          **{"text-anchor": "middle", "transform": f"rotate(-90 14 {(top + height - bottom) / 2:g})"})  # fmt: skip
    dots = ET.SubElement(svg, "g", {"class": "hx-dots"})
    if len(plotted) > MAX_LINKED_DOTS:
        path = "".join(f"M{x(p.meta.population):g} {y(p.meta.aging_rate):g}h0" for p in plotted)
        ET.SubElement(dots, "path", {"d": path, "class": "hx-dot-path"})
        return _markup(svg)
    for p in plotted:
        cx, cy = x(p.meta.population), y(p.meta.aging_rate)
        # data-url: the explorer's script dims the dots of cases its filters leave out
        link = ET.SubElement(dots, "a", {"href": href(p), "data-url": getattr(p, "url", "")})
        ET.SubElement(link, "title").text = figure_title(p)
        ET.SubElement(
            link, "circle", {"cx": f"{cx:g}", "cy": f"{cy:g}", "r": "14", "class": "hx-hit"}
        )  # a finger-sized target
        ET.SubElement(link, "circle", {"cx": f"{cx:g}", "cy": f"{cy:g}", "r": "6",
                                        "class": "hx-dot"})  # fmt: skip
        if len(plotted) <= LABELLED_DOTS:
            anchor = "end" if cx > width - right - 90 else "start"
            dx = -10 if anchor == "end" else 10
            name = p.meta.municipality
            name = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
            _text(link, cx + dx, cy + 4, name, "hx-dot-label",
                  **{"text-anchor": anchor})  # fmt: skip
    return _markup(svg)


def chart_figure(cases: list[Page], href: Callable[[Page], str]) -> svg_figure | None:
    """The chart as a node (None when no case gives both figures), closed by default."""
    plotted = [p for p in cases if p.meta.population and p.meta.aging_rate is not None]
    if not plotted:
        return None
    dates = sorted(
        {d for p in plotted for d in (p.meta.population_as_of, p.meta.aging_rate_as_of) if d},
        key=str,  # dates and "YYYY-MM" texts sort together as ISO text
    )
    span = ""
    if dates:  # the validator requires them; a build without it still draws the chart
        span = date_label(dates[0])
        if str(dates[-1]) != str(dates[0]):
            span += f"〜{date_label(dates[-1])}"
        span = f"数値の時点は {span}。"
    if len(plotted) > MAX_LINKED_DOTS:
        how = "個々の数値と時点は、下の一覧と各事例のページにあります。"
    else:
        how = (
            "点を押すと事例のページを開きます（パソコンでは点に重ねると数値と時点を表示）。"
            "条件で絞り込むと、合わない事例の点は薄くなります。数値と時点は下の一覧にもあります。"
        )
    caption = (
        f"出典の資料に人口と高齢化率が載っている {len(plotted)} 件（全 {len(cases)} 件中）。"
        f"{span}{how}"
    )
    return svg_figure(
        "",
        svg=chart_svg(plotted, href),
        summary=f"人口と高齢化率のグラフ（数値のある {len(plotted)} 件）",
        caption=caption,
        phone_note="グラフは横にスクロールできます。",
        open=False,
        classes=["handbook-chart"],
    )
