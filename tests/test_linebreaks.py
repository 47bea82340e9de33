"""Line breaks between phrases: headings, the site title, navigation, the case box, table cells
and search result lines never end a line inside a word, and the break marks stay out of every
text a machine reads (the search indexes, <title>, the OGP description)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.model.vocab import THEMES
from handbook_search.site.phrases import boundaries, pieces

WIDTHS = (390, 1366)
# The site's short texts, by their role on the page (not by the class the build gives them):
# headings, the site title, the sidebar and the page's contents, field lists (the case box),
# table cells, the generated lists, the explorer's facets and the search results' title and
# metadata lines. Running text (paragraphs, a result's snippet, the explorer's 概要) breaks as
# Japanese body text does.
LABELS = (
    "h1, h2, h3, h4, h5, h6, .sidebar-brand, .mobile-header .brand, .sidebar-tree, .toc-tree,"
    " dt, dd, td, th, .toctree-wrapper li, [class*='handbook-'] > li, .hx-chip,"
    " .hs-title, .hs-meta, .hs-section"
)
RUNNING = ".hs-snippet, .hx-summary"  # a result's snippet, the explorer's 概要
# Every visible occurrence of each word inside a label: the tops and bottoms of its line boxes
# (Range.getClientRects over the text, across the text nodes a <wbr> leaves).
_WORD_LINES = """
const [words, labels, running] = arguments;
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
for (let el = walker.currentNode; el; el = walker.nextNode()) {
  if (!el.matches(labels) || el.parentElement.closest(labels)) continue;
  if (el.closest(running)) continue;
  const texts = [];
  const inner = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let t = inner.nextNode(); t; t = inner.nextNode()) texts.push(t);
  const whole = texts.map(t => t.data).join('');
  const at = (offset) => {
    for (const t of texts) { if (offset <= t.data.length) return [t, offset]; offset -= t.data.length; }
  };
  for (const word of words) {
    for (let i = whole.indexOf(word); i >= 0; i = whole.indexOf(word, i + 1)) {
      const range = document.createRange();
      range.setStart(...at(i));
      range.setEnd(...at(i + word.length));
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      if (!rects.length) continue;  // hidden (a closed menu on a phone)
      out.push({word, where: el.tagName + '.' + el.className,
                tops: rects.map(r => r.top), bottoms: rects.map(r => r.bottom)});
    }
  }
}
return out;
"""


def _words() -> list[str]:
    """ハンドブック, ナレッジベース, every theme name and every 都道府県 that has a case."""
    cases = load_corpus(ROOT / "corpus").cases()
    return ["ハンドブック", "ナレッジベース", *THEMES.values(), *{p.meta.prefecture for p in cases}]


def _first_case():
    return load_corpus(ROOT / "corpus").cases()[0]


def _pages() -> dict[str, str]:
    case = _first_case()
    return {
        "home": "docs/index.html",
        "case": case.url,
        "explorer": "docs/cases.html",
        "search": "search.html?q=" + quote(case.meta.prefecture),
    }


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(browser, request):
    """The shared browser at a phone's and a laptop's width (restored afterwards)."""
    width = request.param
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 844 if width < 800 else 900, "deviceScaleFactor": 1,
         "mobile": width < 800},
    )  # fmt: skip
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _ready(browser, name: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import wait_for_search

    if name == "search":
        assert wait_for_search(browser) == "done"
    if name == "explorer":
        WebDriverWait(browser, 10).until(
            lambda b: b.execute_script("return !!document.querySelector('.hx-ready .hx-status')")
        )


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("name", list(_pages()))
def test_names_render_on_one_line(sized, site_url, name):
    sized.get(site_url + _pages()[name])
    _ready(sized, name)
    words = _words()
    found = sized.execute_script(_WORD_LINES, words, LABELS, RUNNING)
    broken = [f for f in found if max(f["tops"]) >= min(f["bottoms"])]
    assert not broken, broken
    # the check saw the words where the issue found them broken
    seen = {f["word"] for f in found}
    assert _first_case().meta.prefecture in seen, seen
    if name != "search":
        assert "ハンドブック" in seen, seen  # the site title (sidebar or phone header)
    if name == "case":
        assert set(THEMES[n] for n in _first_case().meta.themes) <= seen, seen


def test_boundaries_keep_words_and_names_whole():
    """The splitter (BudouX checked by Sudachi and the handbook's names): joined, the pieces
    are the text; no theme, 都道府県 or the site's name is cut."""
    case = _first_case()
    texts = [case.title, f"{case.meta.municipality}（{case.meta.prefecture}）", *THEMES.values()]
    for text in texts:
        assert "".join(pieces(text)) == text
        for name in [*THEMES.values(), case.meta.prefecture, "ハンドブック", "ナレッジベース"]:
            for m in re.finditer(re.escape(name), text):
                assert not [c for c in boundaries(text) if m.start() < c < m.end()], (text, name)
    assert len(pieces(case.title)) > 1  # a title does break somewhere


def _html_files(site: Path):
    return [p for p in site.rglob("*.html") if "_static" not in p.parts]


def test_no_break_marks_in_titles_meta_or_search_indexes(built_site):
    pages = _html_files(built_site)
    assert any("<wbr>" in p.read_text(encoding="utf-8") for p in pages)  # the site has them
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<title>.*?</title>|<meta [^>]*>", text, flags=re.S):
            assert "wbr" not in tag and "\u200b" not in tag, (page, tag)
    static = built_site / "_static"
    indexes = [built_site / "searchindex.js", *static.glob("handbook-search*.js"),
               *static.glob("handbook-search/**/*.js"), static / "handbook-cases.js"]  # fmt: skip
    for index in indexes:
        if index.name != "handbook-search.js":  # the query side's code writes <wbr> itself
            data = index.read_text(encoding="utf-8")
            assert "wbr" not in data and "\u200b" not in data, index


def test_marked_labels_keep_their_text_for_every_reader_but_html():
    """A marked heading and field list: the same text nodes with the same text (what the OGP
    description, the print editions and Sphinx's index read), <wbr> only in the HTML."""
    from docutils import nodes
    from docutils.core import publish_doctree, publish_from_doctree
    from docutils.writers import html5_polyglot

    from handbook_search.site.phrasebreaks import mark_labels, phrased_text, visit_phrased_text

    case = _first_case()
    label = f"{case.meta.municipality}（{case.meta.prefecture}）の{THEMES[case.meta.themes[0]]}"
    source = f"{label}\n{'=' * 40}\n\n:テーマ: {label}\n\n{label}\n"
    settings = {"report_level": 5, "doctitle_xform": False}
    doctree = publish_doctree(source, settings_overrides=settings)
    before = [str(t) for t in doctree.findall(nodes.Text)]
    mark_labels(None, doctree)
    assert [str(t) for t in doctree.findall(nodes.Text)] == before
    assert any(isinstance(t, phrased_text) for t in doctree.findall(nodes.Text))
    # the HTML writer with the extension's visitor, as Sphinx adds it (app.add_node)
    writer = html5_polyglot.Writer()
    writer.translator_class = type(
        "Translator", (html5_polyglot.HTMLTranslator,), {"visit_phrased_text": visit_phrased_text}
    )
    body = publish_from_doctree(doctree, writer=writer, settings_overrides=settings).decode()
    heading = re.search(r"<h[1-6].*?</h[1-6]>", body)[0]
    field = body[body.index("<dd") : body.index("</dd>")]
    paragraph = body[body.rindex("<p>") :]
    assert "<wbr>" in heading and "<wbr>" in field and "<wbr>" not in paragraph


@pytest.mark.slow
@pytest.mark.browser
def test_the_explorer_column_headers_render_on_one_line(sized, site_url):
    """A narrow column (支援の型 beside a wide テーマ column) does not stack its header one
    character a line."""
    sized.get(site_url + _pages()["explorer"])
    _ready(sized, "explorer")
    headers = sized.execute_script(
        "return [...document.querySelectorAll('.hx-table th')].map(th => th.textContent.trim())"
    )
    assert headers, "事例一覧の表に列見出しがありません / the explorer table has no headers"
    found = sized.execute_script(_WORD_LINES, headers, ".hx-table th", RUNNING)
    assert {f["word"] for f in found} == set(headers)
    broken = [f for f in found if max(f["tops"]) >= min(f["bottoms"])]
    assert not broken, broken


@pytest.mark.slow
@pytest.mark.browser
def test_a_results_section_line_breaks_only_between_phrases(browser, site_url):
    """A result found in a section shows 「§ section title」 with a break mark exactly where
    the section title may end a line (the index carries them)."""
    from handbook_search.lab.browser import wait_for_search

    pages = load_corpus(ROOT / "corpus").pages
    section = next(s for p in pages for s in p.sections[1:] if len(boundaries(s.title)) > 1)
    browser.get(site_url + "search.html?q=" + quote(section.title))
    assert wait_for_search(browser) == "done"
    lines = browser.execute_script(
        "return [...document.querySelectorAll('.hs-section')]"
        ".map(e => [e.textContent, e.querySelectorAll('wbr').length])"
    )
    assert lines, "no result shown a section"
    for text, marks in lines:
        assert text.startswith("§ ") and marks == len(boundaries(text[2:])), (text, marks)
    assert any(marks for _, marks in lines), lines  # the query's own section title breaks
