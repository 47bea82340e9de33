"""The site search in a real browser: headless Chromium against the built site.

The site is built once (conftest.built_site), served from a thread on 127.0.0.1 and opened in
the system's Chromium (Debian: chromium + chromium-driver; never a browser download). Queries
are typed into the real search boxes, and the pages that come back are identified by their
metadata (kind + municipality or theme number), as the judged queries do.

Without Chromium the tests skip with the reason; under CI=true a missing browser is installed
with apt-get when running as root, and is a failure otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
import yaml

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.model.vocab import THEMES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

IZUMO, MISATO, OSUMI = ("case", "出雲市"), ("case", "美里町"), ("case", "南大隅町")
GLOSSARY = ("glossary", "用語集")


# -- fixtures: chromium_paths, site_url, session, browser are in conftest.py (shared with
# tests/test_readers.py: one browser for the whole run) ---------------------------------


# -- helpers -----------------------------------------------------------------------------
def who(result: dict) -> tuple:
    """A result as (kind, municipality | theme number | title)."""
    if result["kind"] == "case":
        return ("case", result["municipality"])
    if result["kind"] == "theme":
        return ("theme", result["theme"])
    return (result["kind"], result["title"])


def whos(found: list[dict], n: int = 10) -> list[tuple]:
    return [who(r) for r in found[:n]]


def sidebar_search(browser, base: str, query: str, start: str = "docs/index.html"):
    """Type `query` into the theme's search box on a content page and press Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import results, wait_for_search

    browser.get(base + start)
    box = browser.find_element(By.CSS_SELECTOR, "input.sidebar-search")
    box.send_keys(query, Keys.ENTER)
    WebDriverWait(browser, 10).until(ec.url_contains("search.html"))
    return wait_for_search(browser), results(browser)


def page_search(browser, base: str, query: str):
    """Type `query` into the search page's own box (the results update as one types)."""
    from selenium.webdriver.common.by import By

    from handbook_search.lab.browser import results, wait_for_search

    browser.get(base + "search.html")  # fresh: no filters left from an earlier search
    wait_for_search(browser)
    box = browser.find_element(By.ID, "hs-q")
    box.clear()
    box.send_keys(query)
    return wait_for_search(browser), results(browser)


def status(browser) -> str:
    return browser.find_element("id", "hs-status").text


# -- what readers type -------------------------------------------------------------------
def test_compound_finds_text_that_only_has_it_split(browser, site_url):
    text = "\n".join(p.title + "\n" + p.text for p in load_corpus(ROOT / "corpus").pages)
    assert "人員要件緩和" not in text and "人員要件を緩和" in text  # the premise
    state, found = sidebar_search(browser, site_url, "人員要件緩和")
    assert state == "done", status(browser)
    assert IZUMO in whos(found, 3) and ("theme", 2) in whos(found, 3)
    izumo = next(r for r in found if who(r) == IZUMO)
    assert "緩和" in izumo["marks"] and {"人員", "要件", "人員要件"} & set(izumo["marks"])


def test_result_shows_title_metadata_section_and_highlighted_snippet(browser, site_url):
    state, found = sidebar_search(browser, site_url, "担い手確保")
    assert state == "done"
    first = found[0]
    assert who(first) == IZUMO
    assert first["title"].startswith("出雲市（島根県）令和6年度")
    for part in ("事例", "出雲市・島根県", "令和6年度（2024年度）", f"テーマ 7 {THEMES[7]}、"):
        assert part in first["meta"]
    assert first["section"].startswith("§ ")
    assert "担い手確保" in first["marks"]
    theme = next(r for r in found if r["kind"] == "theme")
    assert re.search(r"テーマ \d+｜\S+", theme["meta"])
    assert re.match(r"「担い手確保」の検索結果: \d+ 件", status(browser))


def test_full_and_half_width_variants(browser, site_url):
    _, half = page_search(browser, site_url, "ｻｰﾋﾞｽＢ")
    _, plain = page_search(browser, site_url, "サービスB")
    assert half and [r["url"] for r in half] == [r["url"] for r in plain]
    assert ("theme", 3) in whos(half, 3)
    _, sc = page_search(browser, site_url, "ＳＣ")
    assert ("theme", 7) in whos(sc, 3)


def test_kana_kanji_spelling_variants(browser, site_url):
    _, found = page_search(browser, site_url, "かよいの場")  # pages write 通いの場
    assert whos(found, 1) == [("theme", 6)]
    assert any("通い" in m for m in found[0]["marks"])  # 通いの場 as a whole
    _, found = page_search(browser, site_url, "助けあい団体")  # pages write たすけあい団体
    assert IZUMO in whos(found, 3)


def test_synonyms_and_abbreviations(browser, site_url):
    _, sc = page_search(browser, site_url, "SC")
    _, full = page_search(browser, site_url, "生活支援コーディネーター")
    assert ("theme", 7) in whos(sc, 3)
    assert {r["url"] for r in sc} == {r["url"] for r in full}
    _, found = page_search(browser, site_url, "総合確保基金")
    assert whos(found, 1) == [("guide", "地域医療介護総合確保基金（介護分）")]


def test_a_dictionary_variant_finds_the_preferred_form(browser, site_url):
    # corpus/dictionary.yml: たすけあい団体 is flagged in pages and found as たすけあい活動団体
    _, variant = page_search(browser, site_url, "たすけあい団体")
    _, preferred = page_search(browser, site_url, "たすけあい活動団体")
    assert variant and [r["url"] for r in variant] == [r["url"] for r in preferred]


def test_no_hits_is_friendly_with_suggestions(browser, site_url):
    from selenium.webdriver.common.by import By

    state, found = sidebar_search(browser, site_url, "ボランテア")
    assert state == "none" and found == []
    assert status(browser) == "「ボランテア」に一致するページは見つかりませんでした。"
    empty = browser.find_element(By.ID, "hs-empty")
    assert empty.is_displayed()
    suggested = [a.text for a in empty.find_elements(By.CSS_SELECTOR, ".hs-suggest a")]
    assert "ボランティア" in suggested
    themes = empty.find_elements(By.CSS_SELECTOR, ".hs-themes-suggest a")
    assert len(themes) == 10
    empty.find_element(By.LINK_TEXT, "ボランティア").click()
    from handbook_search.lab.browser import results, wait_for_search

    assert wait_for_search(browser) == "done" and results(browser)

    state, _ = page_search(browser, site_url, "ZZQXW")
    assert state == "none" and "見つかりませんでした" in status(browser)


def test_empty_and_unsearchable_queries_explain_themselves(browser, site_url):
    state, _ = page_search(browser, site_url, "の を")
    assert state == "error" and "検索できる語がありません" in status(browser)
    state, _ = page_search(browser, site_url, "担い手 AND 確保")
    assert state == "done"
    notices = browser.find_element("id", "hs-notices").text
    assert "AND は演算子ではなく" in notices


def test_phrases_and_exclusions(browser, site_url):
    state, found = page_search(browser, site_url, '"通いの場"')
    assert state == "done" and found
    state, _ = page_search(browser, site_url, '"場の通い"')
    assert state == "none"
    _, found = page_search(browser, site_url, "通いの場 -南大隅町")
    assert found and OSUMI not in whos(found)


def test_and_falls_back_to_or_with_a_notice(browser, site_url):
    state, found = page_search(browser, site_url, "担い手 ZZQXW")
    assert state == "done" and found
    assert "いずれかの語を含むページ" in browser.find_element("id", "hs-notices").text


def test_kind_chips_and_theme_select_filter_the_results(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from handbook_search.lab.browser import results, wait_for_search

    _, everything = page_search(browser, site_url, "協議体")
    assert {r["kind"] for r in everything} >= {"case", "theme"}
    browser.find_element(
        By.XPATH, "//label[contains(@class,'hs-chip')][.//input[@value='case']]"
    ).click()
    wait_for_search(browser)
    cases = results(browser)
    assert cases and all(r["kind"] == "case" for r in cases)
    assert len(cases) < len(everything)
    browser.find_element(
        By.XPATH, "//label[contains(@class,'hs-chip')][.//input[@value='']]"
    ).click()
    Select(browser.find_element(By.ID, "hs-theme")).select_by_value("7")
    wait_for_search(browser)
    seven = results(browser)
    assert seven and all(r["theme"] == 7 or f"7 {THEMES[7]}" in r["meta"] for r in seven)
    assert "theme=7" in browser.current_url  # a search can be bookmarked or shared
    browser.get(browser.current_url)
    wait_for_search(browser)
    assert results(browser) == seven


def test_result_link_opens_the_best_section(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _, found = page_search(browser, site_url, "ボランティアポイント")
    izumo = next(r for r in found if who(r) == IZUMO)
    anchor = unquote(urlsplit(izumo["href"]).fragment)
    assert anchor
    link = browser.find_element(By.CSS_SELECTOR, f'.hs-result[data-url="{izumo["url"]}"] a')
    # not necessarily the first hit (more cases, more hits): bring it into view to click
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link
    )
    link.click()
    WebDriverWait(browser, 10).until(lambda b: "search.html" not in b.current_url)
    assert urlsplit(browser.current_url).path.endswith(izumo["url"])
    assert browser.find_elements(By.ID, anchor)


# -- the browser finds what the CLI finds -------------------------------------------------
def search_in_page(browser, queries: list[str], filters: dict | None = None) -> list:
    """HandbookSearch.search of each query in the open page: the urls of its first 5 hits,
    or the error's message."""
    return browser.execute_async_script(
        """
        const [queries, filters, done] = arguments;
        (async () => {
          const out = [];
          for (const q of queries) {
            try {
              out.push((await HandbookSearch.search(q, filters, 5)).hits.map(h => h.page.url));
            } catch (err) {
              out.push(err.message);
            }
          }
          return out;
        })().then(done);
        """,
        queries,
        filters or {},
    )


@pytest.fixture(scope="module")
def cli_engine(tmp_path_factory):
    from handbook_search.search.engine import Engine

    engine = Engine(tmp_path_factory.mktemp("cli-index"), ROOT / "corpus")
    engine.build()
    return engine


def test_browser_ranks_like_the_cli(browser, site_url, cli_engine):
    queries = [q["query"] for name in ("queries", "heldout") for q in yaml.safe_load(
        (ROOT / f"tests/eval/{name}.yaml").read_text(encoding="utf-8")
    )["queries"]]  # fmt: skip
    queries += ["担い手の確保", "確保 担い手", '"通いの場"', "通いの場 -南大隅町", "担い手 ZZQXW"]
    browser.get(site_url + "search.html")
    mine = search_in_page(browser, queries)
    differ = []
    for query, urls in zip(queries, mine, strict=True):
        result = cli_engine.query(query, limit=5, notify=lambda m: None)
        cli = [h.record["url"] for h in result.hits]
        if urls[:5] != cli:
            differ.append(f"{query}: browser {urls[:5]} / CLI {cli}")
    assert not differ, "\n".join(differ)


def test_unknown_words_and_markup_find_what_the_cli_finds(browser, site_url, cli_engine):
    pages = len(load_corpus(ROOT / "corpus").pages)
    for query in ("宇宙旅行", "<img src=x onerror=alert(1)>"):
        state, found = page_search(browser, site_url, query)
        cli = cli_engine.query(query, limit=100, notify=lambda m: None)
        assert len(found) == cli.total < pages, query  # never every page by its letters
    assert page_search(browser, site_url, "宇宙旅行")[0] == "none"


def test_a_concept_word_lists_no_page_that_does_not_name_it(browser, site_url, cli_engine):
    """協議体: every page listed writes it, or has 協議 and 体 in its title or headings; the
    pages with 協議 and a 体 of 自治体 or 体制 apart are not listed, in both searches."""

    def names(page) -> bool:
        headings = page.title + "".join(s.title for s in page.sections)
        return "協議体" in page.title + page.text or all(u in headings for u in ("協議", "体"))

    by_url = {p.url: p for p in load_corpus(ROOT / "corpus").pages}
    assert any("協議" in p.text and not names(p) for p in by_url.values())  # the premise
    _, found = page_search(browser, site_url, "協議体")
    cli = [
        h.record["url"] for h in cli_engine.query("協議体", limit=100, notify=lambda m: None).hits
    ]
    assert [r["url"] for r in found] == cli[: len(found)] and found
    assert all(names(by_url[url]) for url in cli), [u for u in cli if not names(by_url[u])]


def test_a_synonym_of_several_words_matches_as_a_phrase(browser, site_url, cli_engine):
    from test_search import SERVICE_B, folded_text

    _, found = page_search(browser, site_url, "ｻｰﾋﾞｽＢ")
    cli = cli_engine.query("ｻｰﾋﾞｽＢ", limit=100, notify=lambda m: None)
    assert [r["url"] for r in found] == [h.record["url"] for h in cli.hits][: len(found)]
    for hit in cli.hits:
        assert SERVICE_B.search(folded_text(hit.record)), hit.record["title"]
    for r in found:
        assert not set(r["marks"]) & {"よる", "支援", "住民", "より"}, r["marks"]
        assert r["marks"], r["title"]  # the member that matched is what lights up


def test_prefecture_and_year_filters_are_the_clis(browser, site_url, cli_engine):
    from handbook_search.search.engine import Filters

    case = load_corpus(ROOT / "corpus").cases()[-1]
    pref, year = case.meta.prefecture, case.meta.fiscal_year
    query = "協議体"
    browser.get(f"{site_url}search.html?q={quote(query)}&prefecture={quote(pref)}&year={year}")
    from handbook_search.lab.browser import results, wait_for_search

    wait_for_search(browser)
    found = results(browser)
    cli = cli_engine.query(query, Filters(prefecture=pref, year=year), notify=lambda m: None)
    assert [r["url"] for r in found] == [h.record["url"] for h in cli.hits]
    assert all(r["prefecture"] == pref and r["year"] == year for r in found)
    assert browser.find_element("id", "hs-prefecture").get_attribute("value") == pref


def test_snippets_stay_capped_on_a_very_long_page(browser, site_url):
    browser.get(site_url + "search.html")
    text = "担い手の確保、" * 43_000  # about 300 KB, a hit every 7 characters
    segments = browser.execute_script(
        "return HandbookSearch.snippet(arguments[0], ['担い手']);", text
    )
    marks = [t for t, hit in segments if hit]
    assert 0 < len(marks) <= 24 and sum(len(t) for t, _ in segments) < 200


# -- the site as a whole -----------------------------------------------------------------
def test_search_works_offline_from_file_urls(browser, built_site):
    from handbook_search.lab.browser import console_errors, results, wait_for_search

    browser.get((built_site / "search.html").as_uri() + "?q=" + quote("担い手確保"))
    assert wait_for_search(browser) == "done"
    assert whos(results(browser), 1) == [IZUMO]
    loaded = browser.execute_script("return HandbookSearch.shardsLoaded();")
    shards = {p.stem for p in (built_site / "_static/handbook-search").glob("*.js")}
    assert set(loaded) <= shards and len(loaded) < len(shards)  # only what the query needs
    state, found = sidebar_search(
        browser, "", "通いの場", start=(built_site / "docs/index.html").as_uri()
    )
    assert state == "done" and whos(found, 1) == [("theme", 6)]
    assert console_errors(browser) == []


def test_the_offline_zip_opens_from_file_and_searches(browser, built_site, cli_engine, tmp_path):
    """`make offline`'s zip, unzipped into another folder: index.html opened from file:// leads to
    the home page, and the search there gives the CLI's first page for 担い手確保."""
    import zipfile

    from handbook_search.lab.browser import console_errors
    from handbook_search.site.offline import FOLDER, write_zip

    archive = tmp_path / "handbook-site.zip"
    count = write_zip(built_site, archive)
    names = zipfile.ZipFile(archive).namelist()
    assert len(names) == count and all(n.startswith(FOLDER + "/") for n in names)
    assert not any("/." in n for n in names)  # no .doctrees nor .buildinfo
    zipfile.ZipFile(archive).extractall(tmp_path / "unzipped")
    home = tmp_path / "unzipped" / FOLDER / "index.html"
    browser.get(home.as_uri())
    wait_until(browser, lambda b: b.current_url.endswith("docs/index.html"))
    state, found = sidebar_search(browser, "", "担い手確保", start=browser.current_url)
    first = cli_engine.query("担い手確保", limit=1, notify=lambda m: None).hits[0].record
    assert state == "done" and found[0]["url"].endswith(first["url"])
    assert console_errors(browser) == []


def wait_until(browser, condition, seconds: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(condition)


def _html(site: Path, page: str) -> str:
    path = site / urlsplit(page).path
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _ids(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        html = path.read_text(encoding="utf-8")
        cache[path] = set(re.findall(r'\bid="([^"]+)"', html))
    return cache[path]


def test_every_page_loads_without_console_errors_and_every_internal_link_resolves(
    browser, site_url, built_site
):
    """Every page of the site (plus search pages with results and with none): no console
    error, every request stays on the site (no CDN), every link to the site finds its file
    and its #anchor."""
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import console_errors, wait_for_search

    pages = [p.relative_to(built_site).as_posix() for p in sorted(built_site.rglob("*.html"))]
    pages += [f"search.html?q={quote(q)}" for q in ("担い手確保", "SC", "ボランテア")]
    problems, ids = [], {}
    checked = 0
    for page in pages:
        browser.get(site_url + page)
        if page.startswith("search.html"):
            wait_for_search(browser)
        redirect = re.search(
            r'http-equiv="refresh" content="0; url=([^"]+)"', _html(built_site, page)
        )
        if redirect:  # build/html/index.html → docs/index.html (crawled on its own)
            target = urljoin(site_url + page, redirect[1])
            WebDriverWait(browser, 10).until(lambda b, t=target: b.current_url == t)
        for error in console_errors(browser):
            problems.append(f"{page}: console: {error}")
        if redirect:
            continue
        requests, links = browser.execute_script(
            "return [performance.getEntriesByType('resource').map(e => e.name),"
            " [...document.querySelectorAll('a[href]')]"  # SVG links too (the map, the chart)
            ".map(a => new URL(a.getAttribute('href'), location.href).href)];"
        )
        for url in requests:
            if not url.startswith((site_url, "data:")):
                problems.append(f"{page}: off-site request {url}")
        for href in links:
            if not href.startswith(site_url):
                continue  # external links (sources, Sphinx/Furo credits) are not fetched
            parts = urlsplit(href)
            path = unquote(parts.path).lstrip("/")
            target = built_site / (path or "index.html")
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                problems.append(f"{page}: broken link {href}")
            elif parts.fragment and unquote(parts.fragment) not in _ids(target, ids):
                problems.append(f"{page}: missing anchor {href}")
    assert checked > 100
    assert not problems, "\n".join(problems)
