"""The Sphinx site: builds with -W, and everything generated from metadata shows up."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site, copy_project
from handbook_search.model.corpus import load_corpus

pytestmark = pytest.mark.slow


def soup(path: Path) -> BeautifulSoup:
    """The page as a reader's text has it: a <wbr> (a place a line may end) is no character."""
    page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for wbr in page.find_all("wbr"):
        wbr.decompose()
    page.smooth()
    return page


def article(page: BeautifulSoup):
    return page.find("article") or page


def links_from(html: Path) -> set[str]:
    """Site-relative targets of every link in the page's main content."""
    base = html.parent
    out = set()
    for a in article(soup(html)).find_all("a", href=True):
        href = a["href"].split("#")[0]
        if href and "://" not in href:
            out.add((base / unquote(href)).resolve().as_posix())
    return out


def test_root_forwards_to_home(built_site):
    assert "url=docs/index.html" in (built_site / "index.html").read_text(encoding="utf-8")


def test_home_links_every_theme_the_newest_cases_and_the_case_list(built_site):
    corpus = load_corpus(ROOT / "corpus")
    targets = links_from(built_site / "docs" / "index.html")
    newest = corpus.cases()[:5]
    for page in corpus.by_kind("theme") + newest:
        assert (built_site / page.url).resolve().as_posix() in targets, page.title
    assert (built_site / "docs/cases.html").resolve().as_posix() in targets
    shown = {p.url for p in corpus.cases()} & {
        Path(t).relative_to(built_site.resolve()).as_posix() for t in targets
    }
    assert len(shown) == len(newest)  # not every case: the home page does not grow with them


def sidebar_links(html: Path) -> set[str]:
    tree = soup(html).select_one(".sidebar-tree")
    hrefs = [a["href"].split("#")[0] for a in tree.select("a")]
    return {
        (html.parent / unquote(h)).resolve().as_posix() if h else html.resolve().as_posix()
        for h in hrefs
    }


def test_sidebar_lists_no_case_but_the_case_list(built_site):
    corpus = load_corpus(ROOT / "corpus")
    cases = {(built_site / p.url).resolve().as_posix() for p in corpus.cases()}
    for page in ("docs/index.html", corpus.cases()[0].url, "docs/cases.html"):
        links = sidebar_links(built_site / page)
        assert not links & cases, page
        assert (built_site / "docs/cases.html").resolve().as_posix() in links


DEVELOPER_PAGES = ("writing", "site-search", "architecture", "readers", "evaluation", "benchmarks")


def test_the_readers_navigation_holds_reader_pages_and_one_link_to_the_developers(built_site):
    """Sidebar: themes, cases, guides, glossary, 検索の使い方, PDF, 事例の投稿方法; the pages about
    building the project are reached from one footer link (開発者向けの資料), not the sidebar."""
    corpus = load_corpus(ROOT / "corpus")
    developer = {(built_site / f"docs/{d}.html").resolve().as_posix() for d in DEVELOPER_PAGES}
    for page in ("docs/index.html", corpus.cases()[0].url, "docs/guide-search.html"):
        links = sidebar_links(built_site / page)
        assert not links & developer, page
        for reader in ("guide-search", "pdf", "contributing", "cases"):
            assert (built_site / f"docs/{reader}.html").resolve().as_posix() in links, page
        footer = soup(built_site / page).select(".handbook-developers a")
        assert len(footer) == 1 and footer[0].get_text() == "開発者向けの資料"
        target = (built_site / page).parent / footer[0]["href"]
        assert target.resolve() == (built_site / "docs/developers.html").resolve()
    hub = soup(built_site / "docs/developers.html")
    listed = {a["href"].split("#")[0] for a in hub.select("article a.reference.internal")}
    assert {f"{d}.html" for d in DEVELOPER_PAGES} <= listed
    home = soup(built_site / "docs/index.html").select_one("article").get_text()
    assert "handbook-search" not in home  # the terminal command lives in 検索の使い方 and README


def test_a_theme_without_cases_invites_one(built_site):
    corpus = load_corpus(ROOT / "corpus")
    for theme in corpus.by_kind("theme"):
        found = soup(built_site / theme.url).select(".handbook-no-cases")
        if corpus.cases(theme=theme.meta.theme):
            assert not found, theme.url
            continue
        assert found[0].get_text() == "このテーマの事例はまだありません。事例を提案する"
        link = found[0].select_one("a")["href"]
        assert ((built_site / theme.url).parent / link).resolve() == (
            built_site / "docs/contributing.html"
        ).resolve()


def test_case_box_is_generated_from_front_matter(built_site):
    box = soup(built_site / "corpus/cases/shimane-izumo-2024.html").select_one(".handbook-case-box")
    assert box is not None
    text = box.get_text(" ", strip=True)
    for expected in (
        "出雲市",
        "島根県",
        "中国四国厚生局",
        "令和6年度（2024年度）",
        "7 生活支援体制整備",
    ):
        assert expected in text
    assert any(a["href"].endswith("themes/07-life-support-system.html") for a in box.find_all("a"))


def test_figures_show_their_date_in_the_case_box_and_the_chart(built_site):
    from handbook_search.model.schema import as_of, percent

    cases = load_corpus(ROOT / "corpus").cases()
    chart = soup(built_site / "docs/cases.html").select_one("details.handbook-chart svg")
    with_figures = [p for p in cases if p.meta.population and p.meta.aging_rate is not None]
    assert (chart is not None) == bool(with_figures)
    for p in cases:
        box = soup(built_site / (p.docname + ".html")).select_one(".handbook-case-box").get_text()
        if p.meta.population:
            assert f"{p.meta.population:,}人{as_of(p.meta.population_as_of)}" in box
        if p.meta.aging_rate is not None:
            assert f"{percent(p.meta.aging_rate)}{as_of(p.meta.aging_rate_as_of)}" in box
    dots = {
        (built_site / "docs" / unquote(a["href"])).resolve(): a.title.get_text()
        for a in (chart.select("a") if chart else [])
    }
    assert dots.keys() == {(built_site / (p.docname + ".html")).resolve() for p in with_figures}
    for p in with_figures:
        title = dots[(built_site / (p.docname + ".html")).resolve()]
        assert as_of(p.meta.population_as_of) in title and percent(p.meta.aging_rate) in title


def test_home_and_case_list_maps_count_the_cases_of_each_prefecture(built_site):
    cases = load_corpus(ROOT / "corpus").cases()
    for page in ("docs/index.html", "docs/cases.html"):
        tiles = soup(built_site / page).select(".handbook-map svg a[data-prefecture]")
        shown = {a["data-prefecture"]: a.title.get_text() for a in tiles}
        expected = {p.meta.prefecture for p in cases}
        assert shown.keys() == expected
        for prefecture in expected:
            n = sum(p.meta.prefecture == prefecture for p in cases)
            assert shown[prefecture] == f"{prefecture}（{n} 件）"
        for a in tiles:  # each opens 事例一覧 filtered
            target = (built_site / page).parent / unquote(a["href"]).split("?")[0]
            assert target.resolve() == (built_site / "docs/cases.html").resolve()
            assert unquote(a["href"]).endswith("?prefecture=" + a["data-prefecture"])


def case_list_pages(site: Path) -> list[Path]:
    """The year pages linked from the case list, in its order (newest first)."""
    table = soup(site / "docs/cases.html").select_one("table.handbook-case-list")
    return [site / "docs" / unquote(a["href"]) for a in table.select("tbody tr td:first-child a")]


def test_case_list_reaches_every_case_by_year_and_prefecture(built_site):
    cases = load_corpus(ROOT / "corpus").cases()
    years = sorted({p.meta.fiscal_year for p in cases}, reverse=True)
    pages = case_list_pages(built_site)
    assert [p.stem for p in pages] == [str(y) for y in years]  # newest first
    reached = set()
    for page in pages:
        html = soup(page)
        headings = [h.get_text() for h in html.select("section h2")]
        for case in (c for c in cases if str(c.meta.fiscal_year) == page.stem):
            assert any(h.startswith(case.meta.prefecture) for h in headings)
        reached |= links_from(page)
    for case in cases:
        assert (built_site / case.url).resolve().as_posix() in reached, case.title


def check_theme_listings(site: Path, corpus_root: Path, shown: int) -> int:
    """Each theme page lists the newest `shown` cases of its theme and links 事例一覧 filtered
    by the theme, with the theme's count; returns how many listings were cut short."""
    corpus, cut = load_corpus(corpus_root), 0
    for theme in corpus.by_kind("theme"):
        html = soup(site / theme.url)
        tagged = corpus.cases(theme=theme.meta.theme)
        if not tagged:
            assert "このテーマの事例はまだありません。" in html.get_text()
            continue
        listing = html.select_one(".handbook-theme-cases")
        listed = [a["href"].split("#")[0].rsplit("/", 1)[-1] for a in listing.find_all("a")]
        assert listed == [Path(case.url).name for case in tagged[:shown]], theme.title
        more = [a for a in article(html).find_all("a") if "すべて見る" in a.get_text()]
        assert [a.get_text() for a in more] == [f"このテーマの事例をすべて見る（{len(tagged)} 件）"]
        target, _, query = more[0]["href"].partition("?")
        assert query == f"theme={theme.meta.theme}"
        # the explorer's page; without JavaScript it shows the list by 年度
        explorer = soup((site / theme.url).parent / target)
        assert explorer.select_one("table.handbook-case-list") is not None
        cut += len(tagged) > shown
    return cut


def test_theme_pages_list_their_cases(built_site):
    from handbook_search.site.sphinxext import THEME_CASES

    check_theme_listings(built_site, ROOT / "corpus", THEME_CASES)


def test_section_anchors_of_the_model_are_ids_in_the_html(built_site):
    for page in load_corpus(ROOT / "corpus").pages:
        html = (built_site / page.url).read_text(encoding="utf-8")
        for section in page.sections:
            if section.anchor:
                assert f'id="{section.anchor}"' in html, (page.relpath, section.anchor)


def test_adding_a_case_file_updates_every_listing(tmp_path):
    src = copy_project(tmp_path / "src")
    case = (ROOT / "tests/fixtures/mini/cases/shimane-kakuu-2024.md").read_text(encoding="utf-8")
    case = case.replace(
        "themes: [7]", "themes: [8]\npopulation: 3210\npopulation_as_of: 2025-03"
    ).replace("../themes/07-life-support-system.md", "../themes/08-dementia.md")
    case = case.replace(
        "population_as_of: 2025-03",
        "population_as_of: 2025-03\naging_rate: 41.5\naging_rate_as_of: 2025-03",
    )
    (src / "corpus/cases/shimane-kakuu-2024.md").write_text(case, encoding="utf-8")
    out = tmp_path / "html"
    # with a cap of 1 case a theme page (one build for both checks): every theme with more
    # cases than that lists one and links the rest
    result = build_site(src, out, "-D", "handbook_theme_cases=1")
    assert result.returncode == 0, result.stderr
    corpus = load_corpus(src / "corpus")
    themes = {t.meta.theme for t in corpus.by_kind("theme")}
    expected = sum(len(corpus.cases(theme=n)) > 1 for n in themes)
    assert expected > 0  # real cases share themes (7, 4): the cap is exercised
    assert check_theme_listings(out, src / "corpus", 1) == expected

    page = out / "corpus/cases/shimane-kakuu-2024.html"
    assert "令和6年度（2024年度）" in soup(page).select_one(".handbook-case-box").get_text()
    # the home page lists the newest cases, this one whenever it is among them (in a grown
    # corpus newer years may come first)
    home = out / "docs/index.html"
    shown = len(soup(home).select(".handbook-recent-cases li"))
    newest = {(out / f"{c.docname}.html").resolve().as_posix() for c in corpus.cases()[:shown]}
    assert shown and newest <= links_from(home)
    if corpus.cases()[0].meta.fiscal_year == 2024:  # the real corpus: 令和6年度 is the newest
        assert page.resolve().as_posix() in links_from(home)
    same = [c for c in load_corpus(src / "corpus").cases() if c.meta.fiscal_year == 2024]
    counted = f"島根県 {sum(c.meta.prefecture == '島根県' for c in same)}"
    assert (
        counted in soup(out / "docs/cases.html").select_one("table.handbook-case-list").get_text()
    )
    assert page.resolve().as_posix() in links_from(out / "docs/cases/2024.html")
    theme8 = soup(out / "corpus/themes/08-dementia.html").select_one(".handbook-theme-cases")
    assert theme8 is not None
    if len(corpus.cases(theme=8)) == 1:  # past the cap of 1, newer cases of theme 8 come first
        assert "架空町" in theme8.get_text()
    # the map counts it, the chart plots it with the date of its figures
    cases_page = soup(out / "docs/cases.html")
    shimane = sum(c.meta.prefecture == "島根県" for c in load_corpus(src / "corpus").cases())
    tile = cases_page.select_one(".handbook-map a[data-prefecture='島根県'] title")
    assert tile.get_text() == f"島根県（{shimane} 件）"
    dot = cases_page.select(".handbook-chart a[data-url='corpus/cases/shimane-kakuu-2024.html']")
    assert dot and "人口 3,210人（2025年3月時点）" in dot[0].title.get_text()


def test_a_corpus_problem_fails_the_build(tmp_path):
    src = copy_project(tmp_path / "src")
    page = src / "corpus/themes/07-life-support-system.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("theme: 7", "theme: 70"), encoding="utf-8"
    )
    result = build_site(src, tmp_path / "html")
    assert result.returncode != 0
    assert "theme は 1〜10 のテーマ番号（整数）で指定してください: 70" in result.stderr


def test_glossary_shows_the_dictionary(built_site):
    table = soup(built_site / "corpus" / "glossary.html").select_one(".handbook-spelling-table")
    assert "たすけあい団体" in table.get_text() and "高齢者あんしん支援センター" in table.get_text()


def test_general_background_is_set_apart(built_site):
    # docs/writing.md: what the sources do not say sits in a labelled 「一般的な解説」 block
    page = soup(built_site / "corpus" / "themes" / "05-mobility-support.html")
    box = page.select_one(".general.admonition")
    assert box is not None and "一般的な解説" in box.get_text()
    css = (built_site / "_static" / "handbook.css").read_text(encoding="utf-8")
    assert ".admonition.general" in css


def test_line_breaks_inside_japanese_paragraphs_are_no_spaces():
    """Browsers but Firefox show a space for a line break between Japanese characters."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    from handbook_search.site.linebreaks import join_lines

    source = "替えられます。\n絞り込んだ状態は **URL**\nに入ります。\nsite and\nsearch、`a\nb`\n"
    doctree = publish_doctree(source, parser=Parser(), settings_overrides={"report_level": 5})
    join_lines(None, doctree)
    para = next(iter(doctree.findall(nodes.paragraph)))
    assert (
        para.astext() == "替えられます。絞り込んだ状態は URL\nに入ります。\nsite and\nsearch、a b"
    )
    assert para[0] == "替えられます。絞り込んだ状態は "  # one node: no space where nodes join


def test_the_explorers_summaries_end_at_a_sentence_or_phrase():
    """事例一覧's 概要: a long summary is cut after a whole sentence or a whole phrase (BudouX)
    with 「…」, never inside a word; a short one is the whole text. Checked on the corpus and on
    generated long summaries (the corpus's own sentences joined)."""
    from itertools import accumulate

    from handbook_search.site.explorer import SUMMARY_CHARS, explorer_data
    from handbook_search.site.phrases import ELLIPSIS, phrases, shorten

    corpus = load_corpus(ROOT / "corpus")
    summaries = {p.url: p.meta.summary or "" for p in corpus.cases()}
    joined = "".join(summaries.values())
    cases = explorer_data(corpus)["cases"]
    summaries["long"] = joined
    cases.append({"url": "long", "summary": shorten(joined, SUMMARY_CHARS)})
    for case in cases:
        full, shown = summaries[case["url"]], case["summary"]
        assert len(shown) <= SUMMARY_CHARS
        if len(full) <= SUMMARY_CHARS:
            assert shown == full
            continue
        kept = shown.removesuffix(ELLIPSIS)
        assert shown.endswith(ELLIPSIS) and full.startswith(kept) and kept
        ends = {len(t) for t in accumulate(phrases(full))}
        assert kept[-1] in "。！？" or len(kept) in ends, shown


def one_year_of_cases(corpus: Path, year: int, count: int) -> list[str]:
    """`count` small valid cases of one 年度 (from the mini fixture), with the longest
    municipality names the schema allows and a long summary, spread over several 都道府県:
    the worst case a part of a year page holds. Returns their municipality names."""
    from handbook_search.model.schema import MAX_NAME
    from handbook_search.model.vocab import BUREAU_OF_PREFECTURE, PREFECTURE_ROMAJI

    template = (ROOT / "tests/fixtures/mini/cases/shimane-kakuu-2024.md").read_text(
        encoding="utf-8"
    )
    prefectures = list(BUREAU_OF_PREFECTURE)
    summary = "住民と担当者が一緒に地域の集まりを見直し、担い手を増やした取組です。" * 4
    names = []
    for i in range(count):
        pref = prefectures[i % 7 * 6]  # a few 都道府県 from north to south
        name = (f"試験{i:04d}" + "架" * MAX_NAME)[: MAX_NAME - 1] + "町"
        text = (
            template.replace("架空町", name)
            .replace("島根県", pref)
            .replace("中国四国厚生局", BUREAU_OF_PREFECTURE[pref])
            .replace("令和6年度", f"{year}年度")
            .replace("fiscal_year: 2024", f"fiscal_year: {year}")
            .replace("themes: [7]", "themes: [4, 7, 10]")
            .replace("テスト用の架空の事例", summary)
        )
        path = corpus / "cases" / f"{PREFECTURE_ROMAJI[pref]}-busy{i:04d}-{year}.md"
        path.write_text(text, encoding="utf-8")
        names.append(name)
    return names


def year_parts_from(site: Path, first: Path) -> list[Path]:
    """A year page's parts, followed by their 次のページ links (rel="next") from the first."""
    parts = [first]
    while (link := article(soup(parts[-1])).select_one("a[rel=next]")) is not None:
        parts.append((parts[-1].parent / unquote(link["href"])).resolve())
        assert parts[-1] not in parts[:-1]  # no loop
    return parts


@pytest.fixture(scope="module")
def busy_year(tmp_path_factory):
    """The site with a 年度 of more cases than one year page holds (two full parts and one
    case more), each with the longest name the schema allows: (source, site, year, count)."""
    from handbook_search.site.sphinxext import YEAR_PAGE_CASES

    tmp_path = tmp_path_factory.mktemp("busy-year")
    src = copy_project(tmp_path / "src")
    year = max(p.meta.fiscal_year for p in load_corpus(src / "corpus").cases()) + 1
    count = 2 * YEAR_PAGE_CASES + 1
    one_year_of_cases(src / "corpus", year, count)
    out = tmp_path / "html"
    result = build_site(src, out, "-D", "handbook_site_search=0")
    assert result.returncode == 0, result.stderr
    return src, out, year, count


def test_a_year_with_many_cases_is_split_into_linked_pages(busy_year):
    """No page grows with the corpus (docs/benchmarks.md): a 年度 with more cases than one
    part holds is split into parts of the same size; the largest page stays under 80 KB,
    the parts link each other, and every case is reached from 事例一覧 without JavaScript."""
    from handbook_search.site.sphinxext import YEAR_PAGE_CASES, year_part_page

    src, out, year, count = busy_year

    largest = max(out.rglob("*.html"), key=lambda p: p.stat().st_size)
    assert largest.stat().st_size <= 80_000, largest

    corpus = load_corpus(src / "corpus")
    first = next(p for p in case_list_pages(out) if p.stem == str(year))
    parts = year_parts_from(out, first.resolve())
    expected = [(out / f"{year_part_page(year, k)}.html").resolve() for k in (1, 2, 3)]
    assert parts == expected  # part 1 keeps the year's URL, then <year>-2, <year>-3
    for k, part in enumerate(parts):
        html = article(soup(part))
        prev = html.select_one("a[rel=prev]")
        if k == 0:
            assert prev is None
        else:
            assert (part.parent / unquote(prev["href"])).resolve() == parts[k - 1]
        # each part names all parts of the year, by the cases they list
        listed = html.select_one(".handbook-year-parts").get_text()
        for j in range(3):
            first_case = j * YEAR_PAGE_CASES + 1
            assert f"{first_case}〜" in listed or f"{first_case}件目" in listed
        assert len(html.select("ul.handbook-year-cases > li")) == min(
            YEAR_PAGE_CASES, count - k * YEAR_PAGE_CASES
        )

    # every case, from 事例一覧 (its list by 年度, then the parts' links): no JavaScript
    reached = set()
    for page in case_list_pages(out):
        for part in year_parts_from(out, page.resolve()):
            reached |= links_from(part)
    for case in corpus.cases():
        assert (out / case.url).resolve().as_posix() in reached, case.title


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_the_explorer_fits_cases_with_the_longest_names(busy_year, browser, width):
    """事例一覧 with many cases whose names are as long as the schema allows: the table still
    fits the content width (no sideways scroll) and every 概要 reads 20 characters a line."""
    from handbook_search.lab.browser import serve
    from test_readers import _SUMMARY_FIT, _shown_cases

    _, out, _, count = busy_year
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 800},
    )
    try:
        with serve(out) as url:
            browser.get(url + "docs/cases.html")
            assert len(_shown_cases(browser)) >= count
            fit = browser.execute_script(_SUMMARY_FIT)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert fit["scroll"] <= 1, fit
    assert all(width >= 20 * font for _, width, font in fit["summaries"]), fit["summaries"][:3]
