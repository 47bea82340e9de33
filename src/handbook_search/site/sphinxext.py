"""Sphinx glue: everything generated from page metadata.

- a metadata box at the top of every case page (自治体, 都道府県, 厚生局, 年度, テーマ …);
- ``{case-list}``: the table of all cases; ``{theme-cases}``: the cases tagged with the
  current theme page's number; ``{theme-list}``: the 10 themes.
- links to the print editions (``make pdf``, handbook_search.paper) when they were built: the
  case's A4 handout under its case box, ``{print-edition}`` for the whole book (home page);
- corpus problems (the validator's rules) are Sphinx warnings, so ``-W`` fails the build;
- the site search: ``_static/handbook-search-index.js`` (searchindex.py) for the search page of
  docs/_templates/search.html (``-D handbook_site_search=0`` keeps Sphinx's own search page).

It holds no logic of its own beyond turning the page model into docutils nodes.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from handbook_search.model.corpus import Corpus, load_corpus
from handbook_search.model.page import Page
from handbook_search.model.vocab import THEMES, wareki

logger = logging.getLogger(__name__)

# The print editions live in the site under pdf/ (`make pdf` writes them, then builds the site).
PDF_DIR = "pdf"
BOOK_PDF = "handbook.pdf"


def case_pdf(page: Page) -> str:
    """A case's A4 handout, relative to PDF_DIR."""
    return f"cases/{Path(page.docname).name}.pdf"


def year_pdf(year: int | str) -> str:
    """The cases of one 年度, when the book is split (large corpora), relative to PDF_DIR."""
    return f"handbook-cases-{year}.pdf"


def year_label(year: int) -> str:
    return f"{wareki(year)}（{year}年度）"


def corpus_of(app: Sphinx) -> Corpus:
    return app.handbook_corpus  # type: ignore[attr-defined]


def _load(app: Sphinx) -> None:
    root = Path(app.config.handbook_corpus_dir or Path(app.srcdir) / "corpus").resolve()
    corpus = load_corpus(root)
    for problem in corpus.problems:
        logger.warning(str(problem), type="handbook", subtype="validate")
    app.handbook_corpus = corpus  # type: ignore[attr-defined]


def doc_link(docname: str, text: str, refdoc: str) -> addnodes.pending_xref:
    """A link to another page, resolved (and checked) by Sphinx like {doc}."""
    ref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="doc",
        reftarget="/" + docname,
        refexplicit=True,
        refwarn=True,
        refdoc=refdoc,
    )
    ref += nodes.inline(text, text)
    return ref


def theme_links(corpus: Corpus, numbers: list[int], refdoc: str) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, n in enumerate(numbers):
        if i:
            out.append(nodes.Text("、"))
        label = f"{n} {THEMES[n]}"
        page = corpus.theme_page(n)
        out.append(doc_link(page.docname, label, refdoc) if page else nodes.Text(label))
    return out


def _para(*children: nodes.Node | str) -> nodes.paragraph:
    para = nodes.paragraph()
    for c in children:
        para += nodes.Text(c) if isinstance(c, str) else c
    return para


def case_box(corpus: Corpus, page: Page) -> nodes.container:
    """The metadata box shown under a case page's title."""
    m = page.meta
    rows: list[tuple[str, list[nodes.Node] | str]] = [
        ("自治体", m.municipality),
        ("都道府県", m.prefecture),
        ("厚生局", m.bureau),
        ("年度", year_label(m.fiscal_year)),
    ]
    if m.support_type:
        rows.append(("支援の型", m.support_type))
    if m.population:
        rows.append(("人口", f"{m.population:,}人"))
    if m.aging_rate is not None:
        rows.append(("高齢化率", f"{m.aging_rate}%"))
    rows.append(("テーマ", theme_links(corpus, m.themes, page.docname)))
    fields = nodes.field_list()
    for name, value in rows:
        body = _para(*value) if isinstance(value, list) else _para(value)
        fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", body))
    box = nodes.container(classes=["handbook-case-box"])
    box += fields
    return box


def _pdf_links(app: Sphinx, docname: str, wanted: list[tuple[str, str]]) -> list[nodes.Node]:
    """Links to those of the print editions `wanted` ((file, text)) that `make pdf` built; what
    existed is kept so that _outdated reads the page again when that changes."""
    found = {pdf: (Path(app.outdir) / PDF_DIR / pdf).is_file() for pdf, _ in wanted}
    app.env.handbook_pdf_links[docname] = found  # type: ignore[attr-defined]
    prefix = "../" * docname.count("/") + PDF_DIR + "/"
    return [nodes.reference("", text, refuri=prefix + pdf) for pdf, text in wanted if found[pdf]]


def _insert_case_box(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    page = next((p for p in corpus_of(app).by_kind("case") if p.docname == docname), None)
    if page is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    title_at = next((i for i, c in enumerate(section.children) if isinstance(c, nodes.title)), -1)
    section.insert(title_at + 1, case_box(corpus_of(app), page))
    links = _pdf_links(app, docname, [(case_pdf(page), "印刷用 PDF（A4・要点）")])
    if links:
        section.insert(title_at + 2, nodes.paragraph("", "", *links, classes=["handbook-pdf"]))


def _table(
    headers: list[str], rows: list[list[list[nodes.Node] | str]], classes: list[str]
) -> nodes.table:
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", _para(h))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", _para(*cell) if isinstance(cell, list) else _para(cell))
        body += row
    return table


class _ListingDirective(SphinxDirective):
    """Base of the generated listings: re-read whenever a corpus page changes."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.handbook_listing_docs.add(self.env.docname)  # type: ignore[attr-defined]
        return self.nodes(corpus_of(self.env.app))

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        raise NotImplementedError


class CaseList(_ListingDirective):
    """All cases: newest year first, then prefectures north to south."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        here = self.env.docname
        rows = [
            [
                f"{wareki(p.meta.fiscal_year)}（{p.meta.fiscal_year}）",
                [doc_link(p.docname, p.meta.municipality, here)],
                p.meta.prefecture,
                p.meta.bureau,
                theme_links(corpus, p.meta.themes, here),
                p.meta.summary or "",
            ]
            for p in corpus.cases()
        ]
        if not rows:
            return [_para("事例はまだありません。")]
        headers = ["年度", "自治体", "都道府県", "厚生局", "テーマ", "概要"]
        return [_table(headers, rows, ["handbook-case-list"])]


class ThemeCases(_ListingDirective):
    """The cases tagged with the theme of the page this directive stands on."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        here = self.env.docname
        page = next((p for p in corpus.by_kind("theme") if p.docname == here), None)
        if page is None:
            logger.warning(
                "{theme-cases} はテーマページ（kind: theme）でのみ使えます",
                location=(here, self.lineno),
            )
            return []
        cases = corpus.cases(theme=page.meta.theme)
        if not cases:
            return [_para("このテーマの事例はまだ登録されていません。")]
        items = nodes.bullet_list(classes=["handbook-theme-cases"])
        for p in cases:
            m = p.meta
            label = f"{m.municipality}（{m.prefecture}）{wareki(m.fiscal_year)}"
            item = _para(doc_link(p.docname, label, here))
            if m.summary:
                item += nodes.Text(f" ― {m.summary}")
            items += nodes.list_item("", item)
        return [items]


class ThemeList(_ListingDirective):
    """The 10 themes of the handbook, linked where a page exists, with their case counts."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        items = nodes.enumerated_list(classes=["handbook-theme-list"])
        for n, name in THEMES.items():
            page = corpus.theme_page(n)
            count = len(corpus.cases(theme=n))
            para = _para(doc_link(page.docname, name, self.env.docname) if page else name)
            para += nodes.Text(f"（事例 {count} 件）" if count else "")
            items += nodes.list_item("", para)
        return [items]


class PrintEdition(_ListingDirective):
    """Links to the whole knowledge base as PDF (and its volumes by 年度), when `make pdf` built
    them; nothing otherwise."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        years = sorted({p.meta.fiscal_year for p in corpus.cases()}, reverse=True)
        wanted = [(BOOK_PDF, "印刷用 PDF（全体版）")]
        wanted += [(year_pdf(y), f"事例編 {year_label(y)}") for y in years]
        links = _pdf_links(self.env.app, self.env.docname, wanted)
        if not links:
            return []
        para = nodes.paragraph(classes=["handbook-pdf"])
        for i, link in enumerate(links):
            para += nodes.Text("、" if i else "")
            para += link
        return [para]


def _init_env(app: Sphinx, env, docnames) -> None:
    if not hasattr(env, "handbook_listing_docs"):
        env.handbook_listing_docs = set()
    if not hasattr(env, "handbook_pdf_links"):
        env.handbook_pdf_links = {}


def _outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Pages with generated listings depend on every corpus page's metadata; pages with a
    print-edition link are read again when that PDF appeared or went away."""
    out = set()
    if any(d.startswith("corpus/") for d in (*added, *changed, *removed)):
        out |= getattr(env, "handbook_listing_docs", set())
    out |= {
        docname
        for docname, found in getattr(env, "handbook_pdf_links", {}).items()
        if any((Path(app.outdir) / PDF_DIR / pdf).is_file() != had for pdf, had in found.items())
    }
    return sorted(out - set(removed))


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "handbook_listing_docs", set()).discard(docname)
    getattr(env, "handbook_pdf_links", {}).pop(docname, None)


def _merge(app: Sphinx, env, docnames, other) -> None:
    env.handbook_listing_docs |= getattr(other, "handbook_listing_docs", set())
    env.handbook_pdf_links.update(getattr(other, "handbook_pdf_links", {}))


def _add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def _search_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["handbook_site_search"] = app.config.handbook_site_search
    context["handbook_search_digest"] = getattr(app, "handbook_search_digest", "")
    context["handbook_themes"] = list(THEMES.items())


def _search_digest(app: Sphinx) -> None:
    from handbook_search.site.searchindex import source_digest

    app.handbook_search_digest = source_digest(corpus_of(app).root)  # type: ignore[attr-defined]


def _write_search_index(app: Sphinx, exception) -> None:
    if exception is None and app.config.handbook_site_search and app.builder.format == "html":
        from handbook_search.site.searchindex import write_index

        static = Path(app.outdir) / "_static"
        write_index(corpus_of(app), static, app.handbook_search_digest)  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_static)
    app.add_config_value("handbook_corpus_dir", "", "env", types=[str])
    app.add_config_value("handbook_site_search", True, "html", types=[bool])
    app.connect("builder-inited", _search_digest, priority=600)  # after _load
    app.connect("html-page-context", _search_context)
    app.connect("build-finished", _write_search_index)
    app.connect("builder-inited", _load)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _insert_case_box)
    app.add_directive("case-list", CaseList)
    app.add_directive("theme-cases", ThemeCases)
    app.add_directive("theme-list", ThemeList)
    app.add_directive("print-edition", PrintEdition)
    app.add_css_file("handbook.css")
    return {
        "version": "0.1",
        # bump when what the extension keeps in the environment changes (handbook_pdf_links)
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
