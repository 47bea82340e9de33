"""The print editions (`make pdf`): the whole book and one case's A4 handout, read back with poppler.

The PDFs are built once per session from the real corpus (the whole book, and the handout of one
case chosen from the corpus), then checked as a reader would: page count, the contents' page
numbers, the text layer (pdftotext), embedded fonts (pdffonts), Japanese line breaking, and one
page turned into a PNG (kept in pytest's tmp folder for a person to look at).

Without poppler-utils, Pango or fonts-noto-cjk the tests skip with the reason; under CI=true they
are installed with apt-get when running as root, and are a failure otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, build_site
from handbook_search.model.corpus import load_corpus
from handbook_search.model.vocab import wareki
from handbook_search.paper import pdf as paper_pdf
from handbook_search.paper.builder import page_anchor, running_head
from handbook_search.paper.main import apt_install, missing_requirements
from handbook_search.site.sphinxext import BOOK_PDF, PDF_DIR, case_pdf, year_pdf

pytestmark = pytest.mark.slow

POPPLER = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm")
LINE_START_FORBIDDEN = "。、」"
CORPUS = load_corpus(ROOT / "corpus")


def _missing() -> list[str]:
    tools = [t for t in POPPLER if not shutil.which(t)]
    return ([f"poppler-utils（{', '.join(tools)}）"] if tools else []) + missing_requirements()


@pytest.fixture(scope="session")
def pdf_tools() -> None:
    missing = _missing()
    if missing and os.environ.get("CI") == "true" and os.geteuid() == 0:
        done = apt_install((*paper_pdf.APT_PACKAGES, "poppler-utils"))
        missing = _missing()
        if missing:
            pytest.fail(
                f"CI=true: apt-get で入れられませんでした: {missing}\n{done.stderr[-2000:]}"
            )
    if missing:
        reason = f"PDF のテストを飛ばします（足りないもの: {'、'.join(missing)}）"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)


def handout_case():
    """A case whose handout shows a figure: the population in its case box, else a fact."""
    cases = CORPUS.cases()
    if not cases:
        pytest.skip("コーパスに事例がありません")
    return next((p for p in cases if p.meta.population), cases[0])


@pytest.fixture(scope="session")
def editions(pdf_tools, tmp_path_factory) -> Path:
    """`make pdf` for the whole book and one case's handout, into a fresh folder."""
    work = tmp_path_factory.mktemp("paper")
    case = handout_case()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "handbook_search.paper",
            "--src",
            str(ROOT),
            "--out",
            str(work / PDF_DIR),
            "--doctrees",
            str(work / "doctrees"),
            "--cases",
            Path(case.docname).name,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return work / PDF_DIR


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def pages_text(path: Path) -> list[str]:
    """The text layer, page by page."""
    return run("pdftotext", "-enc", "UTF-8", str(path), "-").split("\f")


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.M).group(1))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def first_sentence(page, title: str) -> str:
    section = next(s for s in page.sections if s.title == title)
    return flat(section.text).split("。")[0] + "。"


def check_fonts_and_lines(path: Path) -> None:
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "no fonts"
    for line in fonts:
        # the print fonts of paper.css (text, and code in Mono), nothing substituted
        assert re.search(r"Noto-Sans-(Mono-)?CJK-JP", line), line
        assert re.search(r"\byes\s+yes\s+yes\b", line), f"not embedded as a subset: {line}"
        assert "Type 3" not in line, line
    text = "\n".join(pages_text(path))
    starts = [
        ln for ln in text.splitlines() if ln.strip()[:1] and ln.strip()[0] in LINE_START_FORBIDDEN
    ]
    assert not starts, f"lines starting with 。、」: {starts[:5]}"


def test_the_handout_of_a_case_is_a4_with_its_box_figure_and_sentences(editions, tmp_path_factory):
    case = handout_case()
    path = editions / case_pdf(case)
    n = page_count(path)
    assert n >= 1
    assert "(A4)" in run("pdfinfo", str(path))
    text = flat("".join(pages_text(path)))
    m = case.meta
    assert m.municipality in text
    assert f"{wareki(m.fiscal_year)}（{m.fiscal_year}年度）" in text  # the case box
    if m.population:
        assert f"{m.population:,}人" in text
    for title in ("概要", "主な取組", "出典"):
        assert title in text
    assert first_sentence(case, "概要") in text
    # the handout leaves out what only the book has
    assert first_sentence(case, "成果・気づき") not in text
    check_fonts_and_lines(path)

    shots = tmp_path_factory.mktemp("pdf-pages")
    run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path), str(shots / "handout"))
    png = next(shots.glob("handout*.png"))
    from PIL import Image

    with Image.open(png) as image:
        ink = sum(image.convert("L").histogram()[:128])  # dark pixels
        assert image.width < image.height  # portrait
    assert ink > 5000, f"page 1 looks empty: {png}"
    print(f"\n一枚目の画像: {png}")


def test_the_book_has_cover_contents_with_page_numbers_and_every_page(editions):
    # one volume, or (large corpora) the book without cases + one volume per 年度
    volumes = [editions / BOOK_PDF, *sorted(editions.glob(year_pdf("*")))]
    seen = set()
    for path in volumes:
        pages = pages_text(path)
        n = page_count(path)
        assert "作成" in pages[0] and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", pages[0])
        contents = flat("".join(p for p in pages if "目次" in p[:200]))
        for page in CORPUS.pages:
            found = re.search(re.escape(flat(page.title)) + r"\.*(\d+)", contents)
            if not found:
                continue
            seen.add(page.docname)
            # the page number runs into the next entry when that one begins with a digit (a
            # theme's number): the longest leading part that is a page showing this title
            digits = found.group(1)
            numbers = [int(digits[:k]) for k in range(len(digits), 0, -1)]
            number = next(
                (k for k in numbers if 2 < k <= n and flat(page.title)[:20] in flat(pages[k - 1])),
                numbers[0],
            )
            assert 2 < number <= n
            printed = flat(pages[number - 1])
            assert flat(page.title)[:20] in printed, (page.title, number)
            assert flat(running_head(page)) in printed  # the running head of that page
            assert f"{number}/{n}" in printed  # the page number
        check_fonts_and_lines(path)
    printed_kinds = ("theme", "case", "guide", "glossary")
    assert seen == {p.docname for p in CORPUS.pages if p.kind in printed_kinds}
    case = handout_case()
    assert first_sentence(case, "成果・気づき") in flat(
        "".join("".join(pages_text(v)) for v in volumes)
    )


def page_lines(path: Path) -> list[list[tuple[float, float, str]]]:
    """Per page, its lines as (top, height, text) from pdftotext's word boxes, top to bottom."""
    from bs4 import BeautifulSoup

    xhtml = run("pdftotext", "-enc", "UTF-8", "-bbox-layout", str(path), "-")
    out = []
    for page in BeautifulSoup(xhtml, "html.parser").find_all("page"):
        lines = [
            (float(ln["ymin"]), float(ln["ymax"]) - float(ln["ymin"]), ln.get_text(strip=True))
            for ln in page.find_all("line")
        ]
        out.append(sorted(lines))
    return out


def test_no_heading_stands_alone_at_the_foot_of_a_page(editions):
    """The last line printed on a page (above the page number) is never a heading: a 年度
    heading keeps with its first case, a section title with its first paragraph. A heading is
    a line set larger than the body text (paper.css: body 9.5pt, h3 10.5pt and up), measured
    against the page number (8pt)."""
    case = handout_case()
    printed = [editions / BOOK_PDF, *sorted(editions.glob(year_pdf("*")))]
    printed.append(editions / case_pdf(case))
    for path in printed:
        for number, lines in enumerate(page_lines(path)[:-1], start=1):
            folio = [ln for ln in lines if re.fullmatch(r"\d+\s*/\s*\d+", ln[2].strip())]
            if not folio:
                continue  # the cover
            per_pt = folio[0][1] / 8  # the page number is set in 8pt (paper.css)
            content = [ln for ln in lines if ln not in folio]
            big = [ln for ln in content if ln[1] / per_pt > 10]  # larger than body text
            if len(big) < len(content) - 2:  # not a part's title page
                last = max(content)
                assert last[1] / per_pt <= 10, (path.name, number, last[2])


def test_the_site_links_the_editions_that_were_built(editions, built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    shutil.copytree(editions, site / PDF_DIR)
    result = build_site(ROOT, site)  # incremental: only the pages whose links changed
    assert result.returncode == 0, result.stderr
    case = handout_case()
    page = (site / case.url).read_text(encoding="utf-8")
    assert f'href="../../{PDF_DIR}/{case_pdf(case)}"' in page
    home = (site / "docs/index.html").read_text(encoding="utf-8")
    assert f'href="../{PDF_DIR}/{BOOK_PDF}"' in home
    others = [p for p in CORPUS.cases() if p.docname != case.docname]
    for other in others[:1]:  # no link where no PDF was built
        assert ".pdf" not in (site / other.url).read_text(encoding="utf-8")


# Sphinx in this process: MyST's resolver uses an API that Sphinx 11 removes (not ours)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_past_the_split_the_book_has_one_volume_per_year(editions):
    """The split of large corpora, on the real corpus with the threshold at 1 case (print HTML
    only: the doctrees of the session's build are reused, nothing is rendered)."""
    from sphinx.application import Sphinx

    app = Sphinx(
        str(ROOT),
        str(ROOT / "docs"),
        str(editions.parent / "split"),
        str(editions.parent / "doctrees"),
        "paper",
        confoverrides={"handbook_paper_split": 1},
        status=None,
        warning=None,
    )
    app.builder.prepare_writing(set())
    volumes = dict(app.builder.volumes(app.handbook_corpus))
    years = sorted({p.meta.fiscal_year for p in CORPUS.cases()}, reverse=True)
    assert list(volumes) == [BOOK_PDF, *(year_pdf(y) for y in years)]
    for case in CORPUS.cases():
        # the case's article, not a sentence: a theme page may quote a case's summary
        article = f'id="{page_anchor(case.docname)}"'
        own = year_pdf(case.meta.fiscal_year)
        assert year_pdf(case.meta.fiscal_year) in volumes[BOOK_PDF]  # the book lists the volumes
        for name, text in volumes.items():
            assert (article in text) == (name == own), name


def test_a_character_the_font_lacks_is_reported_not_printed(pdf_tools):
    assert paper_pdf.missing_glyphs("出雲市、172,540人。「たすけあい」①～") == []
    assert paper_pdf.missing_glyphs("通いの場\ue000") == ["\ue000"]
    assert paper_pdf.font_file("No Such Font JP") is None


def test_make_pdf_says_exactly_what_is_missing(monkeypatch, capsys):
    import handbook_search.paper.main as paper_main

    monkeypatch.setenv("CI", "false")  # no apt-get here
    monkeypatch.setattr(paper_main, "FONT_FAMILY", "No Such Font JP")
    assert paper_main.main(["--check"]) == 2
    err = capsys.readouterr().err
    assert "No Such Font JP" in err
    assert "apt-get install" in err and "fonts-noto-cjk" in err


def test_pdfs_render_in_two_spawned_workers_largest_first_with_a_line_each(pdf_tools, tmp_path):
    """The parallel path of `make pdf` (render_all, workers=2) on a handful of tiny pages: each
    PDF has its own text, one Japanese line per PDF on stderr, and the largest starts first."""
    import io

    words = ["出雲市の通いの場", "美里町の協議体", "南大隅町の担い手", "士幌町の移動支援"]
    jobs = []
    for n, word in enumerate(words):
        html = tmp_path / f"p{n}.html"
        body = f"<h1>{word}</h1>" + "<p>地域づくりの話し合い。</p>" * (n + 1)
        html.write_text(
            f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"></head><body>{body}</body></html>',
            encoding="utf-8",
        )
        jobs.append((html, tmp_path / "out" / f"p{n}.pdf"))
    assert paper_pdf.largest_first(jobs)[0][0].name == "p3.html"
    out = io.StringIO()
    paper_pdf.render_all(jobs, workers=2, out=out)
    for (_, pdf), word in zip(jobs, words, strict=True):
        assert flat(word) in flat(run("pdftotext", "-enc", "UTF-8", str(pdf), "-"))
        assert not pdf.with_suffix(".pdf.part").exists()
    lines = out.getvalue().splitlines()
    assert len(lines) == len(jobs)
    assert all(line.startswith("PDF を作りました（") for line in lines)
    assert {line.split(": ")[1].split("（")[0] for line in lines} == {f"p{n}.pdf" for n in range(4)}
