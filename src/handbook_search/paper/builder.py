"""The ``paper`` Sphinx builder: the print editions, from the same doctrees as the site.

``sphinx-build -b paper -c docs . build/html/pdf`` (``make pdf``) writes

- ``handbook.pdf``: cover with the date, contents with page numbers, the 10 themes, the cases
  (by 年度, each with its case box), the guides and the glossary;
- ``cases/<name>.pdf``: one A4 handout per case (case box, 概要, 支援の経過, 主な取組, 出典).

Every page goes through the site's own reading (MyST, the case box of site/sphinxext.py, term
links), so there is no second copy of any text. Ids are scoped by page (``<docname>/<id>``) so the
概要 of one case is not the 概要 of the next inside the book. The print HTML is kept next to the
doctrees; a PDF is rendered again only when its HTML or paper.css changed.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxError
from sphinx.util import logging

from handbook_search.model.corpus import Corpus
from handbook_search.model.page import Page
from handbook_search.model.vocab import case_label
from handbook_search.paper import pdf
from handbook_search.site.sphinxext import BOOK_PDF, case_pdf, year_label, year_pdf

logger = logging.getLogger(__name__)

BOOK_TITLE = "地域づくり支援ハンドブック ナレッジベース"
# The sections of a case that go on its handout, in the page's own order.
HANDOUT_SECTIONS = ("概要", "支援の経過", "主な取組", "出典")
PARTS = (("theme", "10のテーマ"), ("case", "事例"), ("guide", "解説"), ("glossary", "用語集"))


def page_anchor(docname: str) -> str:
    return "document-" + docname


# A section's opening tag and the heading it opens (docutils' HTML5 writer: extra ids as spans).
_SECTION_HEAD = re.compile(r'<section([^>]*)>\s*((?:<span id="[^"]*"></span>\s*)*)<h([1-6])>')


def flatten_sections(fragment: str) -> str:
    r"""The print HTML without nested <section>s: each section's id moves onto its heading, so
    headings and paragraphs are siblings and WeasyPrint keeps a heading with what follows
    (break-after: avoid is not honoured across nested sections: 主な取組 then its first ###).
    The spans of a section's other ids go inside its heading: alone between blocks they would
    make an anonymous block, a place to break between a heading and its text.

    >>> flatten_sections('<section id="a"><h1>T</h1><section id="b">\n<span id="c"></span><h2>U</h2><p>x</p></section></section>')
    '<h1 id="a">T</h1><h2 id="b"><span id="c"></span>U</h2><p>x</p>'
    """
    out = _SECTION_HEAD.sub(lambda m: f"<h{m[3]}{m[1]}>{m[2].replace(chr(10), '')}", fragment)
    return out.replace("</section>", "") if "<section" not in out else fragment


def title_id(page: Page, doctree: nodes.document) -> str:
    """Where the 目次 entry points: the page's printed title (its h1, which carries the top
    section's id), so the page number is that of the title, not of the article's box."""
    top = next(iter(doctree.findall(nodes.section)), None)
    return top["ids"][0] if top is not None and top["ids"] else page_anchor(page.docname)


def running_head(page: Page) -> str:
    m = page.meta
    if page.kind == "case":
        return case_label(m.municipality, m.prefecture, m.fiscal_year)
    if page.kind == "theme":
        return f"テーマ{m.theme} {page.title}"
    return page.title


def build_date(config_value: str) -> dt.date:
    """The cover's date: the configured one, else SOURCE_DATE_EPOCH, else today (UTC+9)."""
    if config_value:
        return dt.date.fromisoformat(config_value)
    if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()


def _document(title: str, body_class: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body class="{body_class}">\n{body}\n</body></html>\n'
    )


def _write_if_changed(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


class GlyphError(SphinxError):
    category = "PDF のフォント"


class PaperBuilder(StandaloneHTMLBuilder):
    """Sphinx doctrees → print HTML → PDF (see the module docstring)."""

    name = "paper"
    format = "html"
    epilog = "PDF を %(outdir)s に作りました。"
    copysource = False
    search = False
    use_index = False

    def init(self) -> None:
        # no site theme (furo would write its files into the PDF folder): paper.css does it all;
        # and the site search index is the html builder's business, not the print editions'
        self.config.html_theme = "basic"
        self.config.html_theme_options = {}  # the site theme's (furo) options mean nothing here
        self.config.handbook_site_search = False
        super().init()
        self.workdir = Path(self.doctreedir).parent / "print-html"
        self._text: dict[str, str] = {}  # docname → text printed, for the glyph check

    def get_outdated_docs(self) -> str:
        return "all documents"

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return "#" + page_anchor(docname)

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return self.get_target_uri(to, typ)

    def copy_assets(self) -> None:
        pass  # no theme files: paper.css is passed to WeasyPrint directly

    # -- one page → HTML fragment ---------------------------------------------------------
    def _doctree(self, page: Page, inside: set[str]) -> nodes.document:
        """The page's resolved doctree, ids scoped by page; links to pages that are not
        `inside` the same PDF keep only their text."""
        doctree = self.env.get_and_resolve_doctree(page.docname, self, tags=self.tags)
        prefix = page.docname + "/"
        for node in doctree.findall(nodes.Element):
            if node.get("ids"):
                node["ids"] = [prefix + i for i in node["ids"]]
            if node.get("refid"):
                node["refid"] = prefix + node["refid"]
            if node.get("backrefs"):
                node["backrefs"] = [prefix + i for i in node["backrefs"]]
            uri = node.get("refuri", "")
            if uri.startswith("#document-") and "#" in uri[1:]:
                doc, _, anchor = uri[len("#document-") :].partition("#")
                node["refuri"] = f"#{doc}/{anchor}"
        for table in doctree.findall(nodes.table):  # a label line above a table keeps with it
            before = table.previous_sibling()
            if isinstance(before, nodes.paragraph):
                before["classes"].append("table-label")
        for ref in list(doctree.findall(nodes.reference)):
            uri = ref.get("refuri", "")
            if not uri.startswith("#"):
                continue
            target = uri[len("#document-") :] if uri.startswith("#document-") else uri[1:]
            if target not in inside and target.rpartition("/")[0] not in inside:
                ref.replace_self(nodes.inline("", "", *ref.children))
        return doctree

    def _fragment(self, page: Page, doctree: nodes.document, depth: int) -> str:
        doctree.settings = self.docsettings
        self.secnumbers, self.fignumbers = {}, {}
        self.current_docname = page.docname
        self.imgpath = "../" * depth + "_images"
        self.dlpath = "../" * depth + "_downloads"
        self.post_process_images(doctree)
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        self._text[page.docname] = doctree.astext()
        return flatten_sections("".join(visitor.fragment))

    def _article(self, page: Page, fragment: str) -> str:
        head = html.escape(running_head(page), quote=True)
        return (
            f'<article class="page page-{page.kind}" id="{page_anchor(page.docname)}" '
            f'data-head="{head}">\n{fragment}{self._source_urls(page)}</article>\n'
        )

    @staticmethod
    def _source_urls(page: Page) -> str:
        """The URLs of the page's sources (front matter `url`, where given)."""
        items = [
            f"<li>{html.escape(s.title)}: <span class='url'>{html.escape(s.url)}</span></li>"
            for s in (getattr(page.meta, "sources", None) or [])
            if getattr(s, "url", None)
        ]
        if not items:
            return ""
        return f'<p class="source-urls-title">出典の URL</p><ul class="source-urls">{"".join(items)}</ul>\n'

    # -- the book ----------------------------------------------------------------------------
    def _parts(self, corpus: Corpus) -> list[tuple[str, str, list[tuple[str, list[Page]]]]]:
        """(kind, part title, [(group heading, pages)]) in book order; cases grouped by 年度."""
        parts = []
        for kind, label in PARTS:
            if kind == "theme":
                pages = sorted(corpus.by_kind("theme"), key=lambda p: p.meta.theme)
            elif kind == "case":
                pages = corpus.cases()
            else:
                pages = sorted(corpus.by_kind(kind), key=lambda p: p.docname)
            if not pages:
                continue
            if kind == "case":
                years = sorted({p.meta.fiscal_year for p in pages}, reverse=True)
                sub = [
                    (year_label(y), [p for p in pages if p.meta.fiscal_year == y]) for y in years
                ]
            else:
                sub = [("", pages)]
            parts.append((kind, label, sub))
        return parts

    def volumes(self, corpus: Corpus) -> list[tuple[str, str]]:
        """(pdf name, print HTML) of the whole book: one volume, or, past
        `handbook_paper_split` cases, the book without the cases plus one volume per 年度."""
        parts = self._parts(corpus)
        cases = [sub for kind, _, sub in parts if kind == "case"]
        years = cases[0] if cases else []
        if sum(len(pages) for _, pages in years) <= self.config.handbook_paper_split:
            return [(BOOK_PDF, self._volume("印刷版（全体）", parts))]
        listing = "".join(
            f"<li>{html.escape(heading)}: {len(pages)} 件（{year_pdf(pages[0].meta.fiscal_year)}）</li>"
            for heading, pages in years
        )
        note = f'<p>事例は年度ごとの分冊にあります。</p><ul class="volumes">{listing}</ul>'
        main = [(k, label, sub if k != "case" else []) for k, label, sub in parts]
        total = sum(len(pages) for _, pages in years)
        edition = f"印刷版（全体・事例 {total} 件は年度別の分冊 {len(years)} 冊）"
        out = [(BOOK_PDF, self._volume(edition, main, {"case": note}))]
        for heading, pages in years:
            part = [("case", f"事例 {heading}", [("", pages)])]
            out.append(
                (year_pdf(pages[0].meta.fiscal_year), self._volume(f"事例編 {heading}", part))
            )
        return out

    def _volume(self, edition: str, parts, notes: dict[str, str] | None = None) -> str:
        date = build_date(self.config.handbook_paper_date)
        inside = {p.docname for _, _, sub in parts for _, pages in sub for p in pages}
        toc, body = [], []
        for kind, label, sub in parts:
            toc.append(f'<li class="toc-part"><a href="#part-{kind}">{html.escape(label)}</a><ol>')
            body.append(
                f'<section class="part" id="part-{kind}" data-head="{html.escape(label)}">'
                f'<h1 class="part-title">{html.escape(label)}</h1>{(notes or {}).get(kind, "")}'
                "</section>"
            )
            for n, (heading, pages) in enumerate(sub):
                if heading:
                    anchor = f"part-{kind}-{n}"
                    toc.append(
                        f'<li class="toc-group"><a href="#{anchor}">{html.escape(heading)}</a></li>'
                    )
                    body.append(f'<h2 class="part-group" id="{anchor}">{html.escape(heading)}</h2>')
                for page in pages:
                    doctree = self._doctree(page, inside)
                    toc.append(
                        f'<li><a href="#{html.escape(title_id(page, doctree))}">'
                        f"{html.escape(page.title)}</a></li>"
                    )
                    body.append(self._article(page, self._fragment(page, doctree, 0)))
            toc.append("</ol></li>")

        counts = "・".join(
            f"{label} {sum(len(p) for _, p in sub)}" for kind, label, sub in parts if sub
        )
        cover = (
            '<section class="cover">'
            f'<h1 class="cover-title">{html.escape(BOOK_TITLE)}</h1>'
            f'<p class="cover-edition">{html.escape(edition)}</p>'
            f'<p class="cover-counts">{html.escape(counts)}</p>'
            f'<p class="cover-date">{date.year}年{date.month}月{date.day}日 作成</p>'
            "</section>"
        )
        contents = f'<nav class="toc"><h1 class="toc-title">目次</h1><ol>{"".join(toc)}</ol></nav>'
        return _document(f"{BOOK_TITLE} {edition}", "book", cover + contents + "\n".join(body))

    # -- one case on A4 -----------------------------------------------------------------------
    def _handout(self, page: Page) -> str:
        doctree = self._doctree(page, {page.docname})
        top = next(iter(doctree.findall(nodes.section)), None)
        if top is not None:
            for section in [c for c in top.children if isinstance(c, nodes.section)]:
                title = next(iter(section.findall(nodes.title)), None)
                if title is None or title.astext() not in HANDOUT_SECTIONS:
                    top.remove(section)
        note = (
            '<p class="handout-note">この資料は「'
            f"{html.escape(BOOK_TITLE)}」の事例ページから、{'・'.join(HANDOUT_SECTIONS)}を抜き出したものです。"
            "地域の状況、成果・気づき、今後の展開はナレッジベースの事例ページと全体版 PDF にあります。</p>"
        )
        body = self._article(page, self._fragment(page, doctree, 1)) + note
        return _document(page.title, "handout", body)

    # -- writing ----------------------------------------------------------------------------
    def write_documents(self, docnames) -> None:
        corpus: Corpus = self.app.handbook_corpus  # type: ignore[attr-defined]
        outdir = Path(self.outdir)
        self._text = {}
        self._checked: dict[str, str] = {}  # docname → text the glyph check passed
        workers = self.config.handbook_paper_workers or os.cpu_count() or 1

        def outdated(pairs: list[tuple[Path, str, Path]]) -> list[tuple[Path, Path]]:
            """Write the print HTML; the (html, pdf) jobs whose PDF is missing or older."""
            jobs = []
            for html_path, text, pdf_path in pairs:
                changed = _write_if_changed(html_path, text)
                fresh = pdf_path.exists() and pdf_path.stat().st_mtime >= max(
                    html_path.stat().st_mtime, pdf.STYLESHEET.stat().st_mtime
                )
                if changed or not fresh:
                    jobs.append((html_path, pdf_path))
            return jobs

        def html_of(name: str) -> Path:
            return self.workdir / Path(name).with_suffix(".html")

        # The volumes render in the workers while this process writes the handouts' HTML.
        # Every batch passes the glyph check before it is rendered (the book holds every page,
        # so a missing glyph stops the build before any PDF is made).
        with pdf.Renderer(workers) as renderer:
            books = self.volumes(corpus) if self.config.handbook_paper_book else []
            book_jobs = outdated([(html_of(name), text, outdir / name) for name, text in books])
            if self.config.handbook_paper_book:  # volumes of years that are gone
                for stale in set(outdir.glob(year_pdf("*"))) - {outdir / n for n, _ in books}:
                    stale.unlink()
            self._check_glyphs()
            self._copy_images()  # the images the HTML written so far uses (post_process_images)
            renderer.submit(book_jobs)
            wanted = self.config.handbook_paper_cases
            cases = [p for p in corpus.cases() if wanted and Path(p.docname).match(wanted)]
            case_jobs = outdated(
                [(html_of(case_pdf(p)), self._handout(p), outdir / case_pdf(p)) for p in cases]
            )
            if wanted == "*":  # handouts of cases that are gone
                keep = {outdir / case_pdf(p) for p in cases}
                for old in {p.parent for p in keep} | {outdir / "cases"}:
                    for stale in old.glob("*.pdf"):
                        if stale not in keep:
                            stale.unlink()
            self._check_glyphs()
            self._copy_images()
            logger.info(
                "PDF を作ります: %d 件（変更のないものは作り直しません）",
                len(book_jobs) + len(case_jobs),
            )
            renderer.submit(case_jobs)

    def _check_glyphs(self) -> None:
        """Stop before printing blank boxes: every character must be in the print font."""
        problems = []
        for docname, text in sorted(self._text.items()):
            if self._checked.get(docname) == text:  # checked with an earlier batch
                continue
            try:
                missing = pdf.missing_glyphs(text)
            except FileNotFoundError:
                raise GlyphError(
                    f"PDF に使うフォント {pdf.FONT_FAMILY} が見つかりません"
                    "（Debian: apt-get install fonts-noto-cjk）"
                ) from None
            if missing:
                chars = " ".join(f"{c}(U+{ord(c):04X})" for c in missing)
                problems.append(f"{self.env.doc2path(docname)}: {chars}")
        self._checked.update(self._text)
        if problems:
            raise GlyphError(
                f"PDF のフォント {pdf.FONT_FAMILY} にない文字があります"
                "（印刷すると空白の四角になるため、PDF を作りません）:\n" + "\n".join(problems)
            )

    def _copy_images(self) -> None:
        for src, dest in self.images.items():
            target = self.workdir / "_images" / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            data = (Path(self.srcdir) / src).read_bytes()
            # unchanged images stay as they are: a worker may be reading them for a PDF
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)

    def finish(self) -> None:
        pass


def setup(app: Sphinx) -> dict:
    app.add_builder(PaperBuilder)
    app.add_config_value("handbook_paper_date", "", "", types=[str])
    app.add_config_value("handbook_paper_book", True, "", types=[bool])
    app.add_config_value("handbook_paper_cases", "*", "", types=[str])
    app.add_config_value("handbook_paper_workers", 0, "", types=[int])
    # past this many cases the book is split: the book without cases + one volume per 年度
    app.add_config_value("handbook_paper_split", 200, "", types=[int])
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": False}
