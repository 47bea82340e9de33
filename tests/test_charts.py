"""The SVG drawn at build time (site/charts.py): the tile map and the 人口・高齢化率 chart, as
markup a browser gets. Fast: no Sphinx build (the built pages are checked in test_site.py)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import unquote

from handbook_search.model.vocab import PREFECTURES
from handbook_search.site import charts

NS = {"s": charts.SVG_NS}


def case(name: str, prefecture: str = "島根県", population=None, rate=None, when=None):
    meta = SimpleNamespace(
        municipality=name,
        prefecture=prefecture,
        fiscal_year=2024,
        population=population,
        population_as_of=when if population else None,
        aging_rate=rate,
        aging_rate_as_of=when if rate is not None else None,
    )
    return SimpleNamespace(meta=meta, docname=f"corpus/cases/{name}")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # well-formed XML, or this raises


def test_map_has_every_prefecture_and_links_only_those_with_cases():
    pages = [case("出雲市"), case("雲南市"), case("美里町", "熊本県")]
    node = charts.map_figure(pages, "cases.html")
    svg = parse(node["svg"])
    titles = [t.text for t in svg.iterfind(".//s:title", NS)]
    assert len(titles) == len(PREFECTURES) == 47
    links = {a.get("data-prefecture"): a for a in svg.iterfind("s:a", NS)}
    assert set(links) == {"島根県", "熊本県"}
    assert unquote(links["島根県"].get("href")) == "cases.html?prefecture=島根県"
    assert links["島根県"].find("s:title", NS).text == "島根県（2 件）"
    # the busiest prefecture is the darkest; one with fewer cases is lighter; none is level 0
    level = {k: a.find("s:rect", NS).get("class") for k, a in links.items()}
    assert level == {"島根県": "hx-level4", "熊本県": "hx-level2"}
    assert "秋田県（0 件）" in titles
    legend = [t.text for t in svg.iterfind("s:text", NS)]
    assert legend[:1] == ["事例の件数"] and "2 件" in legend and "0 件" in legend


def test_map_size_does_not_grow_with_the_cases():
    one_each = [case(f"町{i}", p) for i, p in enumerate(PREFECTURES)]
    few = charts.map_figure(one_each, "cases.html")["svg"]
    many = [case(f"町{i}", PREFECTURES[i % 47]) for i in range(1000)]
    assert len(charts.map_figure(many, "cases.html")["svg"]) < len(few) + 1_000  # digits only


def test_chart_dots_link_their_case_and_say_each_figures_date():
    pages = [
        case("出雲市", population=172_540, rate=30.34, when=dt.date(2024, 10, 31)),
        case("小さな町", population=3_200, rate=48.5, when="2023-04"),
        case("数値なし町"),
    ]
    node = charts.chart_figure(pages, lambda p: p.docname + ".html")
    svg = parse(node["svg"])
    dots = {a.get("href"): a.find("s:title", NS).text for a in svg.iterfind(".//s:a", NS)}
    assert dots == {
        "corpus/cases/出雲市.html": "出雲市（島根県）令和6年度: 人口 172,540人（2024年10月31日時点）、"
        "高齢化率 30.34%（2024年10月31日時点）",
        "corpus/cases/小さな町.html": "小さな町（島根県）令和6年度: 人口 3,200人（2023年4月時点）、"
        "高齢化率 48.5%（2023年4月時点）",
    }
    assert "2 件（全 3 件中）" in node["caption"]
    assert "2023年4月〜2024年10月31日" in node["caption"]
    # the axes cover both: ticks from 1,000人 to 100万人 (log scale), 高齢化率 up to 50%
    ticks = [t.text for t in svg.iterfind("s:text", NS) if t.get("class") == "hx-tick"]
    assert ticks[0] == "1,000人" and "100万人" in ticks and "50%" in ticks
    # a larger town is further right, an older one higher up
    x = {a.get("href"): float(a.find("s:circle", NS).get("cx")) for a in svg.iterfind(".//s:a", NS)}
    assert x["corpus/cases/出雲市.html"] > x["corpus/cases/小さな町.html"]


def test_no_chart_without_figures():
    assert charts.chart_figure([case("出雲市")], lambda p: "") is None


def test_many_dots_are_one_path_and_the_chart_stays_small():
    many = [
        case(f"町{i}", population=1_000 + 997 * i, rate=20 + i % 30, when="2024")
        for i in range(1000)
    ]
    node = charts.chart_figure(many, lambda p: p.docname + ".html")
    svg = parse(node["svg"])
    assert not list(svg.iterfind(".//s:a", NS))
    assert len(list(svg.iterfind(".//s:path", NS))) == 1
    assert len(node["svg"]) < 25_000  # ~ 20 bytes a case, on one page only
    assert "各事例のページ" in node["caption"]


def test_names_from_a_pull_request_stay_text():
    evil = '<script>alert(1)</script>"町'
    node = charts.chart_figure(
        [case(evil, population=5_000, rate=40.0, when="2024")], lambda p: 'x.html"onclick="a'
    )
    assert "<script>" not in node["svg"] and 'href="x.html&quot;onclick=&quot;a"' in node["svg"]
    svg = parse(node["svg"])
    assert svg.find(".//s:a/s:title", NS).text.startswith(evil)


def test_a_chart_without_dates_still_draws_and_says_no_date():
    """The validator requires the dates; a build with it switched off must not stop."""
    pages = [case("出雲市", population=172_540, rate=30.34)]
    pages[0].meta.population_as_of = pages[0].meta.aging_rate_as_of = None
    node = charts.chart_figure(pages, lambda p: "x.html")
    assert "数値の時点は" not in node["caption"] and parse(node["svg"]) is not None


def test_long_names_are_cut_on_the_chart_and_whole_in_the_title():
    name = "とても長い名前の架空の自治体町"
    node = charts.chart_figure([case(name, population=5_000, rate=40.0, when="2024")], str)
    svg = parse(node["svg"])
    label = svg.find(".//s:text[@class='hx-dot-label']", NS).text
    assert len(label) == charts.LABEL_CHARS and label.endswith("…")
    assert svg.find(".//s:a/s:title", NS).text.startswith(name)
    assert "高齢化率 40%" in svg.find(".//s:a/s:title", NS).text  # no "40.0%"


def test_empty_tiles_are_not_read_aloud():
    svg = parse(charts.map_figure([case("出雲市")], "cases.html")["svg"])
    empty = [g for g in svg.iterfind("s:g", NS) if "hx-empty" in g.get("class", "")]
    assert len(empty) == 46 and all(g.get("aria-hidden") == "true" for g in empty)
