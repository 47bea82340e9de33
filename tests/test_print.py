"""Printouts on A4 (issue 24, point 7), from the browser (handbook.css, @media print) and from
`make pdf` (paper/paper.css, WeasyPrint): a table's header row never ends a page without its
first row, links to other sites print their address after the text, and 「一般的な解説」 stays
apart from the text around it in grayscale (a dashed frame, not only a tint).

Chromium prints the session's built site (test_readers.printed_text: Page.printToPDF, read back
with pdftotext); the table check prints a small generated page in which a table starts at every
height near the foot of a page, so that some header row must fall there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from test_pdf import pdf_tools, run  # noqa: F401  (pdf_tools: poppler, Pango and the fonts)
from test_readers import _contrast, _pdftotext, printed_text

pytestmark = [pytest.mark.slow]

HEADER = ("見出しの項目", "見出しの内容")
ROW = "行{n}の項目"
ROWS = 3
LINK_CSS = "article a[href^='http']:not(nav a, form a, .handbook-search a)"


def tables_near_the_foot(content_height_mm: float, head: str = "") -> str:
    """A page of A4 sheets, each with an empty block and then a small table, the block a little
    shorter each time: on some sheet the table's header row falls at the foot of the page.
    `content_height_mm`: the printable height of a sheet (A4 less the page margins)."""
    rows = "".join(
        f"<tr><td>{ROW.format(n=n)}</td><td>一行目<br>二行目<br>三行目</td></tr>"
        for n in range(1, ROWS + 1)
    )
    table = (
        f'<div class="table-wrapper"><table><thead><tr><th>{HEADER[0]}</th><th>{HEADER[1]}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    sheets = "".join(
        f'<section style="break-before: page"><div style="height: {content_height_mm - gap}mm">'
        f"</div>{table}</section>"
        for gap in range(2, 150, 3)
    )
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>表</title>{head}'
        f'</head><body><article class="page">{sheets}</article></body></html>'
    )


def headers_left_alone(text: str) -> list[tuple[int, list[str]]]:
    """The pages (from 1) on which a table's header row is not followed by a row's first line."""
    alone = []
    for number, page in enumerate(text.split("\f"), start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        heads = [i for i, line in enumerate(lines) if HEADER[0] in line or HEADER[1] in line]
        row = re.compile(ROW.format(n=r"\d+"))
        if heads and not any(row.search(line) for line in lines[heads[-1] + 1 :]):
            alone.append((number, lines[-3:]))
    return alone


# -- the browser's print (handbook.css) ---------------------------------------------------
@pytest.fixture
def print_media(browser):
    """The shared browser with print media emulated (screen again afterwards)."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    yield browser
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.browser
def test_a_printed_page_keeps_each_table_header_with_its_first_row(browser, site_url, tmp_path):
    css = "".join(
        f'<link rel="stylesheet" href="{site_url}_static/{name}">'
        for name in ("styles/furo.css", "handbook.css")
    )
    # A4 (297 mm) less handbook.css's @page margins (15 mm above and below)
    (tmp_path / "tables.html").write_text(tables_near_the_foot(297 - 30, css), encoding="utf-8")
    browser.get((tmp_path / "tables.html").as_uri())
    assert browser.execute_script("return document.styleSheets.length") >= 2
    text = printed_text(browser, tmp_path, _pdftotext())
    assert text.count(HEADER[0]) > text.count("\f") // 2  # the header repeats on each page
    assert not headers_left_alone(text)


@pytest.mark.browser
def test_a_printed_case_page_prints_the_addresses_of_its_links_to_other_sites(
    browser, site_url, built_site, tmp_path
):
    """Every link of the article to another site (its sources) is followed by its address on
    paper; links inside the site print no address."""
    from bs4 import BeautifulSoup

    def external(path: Path) -> list[str]:
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return [a["href"] for a in html.select(LINK_CSS)]

    cases = sorted(built_site.glob("corpus/cases/*.html"), key=lambda p: p.stat().st_size)
    page = next(p for p in cases if external(p))  # the shortest with one (printing is slow)
    browser.get(site_url + page.relative_to(built_site).as_posix())
    # pdftotext drops a hyphen that ends a line (an address wraps anywhere): compare without
    flat = "".join(printed_text(browser, tmp_path, _pdftotext()).split()).replace("-", "")
    for href in external(page):
        assert f"（{href.replace('-', '')}）" in flat, href
    internal = browser.execute_script(
        "return [...document.querySelectorAll('article a[href]:not([href^=\"http\"])')]"
        ".map(a => a.getAttribute('href')).filter(h => !h.startsWith('#'))"
    )
    assert internal and not any(f"（{href}）" in flat for href in internal)


@pytest.mark.browser
def test_general_explanations_print_with_a_dashed_frame(print_media, site_url):
    """In print, 「一般的な解説」 has a dashed dark frame (3:1 at least on white paper, in gray)
    and its printed title."""
    theme = next(
        p
        for p in load_corpus(ROOT / "corpus").by_kind("theme")
        if "{admonition} 一般的な解説" in p.path.read_text("utf-8")
    )
    print_media.get(site_url + theme.url)
    style = print_media.execute_script(
        "const box = document.querySelector('.admonition.general'), s = getComputedStyle(box);"
        "const title = box.querySelector('.admonition-title');"
        "return {left: s.borderLeftStyle, top: s.borderTopStyle, width: parseFloat(s.borderLeftWidth),"
        " colour: s.borderLeftColor, title: title.innerText, shown: title.offsetHeight > 0,"
        " media: matchMedia('print').matches};"
    )
    assert style["media"]
    assert style["left"] == style["top"] == "dashed" and style["width"] >= 3, style
    assert _contrast(_gray(style["colour"]), "rgb(255, 255, 255)") >= 3, style
    assert style["shown"] and style["title"].strip() == "一般的な解説", style


def _gray(css: str) -> str:
    """A CSS rgb() colour as a gray printer prints it (its luminance, ITU-R BT.709 weights)."""
    r, g, b = (float(x) for x in re.findall(r"[\d.]+", css)[:3])
    y = round(0.2126 * r + 0.7152 * g + 0.0722 * b)
    return f"rgb({y}, {y}, {y})"


# -- the PDF editions (paper.css, WeasyPrint) -----------------------------------------------
def test_the_pdf_editions_keep_each_table_header_with_its_first_row(pdf_tools, tmp_path):  # noqa: F811
    from handbook_search.paper import pdf as paper_pdf

    # A4 less paper.css's @page margins (20 mm above, 18 mm below)
    (tmp_path / "tables.html").write_text(tables_near_the_foot(297 - 38), encoding="utf-8")
    paper_pdf.write_pdf(tmp_path / "tables.html", tmp_path / "tables.pdf")
    text = run("pdftotext", "-enc", "UTF-8", str(tmp_path / "tables.pdf"), "-")
    assert text.count(HEADER[0]) > text.count("\f") // 2
    assert not headers_left_alone(text)


def test_the_pdf_editions_frame_general_explanations_with_dashes(pdf_tools):  # noqa: F811
    """paper.css as WeasyPrint applies it: 「一般的な解説」 dashed, another box solid."""
    from weasyprint import CSS, HTML

    from handbook_search.paper import pdf as paper_pdf

    html = (
        '<div class="admonition general"><p class="admonition-title">一般的な解説</p><p>本文</p>'
        '</div><div class="admonition note"><p class="admonition-title">注記</p><p>本文</p></div>'
    )
    document = HTML(string=html).render(stylesheets=[CSS(filename=str(paper_pdf.STYLESHEET))])
    styles = {}
    boxes = [document.pages[0]._page_box]  # WeasyPrint's laid-out boxes, with their styles
    while boxes:
        box = boxes.pop()
        boxes += getattr(box, "children", [])
        if box.element_tag == "div":
            styles[box.element.get("class")] = (
                box.style["border_left_style"],
                box.style["border_top_style"],
            )
    assert styles["admonition general"] == ("dashed", "dashed"), styles
    assert styles["admonition note"] == ("solid", "solid"), styles
