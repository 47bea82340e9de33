"""What readers see beyond the search: a Japanese interface, print-outs, the glossary, case
pages, a phone's screen (headless Chromium against the session's built site, one browser)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# The theme's and Sphinx's English interface strings (whole words, case-sensitive).
ENGLISH_INTERFACE = (
    "Skip to content",
    "Back to top",
    "On this page",
    "Next",
    "Previous",
    "Home",
    "Made with",
    "Last updated",
    "Copyright",
    "Toggle",
    "Light mode",
    "Dark mode",
    "Auto light/dark",
    "Contents",
    "Menu",
    "Expand",
    "Link to this",
    "Tip",
    "Note",
    "Warning",
    "See also",
    "Search",
    "Edit this page",
    "View this page",
    "Hide Search Matches",
    "Index",
    "pradyunsg",
)
ENGLISH = re.compile(r"\b(" + "|".join(re.escape(s) for s in ENGLISH_INTERFACE) + r")\b")

# Every string a reader sees or hears: the text (without code, which quotes programs), SVG
# titles and the attributes read aloud.
_SHOWN_STRINGS = """
const body = document.body.cloneNode(true);
body.querySelectorAll('code, pre, script, style').forEach(e => e.remove());
const out = [document.title, body.textContent];
for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt]'))
  for (const a of ['aria-label', 'title', 'placeholder', 'alt'])
    if (el.hasAttribute(a)) out.push(a + '=' + el.getAttribute(a));
for (const t of document.querySelectorAll('svg title')) out.push('svg title=' + t.textContent);
return out;
"""
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def _english(page: str, texts) -> list[str]:
    return [
        f"{page}: {found!r} in {text[:80]!r}"
        for text in texts
        for found in sorted(set(ENGLISH.findall(text)))
    ]


def test_no_english_interface_strings_on_any_page(browser, site_url, built_site):
    """Every built page as written (text, SVG titles, attributes read aloud), and the pages
    whose text scripts write (search results, the case explorer) as the browser shows them."""
    from bs4 import BeautifulSoup

    problems = []
    for path in sorted(built_site.rglob("*.html")):
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        texts = [f"{a}={e[a]}" for a in ATTRIBUTES for e in html.find_all(attrs={a: True})]
        for hidden in html(["code", "pre", "script", "style"]):
            hidden.decompose()
        texts.append(html.get_text(" "))
        problems += _english(path.relative_to(built_site).as_posix(), texts)
    from handbook_search.lab.browser import wait_for_search

    for page in ("search.html?q=%E6%8B%85%E3%81%84%E6%89%8B", "docs/cases.html"):
        browser.get(site_url + page)
        if page.startswith("search"):
            wait_for_search(browser)
        problems += _english(page, browser.execute_script(_SHOWN_STRINGS))
    assert not problems, "\n".join(problems)


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if not found and os.environ.get("CI") == "true" and os.geteuid() == 0:
        from handbook_search.lab.browser import apt_install_chromium

        apt_install_chromium()  # APT_PACKAGES includes poppler-utils
        found = shutil.which("pdftotext")
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: pdftotext (poppler-utils) がありません")
        pytest.skip(
            "pdftotext がないため印刷のテストを飛ばします（sudo apt-get install poppler-utils）"
        )
    return found


def printed_text(browser, folder, pdftotext: str) -> str:
    """The page open in `browser` printed to A4 by Chromium, as pdftotext reads it (pages
    separated by form feeds)."""
    pdf = browser.execute_cdp_cmd(
        "Page.printToPDF",
        {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True},
    )
    (folder / "page.pdf").write_bytes(base64.b64decode(pdf["data"]))
    subprocess.run([pdftotext, "page.pdf", "page.txt"], cwd=folder, check=True)
    return (folder / "page.txt").read_text(encoding="utf-8")


def test_a_printed_case_page_has_its_url_and_no_skip_link(browser, site_url, built_site, tmp_path):
    pdftotext = _pdftotext()
    # the shortest case page (printing is slow); what is checked holds for every page
    cases = sorted(built_site.glob("corpus/cases/*.html"), key=lambda p: p.stat().st_size)
    page = cases[0].relative_to(built_site).as_posix()
    browser.get(site_url + page)
    municipality = browser.execute_script("return document.querySelector('h1').textContent")
    municipality = municipality.split("（")[0]
    canonical = browser.execute_script("return document.querySelector('link[rel=canonical]').href")
    assert canonical.endswith(page)
    flat = "".join(printed_text(browser, tmp_path, pdftotext).split())
    skip_link = browser.execute_script(
        "return document.querySelector('.skip-to-content').textContent"
    )
    assert skip_link.strip() and skip_link.strip() not in flat
    assert canonical in flat
    if browser.find_elements("css selector", ".last-updated"):  # none without git history
        assert "最終更新" in flat
    assert municipality in flat


def test_a_site_search_hit_on_a_glossary_term_links_to_that_term(browser, site_url):
    from urllib.parse import quote, unquote, urlsplit

    from handbook_search.lab.browser import results, wait_for_search
    from handbook_search.model.page import glossary_anchor

    term = "基本チェックリスト"
    browser.get(site_url + "search.html?q=" + quote(term))
    assert wait_for_search(browser) == "done"
    hit = next(r for r in results(browser) if r["kind"] == "glossary")
    assert unquote(urlsplit(hit["href"]).fragment) == glossary_anchor(term)


# -- a phone's screen, highlights and focus ------------------------------------------------
@pytest.fixture
def phone(browser):
    """The shared browser as a 390 × 844 phone screen (restored afterwards)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_phone_shows_a_search_field_without_opening_the_menu(phone, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import results, wait_for_search

    for page in ("docs/index.html", "corpus/cases/shimane-izumo-2024.html"):
        phone.get(site_url + page)
        box = phone.find_element(By.CSS_SELECTOR, ".handbook-mobile-search input")
        assert box.is_displayed(), page
        top = phone.execute_script("return arguments[0].getBoundingClientRect().bottom", box)
        assert top < 844, page  # on the first screen
        assert not phone.find_element(By.CSS_SELECTOR, "input.sidebar-search").is_displayed()
    box.send_keys("担い手確保", Keys.ENTER)
    WebDriverWait(phone, 10).until(ec.url_contains("search.html"))
    assert wait_for_search(phone) == "done" and results(phone)
    phone.get(site_url + "docs/index.html")
    home = phone.find_element(By.TAG_NAME, "article").text
    assert "スマートフォンではページの上" in home


def test_general_explanations_are_at_the_body_size(browser, phone_free_sizes, site_url):
    """「一般的な解説」 text is as large as the body text (16 px), on a desktop and on a phone."""
    from conftest import ROOT
    from handbook_search.model.corpus import load_corpus

    theme = next(
        p
        for p in load_corpus(ROOT / "corpus").by_kind("theme")
        if "{admonition} 一般的な解説" in p.path.read_text("utf-8")
    )
    script = """
        const size = (q) => parseFloat(getComputedStyle(document.querySelector(q)).fontSize);
        return [size('.admonition.general > p:not(.admonition-title)'), size('article section > p')];
    """
    for width, height in phone_free_sizes:
        browser.set_window_size(width, height)
        browser.get(site_url + theme.url)
        general, body = browser.execute_script(script)
        assert general == body == 16, (width, general, body)


@pytest.fixture
def phone_free_sizes(browser):
    size = browser.get_window_size()
    yield [(1366, 900), (390, 844)]
    browser.set_window_size(size["width"], size["height"])


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def _contrast(a: str, b: str) -> float:
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(_rgb(a)), lum(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_highlights_and_keyboard_focus_have_3_to_1_contrast(browser, site_url):
    from urllib.parse import quote

    from selenium.webdriver.common.keys import Keys

    from handbook_search.lab.browser import wait_for_search

    browser.get(site_url + "search.html?q=" + quote("担い手確保"))
    assert wait_for_search(browser) == "done"
    page_bg = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    line = browser.execute_script(
        "return getComputedStyle(document.querySelector('.hs-snippet mark')).boxShadow"
    )
    assert _contrast(line, page_bg) >= 3, (line, page_bg)
    browser.get(site_url + "corpus/glossary.html")
    browser.find_element("tag name", "body").send_keys(Keys.TAB)  # the skip link
    browser.switch_to.active_element.send_keys(Keys.TAB)
    outline = browser.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, s.outlineColor, document.activeElement.tagName];"
    )
    assert outline[0] != "none", outline
    assert _contrast(outline[1], page_bg) >= 3, outline


def test_the_case_box_has_no_half_width_colons(browser, site_url):
    browser.get(site_url + "corpus/cases/shimane-izumo-2024.html")
    box = browser.find_element("css selector", ".handbook-case-box").text
    assert "自治体" in box and ":" not in box


# -- 事例一覧: the case explorer ------------------------------------------------------------
def _shown_cases(browser) -> list[str]:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return !!document.querySelector('.hx-ready .hx-status')")
    )
    # the explorer draws 100 rows at a time: every case, however many the corpus has
    browser.execute_script("let b; while ((b = document.querySelector('.hx-more'))) b.click();")
    return browser.execute_script(
        "return [...document.querySelectorAll('.hx-table tbody tr .hx-name')]"
        ".filter(td => td.offsetParent).map(td => td.textContent)"
    )


def _cases_in(prefecture: str) -> list[str]:
    from conftest import ROOT
    from handbook_search.model.corpus import load_corpus

    cases = load_corpus(ROOT / "corpus").cases()
    return sorted(p.meta.municipality for p in cases if p.meta.prefecture == prefecture)


def test_explorer_url_state_and_map_click_filter_on_a_phone(phone, site_url):
    from urllib.parse import quote, unquote

    from selenium.webdriver.common.by import By

    phone.get(site_url + "docs/cases.html?prefecture=" + quote("熊本県"))
    shown = _shown_cases(phone)
    assert sorted(shown) == _cases_in("熊本県") and "出雲市" not in shown
    assert phone.find_element(By.CSS_SELECTOR, ".handbook-mobile-search input").is_displayed()
    # the map, the chart and the facets are folded behind the filter bar's buttons: the first
    # case is on the first screen, and each folded part opens with one tap
    first = phone.find_element(By.CSS_SELECTOR, ".hx-table tbody tr")
    assert first.rect["y"] + 40 < phone.execute_script("return innerHeight"), first.rect
    folded = phone.execute_script(
        "return [...document.querySelectorAll('.hx-toggle')]"
        ".map(b => [b.textContent, b.getAttribute('aria-expanded'),"
        " document.getElementById(b.getAttribute('aria-controls')).hidden])"
    )
    assert len(folded) >= 6 and all(e == "false" and h for _, e, h in folded), folded
    assert not phone.execute_script("return document.querySelector('details.handbook-figure')")
    # no squeezed column: every cell of every card is at least 8 characters wide (the table's
    # header row is only for screen readers on a phone)
    narrow = phone.execute_script(
        "return [...document.querySelectorAll('.hx-table td, .hx-table th')]"
        ".filter(e => e.offsetParent && e.textContent.trim())"
        ".filter(e => !e.closest('thead') || e.closest('thead').getBoundingClientRect().height > 1)"
        ".map(e => [e.textContent.slice(0, 12), e.getBoundingClientRect().width,"
        " parseFloat(getComputedStyle(e).fontSize)])"
        ".filter(([, w, f]) => w < 8 * f)"
    )
    assert not narrow, narrow
    phone.find_element(By.XPATH, "//button[@aria-controls][.='地図から選ぶ']").click()
    phone.find_element(By.CSS_SELECTOR, ".handbook-map a[data-prefecture='島根県'] rect").click()
    assert sorted(_shown_cases(phone)) == _cases_in("島根県")
    assert unquote(phone.current_url).endswith("cases.html?prefecture=島根県")
    chosen = phone.find_elements(By.CSS_SELECTOR, ".handbook-map a.hx-selected")
    assert [a.get_attribute("aria-current") for a in chosen] == ["true"]


def test_home_page_map_opens_the_explorer_filtered(browser, site_url):
    from selenium.webdriver.common.by import By

    from conftest import ROOT
    from handbook_search.model.corpus import load_corpus

    prefecture = load_corpus(ROOT / "corpus").cases()[-1].meta.prefecture
    browser.get(site_url + "docs/index.html")
    tile = browser.find_element(
        By.CSS_SELECTOR, f".handbook-map a[data-prefecture='{prefecture}'] rect"
    )
    assert tile.is_displayed()  # open on a desktop
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", tile
    )
    tile.click()
    assert sorted(_shown_cases(browser)) == _cases_in(prefecture)
    assert "docs/cases.html?prefecture=" in browser.current_url


def test_explorer_facets_count_and_combine_on_a_desktop(browser, site_url):
    from selenium.webdriver.common.by import By

    from conftest import ROOT
    from handbook_search.model.corpus import load_corpus

    cases = load_corpus(ROOT / "corpus").cases()
    browser.get(site_url + "docs/cases.html")
    assert sorted(_shown_cases(browser)) == sorted(p.meta.municipality for p in cases)
    assert browser.find_element(By.CSS_SELECTOR, ".hx-table thead th").is_displayed()  # a table
    # figures come with the date the source gives for each, as on the case page
    from handbook_search.model.schema import as_of, percent

    rows = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('.hx-table tbody tr.hx-row')]"
        ".map(tr => [tr.querySelector('.hx-name a').href, tr.textContent]))"
    )
    for p in cases:
        text = next(t for href, t in rows.items() if href.endswith(p.url))
        if p.meta.population:
            assert f"{p.meta.population:,}人{as_of(p.meta.population_as_of)}" in text
        if p.meta.aging_rate is not None:
            assert f"{percent(p.meta.aging_rate)}{as_of(p.meta.aging_rate_as_of)}" in text
    theme = 5
    expected = {p.meta.municipality for p in cases if theme in p.meta.themes}
    browser.find_element(By.CSS_SELECTOR, "[aria-controls='hx-panel-theme']").click()  # the facet
    count = browser.find_element(
        By.XPATH,
        f"//fieldset[contains(@class,'hx-facet-theme')]//label[.//input[@value='{theme}']]",
    )
    assert count.find_element(By.CLASS_NAME, "hx-count").text == str(len(expected))
    browser.execute_script("arguments[0].click()", count.find_element(By.TAG_NAME, "input"))
    assert set(_shown_cases(browser)) == expected
    assert f"theme={theme}" in browser.current_url
    browser.get(browser.current_url)  # a shared link shows the same
    assert set(_shown_cases(browser)) == expected


def test_keyboard_users_can_skip_the_map_to_the_results(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(site_url + "docs/cases.html")
    _shown_cases(browser)
    skip = browser.find_element(By.CSS_SELECTOR, ".handbook-skip a")
    assert skip.size["width"] == 0 or skip.location["x"] < 0  # not seen until focused
    browser.execute_script("arguments[0].focus()", skip)
    assert skip.location["x"] >= 0 and skip.text == "地図とグラフを飛ばして一覧へ"
    skip.send_keys(Keys.ENTER)
    focused = browser.execute_script("return document.activeElement.id")
    assert focused == "handbook-explorer-results"


def test_the_chart_fades_the_cases_a_filter_leaves_out(browser, site_url):
    from urllib.parse import quote

    from conftest import ROOT
    from handbook_search.model.corpus import load_corpus

    cases = load_corpus(ROOT / "corpus").cases()
    plotted = {p.url: p for p in cases if p.meta.population and p.meta.aging_rate is not None}
    prefecture = next(iter(plotted.values())).meta.prefecture if plotted else "島根県"
    for query, out in (
        ("", lambda p: False),
        ("?prefecture=" + quote(prefecture), lambda p: p.meta.prefecture != prefecture),
        ("?prefecture=" + quote("沖縄県"), lambda p: p.meta.prefecture != "沖縄県"),
    ):
        browser.get(site_url + "docs/cases.html" + query)
        _shown_cases(browser)
        faded = browser.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('.handbook-chart a')]"
            ".map(a => [a.dataset.url, a.classList.contains('hx-out')]))"
        )
        assert faded == {url: out(p) for url, p in plotted.items()}, query


# the explorer's first screen (issue 24, point 3): what a reader sees before scrolling
_FIRST_SCREEN = """
const top = (e) => e.getBoundingClientRect().top;
const row = document.querySelector('.hx-table tbody tr');
const controls = [...document.querySelectorAll('.hx-buttons > *')];
return {height: innerHeight, row: row && top(row), controls: controls.map(top),
        names: controls.map((e) => e.textContent), scrolled: scrollY};
"""

# per column, the rows whose cell shows 「記載なし」 to the eye (text in a box bigger than 1 px)
_VISIBLE_UNKNOWN = """
const seen = (node) => { const r = node.parentElement.getBoundingClientRect();
  return r.width > 1 && r.height > 1; };
const shows = (td, word) => { const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) if (n.data.includes(word) && seen(n)) return true;
  return false; };
const rows = [...document.querySelectorAll('.hx-table tbody tr.hx-row')];
return rows.map((tr) => [...tr.cells].map((td) => [shows(td, arguments[0]), td.textContent]));
"""


@pytest.fixture(params=[(1366, 900, False), (390, 844, True)], ids=["desktop", "phone"])
def explorer(browser, site_url, request):
    """事例一覧 at a desktop's and a phone's size, every case drawn."""
    width, height, mobile = request.param
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    try:
        browser.get(site_url + "docs/cases.html")
        _shown_cases(browser)
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_explorer_opens_on_the_filters_and_the_first_case(explorer):
    explorer.execute_script("scrollTo(0, 0)")
    screen = explorer.execute_script(_FIRST_SCREEN)
    assert screen["row"] is not None and screen["row"] < screen["height"], screen
    assert screen["controls"] and max(screen["controls"]) < screen["height"], screen
    assert "地図から選ぶ" in screen["names"], screen["names"]
    # a municipality's name (as long as the site keeps names whole) on one line
    from handbook_search.site.phrases import LONG_PHRASE

    names = explorer.execute_script(
        "return [...document.querySelectorAll('.hx-table .hx-name a')]"
        ".map(a => [a.textContent, a.getClientRects().length])"
    )
    assert names and all(n == 1 for name, n in names if len(name) <= LONG_PHRASE), names
    # every theme name in the table on one line
    broken = explorer.execute_script(
        "return [...document.querySelectorAll('.hx-table .hx-theme')]"
        ".filter(e => e.getClientRects().length > 1).map(e => e.textContent)"
    )
    assert not broken, broken


# each case's 概要 and the table's fit (issue 24, point 3): the summary is read as a line of text,
# not a column a few characters wide, and no column hides behind a horizontal scroll
_SUMMARY_FIT = """
const results = document.querySelector('.hx-results');
const cells = [...document.querySelectorAll('.hx-table td.hx-summary')].filter((td) => td.offsetParent);
return {scroll: results.scrollWidth - results.clientWidth,
        summaries: cells.map((td) => [td.textContent.slice(0, 20), td.getBoundingClientRect().width,
                                      parseFloat(getComputedStyle(td).fontSize)]),
        cases: document.querySelectorAll('.hx-table tr.hx-row').length};
"""


def test_each_case_summary_reads_at_least_20_characters_a_line(explorer):
    fit = explorer.execute_script(_SUMMARY_FIT)
    assert fit["cases"] and len(fit["summaries"]) == fit["cases"], fit
    narrow = [(text, width) for text, width, font in fit["summaries"] if width < 20 * font]
    assert not narrow, narrow
    assert fit["scroll"] <= 1, fit  # the whole table in the content width


def test_the_phone_opens_the_map_with_its_button_from_the_keyboard(phone, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    phone.get(site_url + "docs/cases.html")
    _shown_cases(phone)
    button = phone.find_element(By.XPATH, "//button[@aria-controls][.='地図から選ぶ']")
    tiles = phone.find_elements(By.CSS_SELECTOR, ".handbook-map a.hx-tile")
    assert tiles and not any(t.is_displayed() for t in tiles)  # folded
    phone.execute_script("arguments[0].focus()", button)
    button.send_keys(Keys.ENTER)
    assert button.get_attribute("aria-expanded") == "true"
    assert all(t.is_displayed() for t in tiles)
    # the first screen still holds the button and the top of the opened map
    tops = phone.execute_script(
        "return [arguments[0].getBoundingClientRect().top,"
        " document.querySelector('.handbook-map svg').getBoundingClientRect().top, innerHeight]",
        button,
    )
    assert tops[0] < tops[2] and tops[1] < tops[2], tops
    phone.switch_to.active_element.send_keys(Keys.ESCAPE)  # Esc folds it again
    assert button.get_attribute("aria-expanded") == "false"
    assert not any(t.is_displayed() for t in tiles)
    assert phone.switch_to.active_element == button


def test_empty_values_are_a_dash_for_the_eye_and_kisai_nashi_for_screen_readers(explorer):
    data = explorer.execute_script("return window.HANDBOOK_CASES")
    unknown = data["unknown"]
    cells = explorer.execute_script(_VISIBLE_UNKNOWN, unknown)
    assert len(cells) == len(data["cases"])
    for column in range(len(cells[0])):
        shown = [row[column][0] for row in cells]
        assert not any(a and b for a, b in zip(shown, shown[1:], strict=False)), (column, shown)
    # what the data leaves empty is still said (to a screen reader) in its cell
    for case, row in zip(data["cases"], cells, strict=True):  # the default order is the data's
        texts = [text for _, text in row]
        if case["type"] == unknown:
            assert texts[4] == "—" + unknown, texts
        if case["population"] is None and case["aging_rate"] is None:
            assert texts[5] == "—" + unknown, texts
    blanks = explorer.execute_script("return document.querySelectorAll('.hx-missing').length")
    notes = explorer.find_elements("css selector", ".hx-note")
    assert bool(notes) == bool(blanks)  # 「—」 is explained under the table when it is used


# -- the phone header (issue 24, point 5) -------------------------------------------------
_HEADER_CONTROLS = """
const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const box = (e) => { const r = e.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
const controls = [...document.querySelectorAll(
  '.mobile-header label[for], .mobile-header button, .mobile-header .header-center a')].filter(shown);
const fields = [...document.querySelectorAll('input[type=search], input[name=q]')]
  .filter((e) => shown(e) && !e.closest('.sidebar-drawer'));
const icons = [...document.querySelectorAll('.content-icon-container')].filter(shown);
return {controls: controls.map(box), fields: fields.map(box), icons: icons.map(box),
        width: innerWidth};
"""


def _reader_pages(built_site) -> list[str]:
    """One page of every kind a reader opens, found in the built site (not named here)."""
    pages = [
        "docs/index.html",
        "docs/cases.html",
        "docs/contributing.html",
        "search.html?q=%E5%9C%B0%E5%9F%9F",
    ]
    for folder in sorted(p for p in (built_site / "corpus").iterdir() if p.is_dir()):
        pages.append(str(next(iter(sorted(folder.glob("*.html")))).relative_to(built_site)))
    pages += [
        str(p.relative_to(built_site)) for p in sorted((built_site / "corpus").glob("*.html"))
    ]
    return pages


def _overlap(a: dict, b: dict) -> bool:
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5 and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    )


def test_the_phone_header_has_named_44px_icons_and_a_wide_search_field(phone, site_url, built_site):
    """At 390 × 844 every icon in furo's header has a Japanese name (メニュー, 目次, 表示の切り替え)
    and a 44 × 44 px target, nothing in the header overlaps, and on every kind of page the search
    field keeps at least 60% of the width (the edit link does not sit beside it)."""
    from selenium.webdriver.common.by import By

    for page in _reader_pages(built_site):
        phone.get(site_url + page)
        if "search.html" in page:
            from handbook_search.lab.browser import wait_for_search

            wait_for_search(phone)
        icons = phone.find_elements(
            By.CSS_SELECTOR, ".mobile-header label[for], .mobile-header button"
        )
        names = sorted(e.accessible_name for e in icons if e.is_displayed())
        assert "メニュー" in names and any(n.startswith("表示の切り替え") for n in names), (
            page,
            names,
        )
        assert all(n in ("メニュー", "目次") or n.startswith("表示の切り替え") for n in names), (
            names
        )
        found = phone.execute_script(_HEADER_CONTROLS)
        targets = found["controls"]
        for a in targets:
            assert all(not _overlap(a, b) for b in targets if b is not a), (page, targets)
        sizes = [(e.rect["width"], e.rect["height"]) for e in icons if e.is_displayed()]
        assert all(w >= 44 and h >= 44 for w, h in sizes), (page, sizes)
        assert found["fields"], page
        field = max(found["fields"], key=lambda r: r["right"] - r["left"])
        assert field["right"] - field["left"] >= 0.6 * found["width"], (page, field)
        assert not any(_overlap(field, icon) for icon in found["icons"]), page


def test_the_phone_menu_opens_from_the_keyboard(phone, site_url):
    """The header's メニュー is a button a keyboard reaches and presses (Enter), with a visible
    focus outline."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    phone.get(site_url + "docs/index.html")
    menu = phone.find_element(By.CSS_SELECTOR, ".mobile-header .nav-overlay-icon")
    phone.execute_script("arguments[0].focus()", menu)
    assert phone.switch_to.active_element == menu
    outline = phone.execute_script("return getComputedStyle(arguments[0]).outlineStyle", menu)
    assert outline != "none"
    menu.send_keys(Keys.ENTER)
    assert phone.execute_script("return document.getElementById('__navigation').checked")
