"""Sphinx glue: everything generated from page metadata.

- a metadata box at the top of every case page (自治体, 都道府県, 厚生局, 年度, テーマ …);
- ``{case-list}``: the cases by 年度 and 都道府県 (counts), each 年度 linking to its own list page
  ``docs/cases/<year>.html`` (generated from metadata, template ``handbook-cases-year.html``);
  ``{recent-cases}``: the newest few; ``{theme-cases}``: the cases tagged with the current theme
  page's number; ``{theme-list}``: the 10 themes.
- navigation that does not grow with the corpus: case pages are in no toctree (furo renders the
  whole toctree on every page, so listing 1,000 cases there costs O(N²)); they are marked orphan
  so that ``-W`` does not warn, and are reached from the lists above and from search.
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
from handbook_search.model.vocab import THEMES, prefecture_order, wareki

logger = logging.getLogger(__name__)


def corpus_of(app: Sphinx) -> Corpus:
    return app.handbook_corpus  # type: ignore[attr-defined]


def case_of(app: Sphinx, docname: str) -> Page | None:
    """The case page of `docname` (a dict made once: 1,000 lookups stay cheap)."""
    cases = getattr(app, "handbook_cases", None)
    if cases is None:
        cases = {p.docname: p for p in corpus_of(app).by_kind("case")}
        app.handbook_cases = cases  # type: ignore[attr-defined]
    return cases.get(docname)


class _ParseCache:
    """parse_page, remembered between builds by file content (in Sphinx's doctree folder):
    an incremental build of 1,000 cases parses one file, not 1,000 (YAML and markdown-it in
    pure Python take ~15 ms a page)."""

    def __init__(self, path: Path):
        import pickle

        self.path, self.seen = path, {}
        try:
            with path.open("rb") as f:
                self.known = pickle.load(f)  # our own file in Sphinx's doctree folder
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.known = {}

    def __call__(self, path: Path, root: Path, shown: str):
        import hashlib

        from handbook_search.model.page import parse_page

        key = (str(path), str(root), shown, hashlib.sha1(path.read_bytes()).hexdigest())
        found = self.known.get(key) or parse_page(path, root, shown)
        self.seen[key] = found
        return found

    def save(self) -> None:
        import pickle

        if self.seen.keys() == self.known.keys():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(self.seen, f)
        tmp.replace(self.path)


def _load(app: Sphinx) -> None:
    root = Path(app.config.handbook_corpus_dir or Path(app.srcdir) / "corpus").resolve()
    cache = _ParseCache(Path(app.doctreedir) / "handbook-corpus.pickle")
    corpus = load_corpus(root, parse=cache)
    cache.save()
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
        ("年度", f"{wareki(m.fiscal_year)}（{m.fiscal_year}年度）"),
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


def _insert_case_box(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    page = case_of(app, docname)
    if page is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    title_at = next((i for i, c in enumerate(section.children) if isinstance(c, nodes.title)), -1)
    section.insert(title_at + 1, case_box(corpus_of(app), page))


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


YEAR_PAGE = "docs/cases/{year}"  # one generated list page per 年度
YEAR_TEMPLATE = "handbook-cases-year.html"


def by_year(corpus: Corpus) -> dict[int, list[Page]]:
    """Cases per 年度, newest first; within a year north to south (Corpus.cases' order)."""
    years: dict[int, list[Page]] = {}
    for p in corpus.cases():
        years.setdefault(p.meta.fiscal_year, []).append(p)
    return years


def year_label(year: int) -> str:
    return f"{wareki(year)}（{year}年度）"


class CaseList(_ListingDirective):
    """The cases by 年度 (newest first): how many, from which 都道府県 (north to south), and a
    link to the year's own list page. Its size grows with the years, not with the cases."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        here = self.env.docname
        years = by_year(corpus)
        if not years:
            return [_para("事例はまだありません。")]
        rows: list[list[list[nodes.Node] | str]] = []
        for year, cases in years.items():
            uri = self.env.app.builder.get_relative_uri(here, YEAR_PAGE.format(year=year))
            link = nodes.reference("", year_label(year), refuri=uri, internal=True)
            counts: dict[str, int] = {}
            for p in cases:
                counts[p.meta.prefecture] = counts.get(p.meta.prefecture, 0) + 1
            places = "、".join(f"{pref} {n}" for pref, n in counts.items())
            rows.append([[link], f"{len(cases)} 件", places])
        return [_table(["年度", "事例", "都道府県（件数）"], rows, ["handbook-case-list"])]


def case_item(p: Page, here: str) -> nodes.list_item:
    m = p.meta
    label = f"{m.municipality}（{m.prefecture}）{wareki(m.fiscal_year)}"
    item = _para(doc_link(p.docname, label, here))
    if m.summary:
        item += nodes.Text(f" ― {m.summary}")
    return nodes.list_item("", item)


class RecentCases(_ListingDirective):
    """The newest cases (default 5; the argument says how many) and a link to the case list."""

    optional_arguments = 1

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        here = self.env.docname
        count = int(self.arguments[0]) if self.arguments else 5
        cases = corpus.cases()
        if not cases:
            return [_para("事例はまだありません。")]
        items = nodes.bullet_list(classes=["handbook-recent-cases"])
        for p in cases[:count]:
            items += case_item(p, here)
        more = _para(
            doc_link("docs/cases", f"すべての事例（{len(cases)} 件）を年度・都道府県別に見る", here)
        )
        return [items, more]


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
            items += case_item(p, here)
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


def _mark_orphan(app: Sphinx, doctree: nodes.document) -> None:
    """Case pages are in no toctree (see the module docstring): no -W warning for that."""
    docname = app.env.docname
    if case_of(app, docname) is not None:
        app.env.metadata[docname]["orphan"] = True


def _year_pages(app: Sphinx):
    """html-collect-pages: one list page per 年度, its cases grouped by 都道府県."""
    corpus = corpus_of(app)
    years = by_year(corpus)
    nav = [(y, YEAR_PAGE.format(year=y), year_label(y), len(c)) for y, c in years.items()]
    pages = {p.meta.theme: p.docname for p in corpus.by_kind("theme")}
    for year, cases in years.items():
        groups: dict[str, list[dict]] = {}
        for p in cases:
            m = p.meta
            themes = [(n, THEMES[n], pages.get(n)) for n in m.themes]
            groups.setdefault(m.prefecture, []).append(
                {"docname": p.docname, "municipality": m.municipality, "themes": themes,
                 "summary": m.summary or ""}
            )  # fmt: skip
        context = {
            "title": f"{year_label(year)}の事例",
            "handbook_year": year_label(year),
            "handbook_count": len(cases),
            "handbook_groups": list(groups.items()),
            "handbook_years": nav,
            "handbook_current": YEAR_PAGE.format(year=year),
        }
        yield YEAR_PAGE.format(year=year), context, YEAR_TEMPLATE


def _init_env(app: Sphinx, env, docnames) -> None:
    if not hasattr(env, "handbook_listing_docs"):
        env.handbook_listing_docs = set()


def _outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Pages with generated listings depend on every corpus page's metadata."""
    if any(d.startswith("corpus/") for d in (*added, *changed, *removed)):
        return sorted(getattr(env, "handbook_listing_docs", set()) - set(removed))
    return []


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "handbook_listing_docs", set()).discard(docname)


def _merge(app: Sphinx, env, docnames, other) -> None:
    env.handbook_listing_docs |= getattr(other, "handbook_listing_docs", set())


def _add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(Path(__file__).parent / "static"))
    config.templates_path.append(str(Path(__file__).parent / "templates"))


def _search_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["handbook_site_search"] = app.config.handbook_site_search
    context["handbook_search_digest"] = getattr(app, "handbook_search_digest", "")
    context["handbook_themes"] = list(THEMES.items())
    if pagename == "search":  # the filters offer what the cases have
        cases = corpus_of(app).cases()
        context["handbook_prefectures"] = list(dict.fromkeys(p.meta.prefecture for p in sorted(
            cases, key=lambda p: prefecture_order(p.meta.prefecture))))  # fmt: skip
        years = sorted({p.meta.fiscal_year for p in cases}, reverse=True)
        context["handbook_years"] = [(y, year_label(y)) for y in years]


def _search_digest(app: Sphinx) -> None:
    from handbook_search.site.searchindex import source_digest

    if app.config.handbook_site_search and app.builder.format == "html":
        # Sphinx's own index (TinySegmenter over every page: a third of a 1,000-case build) is
        # not used by our search page; searchindex.js keeps the page titles only.
        from sphinx.util.docutils import new_document

        index_page = app.builder.index_page

        def titles_only(pagename: str, doctree, title: str) -> None:
            index_page(pagename, new_document(""), title)

        app.builder.index_page = titles_only  # type: ignore[method-assign]

    digest = source_digest(corpus_of(app).root)
    app.handbook_search_digest = digest  # type: ignore[attr-defined]
    app.handbook_search_analyses = None  # type: ignore[attr-defined]
    if app.config.handbook_site_search and app.builder.format == "html":
        from handbook_search.site.searchindex import PageAnalyses, is_current

        if not is_current(Path(app.outdir) / "_static", digest):
            # pages are analyzed in worker processes while Sphinx reads and writes them
            analyses = PageAnalyses(corpus_of(app), Path(app.doctreedir))
            app.handbook_search_analyses = analyses  # type: ignore[attr-defined]


def _write_search_index(app: Sphinx, exception) -> None:
    analyses = getattr(app, "handbook_search_analyses", None)
    if exception is None and app.config.handbook_site_search and app.builder.format == "html":
        from handbook_search.site.searchindex import write_index

        static = Path(app.outdir) / "_static"
        digest = app.handbook_search_digest  # type: ignore[attr-defined]
        write_index(
            corpus_of(app), static, digest, cache_dir=Path(app.doctreedir), analyses=analyses
        )
    elif analyses is not None:
        analyses.cancel()


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
    app.connect("doctree-read", _mark_orphan)
    app.connect("html-collect-pages", _year_pages)
    app.add_directive("case-list", CaseList)
    app.add_directive("recent-cases", RecentCases)
    app.add_directive("theme-cases", ThemeCases)
    app.add_directive("theme-list", ThemeList)
    app.add_css_file("handbook.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
