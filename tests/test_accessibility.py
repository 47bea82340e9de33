"""Accessibility as a test (issue 24, point 6): axe-core's WCAG 2.0/2.1 A and AA rules report no
violation on any kind of page a reader opens, at a desktop's and a phone's width, in the light
and the dark theme; and the case explorer works from the keyboard with a visible focus.

axe-core is pinned in package.json (node_modules/, installed by the Makefile like textlint) and
is run in the session's headless Chromium. It is evaluated through the DevTools protocol
(Runtime.evaluate), which the site's Content-Security-Policy does not apply to: the pages are
tested exactly as published. The pages are picked by kind from the corpus model and the built
site, never by a file name or today's number of cases.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
THEMES = ("light", "dark")
FIRST_TARGETS = 3  # node targets shown per rule in a failure message


def reader_pages() -> dict[str, str]:
    """One page of every kind a reader opens (kind → URL relative to the site), from the corpus
    model: its first theme, case, guide and glossary, the explorer filtered by the first case's
    theme and by its prefecture, that case's 年度 list, and a search for its municipality."""
    from handbook_search.model.corpus import load_corpus
    from handbook_search.site.sphinxext import EXPLORER_PAGE, year_part_page

    corpus = load_corpus(ROOT / "corpus")
    case = corpus.cases()[0]
    explorer = EXPLORER_PAGE + ".html"
    return {
        "home": "docs/index.html",
        "theme": corpus.by_kind("theme")[0].url,
        "case": case.url,
        "explorer-theme": f"{explorer}?theme={case.meta.themes[0]}",
        "explorer-prefecture": f"{explorer}?prefecture={quote(case.meta.prefecture)}",
        "year": year_part_page(case.meta.fiscal_year, 1) + ".html",
        "glossary": corpus.by_kind("glossary")[0].url,
        "guide": corpus.by_kind("guide")[0].url,
        "search-guide": "docs/guide-search.html",
        "search": "search.html?q=" + quote(case.meta.municipality),
        "contributing": "docs/contributing.html",
        "accessibility": "docs/accessibility.html",
    }


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} がありません。make test（npm ci）で入ります / axe-core is not installed"
        )
    return AXE.read_text(encoding="utf-8")


def _evaluate(browser, expression: str):
    """`expression` in the page through the DevTools protocol (outside the page's CSP)."""
    answer = browser.execute_cdp_cmd(
        "Runtime.evaluate",
        {"expression": expression, "awaitPromise": True, "returnByValue": True},
    )
    assert "exceptionDetails" not in answer, answer["exceptionDetails"]
    return answer["result"].get("value")


def _ready(browser, page: str) -> None:
    """Wait until the page's scripts have drawn what a reader sees (search results, explorer)."""
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import wait_for_search

    if page.startswith("search.html"):
        assert wait_for_search(browser) == "done", page
    if ".html?" in page and not page.startswith("search"):
        WebDriverWait(browser, 10).until(
            lambda b: b.execute_script("return !!document.querySelector('.hx-ready .hx-status')")
        )


def _set_theme(browser, theme: str) -> None:
    """furo's own switch: body[data-theme] and localStorage 'theme' (as its button sets them)."""
    browser.execute_script(
        "localStorage.setItem('theme', arguments[0]); document.body.dataset.theme = arguments[0];",
        theme,
    )


def _axe(browser, axe_source: str) -> dict:
    """axe-core's WCAG A/AA rules on the page as it is now: {violations: [{id, impact, count,
    targets}], passes: the ids of the rules that passed}."""
    if not _evaluate(browser, "typeof axe !== 'undefined'"):
        _evaluate(browser, axe_source)
    # resultTypes: passes and incomplete with one node each (faster; violations in full)
    options = json.dumps(
        {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    return _evaluate(
        browser,
        f"axe.run(document, {options}).then(r => ({{passes: r.passes.map(p => p.id),"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        f" count: v.nodes.length, targets: v.nodes.slice(0, {FIRST_TARGETS})"
        ".map(n => n.target.join(' '))}))}))",
    )


def _describe(where: str, violations: list[dict]) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}, {v['count']} 箇所): {'; '.join(v['targets'])}"
        for v in violations
    ]


@pytest.fixture
def sized(browser):
    """The shared browser; its size, emulation and theme are restored afterwards."""
    size = browser.get_window_size()
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_script("localStorage.removeItem('theme')")
    browser.set_window_size(size["width"], size["height"])


def test_axe_finds_no_wcag_aa_violation_on_any_kind_of_page(sized, site_url, axe_source):
    """axe-core, rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa: 0 violations on every kind of
    page, at 1366 and 390 px, in the light and the dark theme (one load per page and width)."""
    problems = []
    for device, (width, height) in SIZES.items():
        sized.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": device == "phone"},
        )
        for kind, page in reader_pages().items():
            sized.get(site_url + page)
            _ready(sized, page)
            for theme in THEMES:
                _set_theme(sized, theme)
                found = _axe(sized, axe_source)
                assert {"color-contrast", "document-title"} <= set(found["passes"]), page
                problems += _describe(f"{kind} {page} {width}px {theme}", found["violations"])
    assert not problems, "axe-core の違反 / violations:\n" + "\n".join(problems)


# -- the case explorer from the keyboard ----------------------------------------------------
def _tab_to(browser, css: str, limit: int = 400):
    """Press Tab (as a keyboard user) until the focus is on an element matching `css`."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if browser.execute_script("return document.activeElement.matches(arguments[0])", css):
            return browser.switch_to.active_element
        ActionChains(browser).send_keys(Keys.TAB).perform()
    pytest.fail(f"Tab では {css} に届きません / not reached with Tab")


def _focus_is_visible(browser) -> None:
    """The focused element has an outline of at least 2 px and 3:1 against the page."""
    from test_readers import _contrast

    style, width, colour, page = browser.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor,"
        " getComputedStyle(document.body).backgroundColor];"
    )
    assert style != "none" and width >= 2, (style, width)
    assert _contrast(colour, page) >= 3, (colour, page)


def _focused_matches(browser, css: str) -> bool:
    return browser.execute_script("return document.activeElement.matches(arguments[0])", css)


def test_the_explorer_filters_sorts_and_maps_from_the_keyboard(sized, site_url):
    """Tab reaches a theme filter, the sort and a map tile, each with a visible focus; Space
    and the arrow keys and Enter use them, and the focus stays where the reader was."""
    from selenium.webdriver.common.keys import Keys

    from handbook_search.model.corpus import load_corpus
    from handbook_search.site.sphinxext import EXPLORER_PAGE
    from test_readers import _cases_in, _shown_cases

    cases = load_corpus(ROOT / "corpus").cases()
    theme, prefecture = cases[0].meta.themes[0], cases[0].meta.prefecture
    sized.set_window_size(*SIZES["desktop"])
    sized.get(site_url + EXPLORER_PAGE + ".html")
    _shown_cases(sized)

    # the filter bar: a facet's button opens its panel (Enter), then its chips
    _tab_to(sized, "button[aria-controls='hx-panel-theme']").send_keys(Keys.ENTER)
    chip = f".hx-facet-theme input[value='{theme}']"
    _tab_to(sized, chip).send_keys(Keys.SPACE)
    assert set(_shown_cases(sized)) == {
        p.meta.municipality for p in cases if theme in p.meta.themes
    }
    assert _focused_matches(sized, chip)  # redrawn, the filter keeps the focus
    _focus_is_visible(sized)

    _tab_to(sized, "select[name=sort]").send_keys(Keys.ARROW_DOWN)  # 人口の多い順
    _shown_cases(sized)
    assert "sort=population-desc" in sized.current_url
    population = {p.url: p.meta.population or -1 for p in cases}
    shown = sized.execute_script(
        "return [...document.querySelectorAll('.hx-table tbody .hx-name a')]"
        ".map(a => new URL(a.href).pathname)"
    )
    order = [next(n for url, n in population.items() if path.endswith(url)) for path in shown]
    assert order == sorted(order, reverse=True)
    assert _focused_matches(sized, "select[name=sort]")
    _focus_is_visible(sized)

    sized.get(site_url + EXPLORER_PAGE + ".html")
    _shown_cases(sized)
    tile = f".handbook-map a.hx-tile[data-prefecture='{prefecture}']"
    _tab_to(sized, "button[aria-controls='hx-panel-map']").send_keys(Keys.ENTER)  # 地図から選ぶ
    _tab_to(sized, tile)
    _focus_is_visible(sized)
    sized.switch_to.active_element.send_keys(Keys.ENTER)
    assert sorted(_shown_cases(sized)) == _cases_in(prefecture)
