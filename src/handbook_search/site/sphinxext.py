"""Sphinx glue: everything generated from page metadata.

- a metadata box at the top of every case page (自治体, 都道府県, 厚生局, 年度, テーマ …),
  関連する事例 (model.related, once per build), links to the published 出典, and the theme
  number in a theme page's title;
- ``{case-explorer}``: 事例一覧's facets, sort and tile map (explorer.py, data in
  ``_static/handbook-cases.js``);
- ``{case-list}``: the cases by 年度 and 都道府県 (counts), each 年度 linking to its own list page
  ``docs/cases/<year>.html`` (generated from metadata, template ``handbook-cases-year.html``).
  A 年度 with more cases than config ``handbook_year_page_cases`` (default YEAR_PAGE_CASES) is
  split into parts of that many cases, in the same order (north to south): part 1 keeps the
  URL ``docs/cases/<year>.html``, part k (k ≥ 2) is ``docs/cases/<year>-<k>.html``. Every part
  links the previous and the next part (``rel="prev"`` / ``rel="next"``) and lists all parts of
  its 年度 (「51〜100件目（宮城県〜福島県）」), so that no page grows with the cases of one
  year and every case is reached from 事例一覧 without JavaScript;
  ``{recent-cases}``: the newest few; ``{theme-cases}``: the cases tagged with the current theme
  page's number; ``{theme-list}``: the 10 themes.
- navigation that does not grow with the corpus: case pages are in no toctree (furo renders the
  whole toctree on every page, so listing 1,000 cases there costs O(N²)); they are marked orphan
  so that ``-W`` does not warn, and are reached from the lists above and from search.
- the glossary's term anchors and 五十音 index (glossary.py);
- site pages whose text is a repository file (``handbook_shared_pages``: the contributors' guide
  is CONTRIBUTING.md);
- links to the print editions (``make pdf``, handbook_search.paper) when they were built: the
  case's A4 handout under its case box, ``{print-edition}`` for the whole book (home page);
- corpus problems (the validator's rules) are Sphinx warnings, so ``-W`` fails the build;
- the site search: ``_static/handbook-search-index.js`` (searchindex.py) for the search page of
  docs/_templates/search.html (``-D handbook_site_search=0`` keeps Sphinx's own search page).

It holds no logic of its own beyond turning the page model into docutils nodes.
"""

from __future__ import annotations

import functools
import html
from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from handbook_search.model.corpus import Corpus, load_corpus
from handbook_search.model.page import Page
from handbook_search.model.related import related_cases
from handbook_search.model.schema import as_of, percent
from handbook_search.model.vocab import THEMES, case_label, prefecture_order, wareki
from handbook_search.site import (
    charts,
    explorer,
    glossary,
    interface,
    linebreaks,
    phrasebreaks,
    safety,
)
from handbook_search.site.accessible import AccessibleHTMLTranslator

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


def corpus_of(app: Sphinx) -> Corpus:
    return app.handbook_corpus  # type: ignore[attr-defined]


def case_of(app: Sphinx, docname: str) -> Page | None:
    """The case page of `docname` (page_of's dict, made once: 1,000 lookups stay cheap)."""
    page = page_of(app, docname)
    return page if page is not None and page.kind == "case" else None


@functools.cache
def _model_digest() -> str:
    """The page model's own code (what a parse depends on besides the file)."""
    import hashlib

    import handbook_search.model as model

    folder = Path(model.__file__).parent
    return hashlib.sha1(b"".join(f.read_bytes() for f in sorted(folder.glob("*.py")))).hexdigest()


def _code_version() -> int:
    """A number that changes whenever the code of site/ or model/ changes."""
    import hashlib

    folder = Path(__file__).parent
    files = sorted(folder.glob("*.py")) + sorted(folder.parent.joinpath("model").glob("*.py"))
    digest = hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()
    return int(digest[:12], 16)


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

        key = (
            str(path),
            str(root),
            shown,
            hashlib.sha1(path.read_bytes()).hexdigest(),
            _model_digest(),  # a parse made by other model code is not reused
        )
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
    for problem in corpus.problems if app.config.handbook_validate else []:
        logger.warning(str(problem), type="handbook", subtype="validate")
    app.handbook_corpus = corpus  # type: ignore[attr-defined]
    app.handbook_pages = {p.docname: p for p in corpus.pages}  # type: ignore[attr-defined]
    app.handbook_related = related_cases(corpus.cases())  # type: ignore[attr-defined]


def page_of(app: Sphinx, docname: str) -> Page | None:
    """The corpus page built as `docname` (None for the site's own pages in docs/)."""
    return app.handbook_pages.get(docname)  # type: ignore[attr-defined]


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


CONTRIBUTING_PAGE = "docs/contributing"  # the site's copy of CONTRIBUTING.md


def _para(*children: nodes.Node | str, classes: list[str] | None = None) -> nodes.paragraph:
    para = nodes.paragraph(classes=classes or [])
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
        rows.append(("人口", f"{m.population:,}人{as_of(m.population_as_of)}"))
    if m.aging_rate is not None:
        rows.append(("高齢化率", f"{percent(m.aging_rate)}{as_of(m.aging_rate_as_of)}"))
    rows.append(("テーマ", theme_links(corpus, m.themes, page.docname)))
    fields = nodes.field_list()
    for name, value in rows:
        body = _para(*value) if isinstance(value, list) else _para(value)
        fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", body))
    box = nodes.container(classes=["handbook-case-box"])
    box += fields
    return box


def _section(doctree: nodes.document, title: str) -> nodes.section | None:
    """The page's section headed `title` (a ## of the page)."""
    for section in doctree.findall(nodes.section):
        if (
            section.children
            and isinstance(section[0], nodes.title)
            and section[0].astext() == title
        ):
            return section
    return None


def source_links(page: Page) -> nodes.container | None:
    """The sources that say where they are published, as links (front matter `url`)."""
    web = ("http://", "https://")  # the schema allows no other; the build checks again
    linked = [s for s in page.meta.sources if s.url and s.url.lower().startswith(web)]
    if not linked:
        return None
    box = nodes.container(classes=["handbook-source-links"])
    box += nodes.rubric("", "資料の掲載ページ")
    items = nodes.bullet_list()
    for s in linked:
        link = nodes.reference("", s.title, refuri=s.url, internal=False)
        items += nodes.list_item("", _para(link, f"（{s.publisher}）"))
    box += items
    return box


def _pdf_links(app: Sphinx, docname: str, wanted: list[tuple[str, str]]) -> list[nodes.Node]:
    """Links to those of the print editions `wanted` ((file, text)) that `make pdf` built; what
    existed is kept so that _outdated reads the page again when that changes."""
    found = {pdf: (Path(app.outdir) / PDF_DIR / pdf).is_file() for pdf, _ in wanted}
    app.env.handbook_pdf_links[docname] = found  # type: ignore[attr-defined]
    prefix = "../" * docname.count("/") + PDF_DIR + "/"
    return [nodes.reference("", text, refuri=prefix + pdf) for pdf, text in wanted if found[pdf]]


def _decorate_page(app: Sphinx, doctree: nodes.document) -> None:
    """What a corpus page shows from its metadata: the case box under a case's title, the
    theme number in a theme's title, links to the published sources under 出典."""
    page = page_of(app, app.env.docname)
    if page is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    title_at = next((i for i, c in enumerate(section.children) if isinstance(c, nodes.title)), -1)
    if page.kind == "case":
        section.insert(title_at + 1, case_box(corpus_of(app), page))
        pdf = _pdf_links(app, page.docname, [(case_pdf(page), "印刷用 PDF（A4・要点）")])
        if pdf:
            section.insert(title_at + 2, nodes.paragraph("", "", *pdf, classes=["handbook-pdf"]))
    if page.kind == "theme" and title_at >= 0:  # 7 生活支援体制整備, as everywhere else
        title = section[title_at]
        title.insert(0, nodes.Text(f"{page.meta.theme} "))
    links = source_links(page)
    if links is not None:
        (_section(doctree, "出典") or section).append(links)


def _related_cases(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """関連する事例 at the end of a case's 関連テーマ section, from the list made once per
    build (model.related); added when the page is written, so it is never stale."""
    related = app.handbook_related.get(docname)  # type: ignore[attr-defined]
    if not related or app.builder.format != "html":  # links between HTML pages
        return
    box = nodes.container(classes=["handbook-related-cases"])
    box += nodes.rubric("", "関連する事例")
    items = nodes.bullet_list()
    for r in related:
        m = r.page.meta
        uri = app.builder.get_relative_uri(docname, r.page.docname)
        label = case_label(m.municipality, m.prefecture, m.fiscal_year)
        why = [f"テーマ {'・'.join(str(n) for n in r.themes)}"] if r.themes else []
        why += ["同じ都道府県"] if r.same_prefecture else ["同じ厚生局"] if r.same_bureau else []
        para = _para(nodes.reference("", label, refuri=uri, internal=True))
        para += nodes.inline("", f"（{'、'.join(why)}）", classes=["handbook-related-why"])
        if m.summary:
            para += nodes.Text(f" ― {m.summary}")
        items += nodes.list_item("", para)
    box += items
    (_section(doctree, "関連テーマ") or doctree).append(box)


def _related_changed(app: Sphinx, env) -> list[str]:
    """Case pages whose related cases changed since the last build are written again."""
    now = {d: [r.page.docname for r in rs] for d, rs in app.handbook_related.items()}  # type: ignore[attr-defined]
    before = getattr(env, "handbook_related", {})
    env.handbook_related = now
    return [d for d, rs in now.items() if before.get(d) != rs and d in env.all_docs]


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


EXPLORER_PAGE = "docs/cases"  # 事例一覧: the explorer, and the list by 年度 without JavaScript
YEAR_PAGE = "docs/cases/{year}"  # one generated list page per 年度
YEAR_TEMPLATE = "handbook-cases-year.html"
YEAR_PAGE_CASES = 50  # cases on one part of a year page: ~40 KB with long summaries (≤ 80 KB)


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
            counts = Counter(p.meta.prefecture for p in cases)  # north to south, as `cases`
            places = "、".join(f"{pref} {n}" for pref, n in counts.items())
            rows.append([[link], f"{len(cases)} 件", places])
        return [_table(["年度", "事例", "都道府県（件数）"], rows, ["handbook-case-list"])]


def case_item(p: Page, here: str) -> nodes.list_item:
    m = p.meta
    label = case_label(m.municipality, m.prefecture, m.fiscal_year)
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
            doc_link(
                EXPLORER_PAGE, f"すべての事例（{len(cases)} 件）を年度・都道府県別に見る", here
            )
        )
        return [items, more]


def _uri(env, docname: str) -> str:
    """The link from the page being read to `docname`'s HTML page."""
    return env.app.builder.get_relative_uri(env.docname, docname)


class CaseExplorer(_ListingDirective):
    """事例一覧's explorer: the map and the chart (SVG, site/charts.py), and the place for the
    facets and results that _static/handbook-explorer.js draws from _static/handbook-cases.js."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        here = Path(self.env.app.builder.get_target_uri(self.env.docname)).name
        box = nodes.container(ids=[explorer.EXPLORER_ID], classes=["handbook-explorer"])
        box += _para(
            "絞り込みと並べ替えには JavaScript が必要です。"
            "JavaScript が使えないときは、下の年度ごとの一覧から探せます。"
        )
        cases = corpus.cases()
        # keyboard users: past the map's and the chart's links (the script points it at the
        # results once it has drawn them)
        skip = nodes.paragraph(classes=["handbook-skip"])
        skip += nodes.reference(
            "", "地図とグラフを飛ばして一覧へ", refuri=f"#{explorer.EXPLORER_ID}"
        )
        # folded: the cases come first (the script moves both into the filter bar)
        out: list[nodes.Node] = [skip, charts.map_figure(cases, here, open_=False)]
        chart = charts.chart_figure(cases, lambda p: _uri(self.env, p.docname))
        if chart is not None:
            out.append(chart)
        return [*out, box]


class CaseMap(_ListingDirective):
    """The map alone (the home page): each prefecture with cases links to 事例一覧 filtered."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        return [charts.map_figure(corpus.cases(), _uri(self.env, EXPLORER_PAGE))]


THEME_CASES = 20  # default of config handbook_theme_cases


class ThemeCases(_ListingDirective):
    """The newest cases tagged with the theme of the page this directive stands on (at most
    config ``handbook_theme_cases``, so the page does not grow with the corpus), then a link to
    事例一覧 filtered by the theme (``cases.html?theme=N``; without JavaScript that page shows
    the list by 年度)."""

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
            guide = self.env.app.builder.get_relative_uri(here, CONTRIBUTING_PAGE)
            invite = nodes.reference("", "事例を提案する", refuri=guide)
            return [
                _para("このテーマの事例はまだありません。", invite, classes=["handbook-no-cases"])
            ]
        shown = self.config.handbook_theme_cases
        items = nodes.bullet_list(classes=["handbook-theme-cases"])
        for p in cases[:shown]:
            items += case_item(p, here)
        uri = self.env.app.builder.get_relative_uri(here, EXPLORER_PAGE)
        text = f"このテーマの事例をすべて見る（{len(cases)} 件）"
        more = nodes.reference("", text, refuri=f"{uri}?theme={page.meta.theme}", internal=True)
        note = f"新しい順に {shown} 件を表示しています。" if len(cases) > shown else ""
        return [items, _para(*([nodes.Text(note)] if note else []), more)]


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


def year_part_page(year: int, part: int) -> str:
    """The docname of part `part` (from 1) of a 年度's list: part 1 is the year page itself."""
    return YEAR_PAGE.format(year=year) + (f"-{part}" if part > 1 else "")


def year_parts(cases: list[Page], size: int) -> list[list[Page]]:
    """A 年度's cases in parts of at most `size` (at least one part, in the cases' order)."""
    size = max(1, size)
    return [cases[i : i + size] for i in range(0, len(cases), size)] or [[]]


def part_label(first: int, count: int) -> str:
    """「51〜100件目」: which of a 年度's cases a part lists (first counted from 1)."""
    last = first + count - 1
    return f"{first:,}件目" if count == 1 else f"{first:,}〜{last:,}件目"


def _part_navigation(year: int, parts: list[list[Page]]) -> list[dict]:
    """Each part of a 年度: its page, its range of cases and the 都道府県 it covers."""
    nav, first = [], 1
    for k, part in enumerate(parts, start=1):
        prefectures = list(dict.fromkeys(p.meta.prefecture for p in part))
        ends = (prefectures[0], prefectures[-1]) if prefectures else ()
        covers = "〜".join(dict.fromkeys(ends))  # 「宮城県〜福島県」, or one 都道府県
        nav.append({"page": year_part_page(year, k), "label": part_label(first, len(part)),
                    "covers": covers})  # fmt: skip
        first += len(part)
    return nav


def _year_groups(cases: list[Page], theme_pages: dict[int, str]) -> list[tuple[str, list[dict]]]:
    """A part's cases grouped by 都道府県, as the template shows them."""
    groups: dict[str, list[dict]] = {}
    for p in cases:
        m = p.meta
        themes = [(n, THEMES[n], theme_pages.get(n)) for n in m.themes]
        groups.setdefault(m.prefecture, []).append(
            {"docname": p.docname, "municipality": m.municipality, "themes": themes,
             "summary": m.summary or ""}
        )  # fmt: skip
    return list(groups.items())


def _year_pages(app: Sphinx):
    """html-collect-pages: one list page per 年度 (in parts, see the module docstring), its
    cases grouped by 都道府県."""
    corpus = corpus_of(app)
    years = by_year(corpus)
    nav = [(y, YEAR_PAGE.format(year=y), year_label(y), len(c)) for y, c in years.items()]
    theme_pages = {p.meta.theme: p.docname for p in corpus.by_kind("theme")}
    for year, cases in years.items():
        counts = Counter(p.meta.prefecture for p in cases)
        parts = year_parts(cases, app.config.handbook_year_page_cases)
        part_nav = _part_navigation(year, parts)
        for k, part in enumerate(parts, start=1):
            here = part_nav[k - 1]
            title = f"{year_label(year)}の事例"
            context = {
                "title": title + (f"（{here['label']}）" if len(parts) > 1 else ""),
                "handbook_year": year_label(year),
                "handbook_count": len(cases),
                "handbook_groups": _year_groups(part, theme_pages),
                "handbook_prefecture_counts": counts,
                "handbook_years": nav,
                "handbook_current": YEAR_PAGE.format(year=year),
                "handbook_parts": part_nav if len(parts) > 1 else [],
                "handbook_part": here,
                "handbook_prev": part_nav[k - 2] if k > 1 else None,
                "handbook_next": part_nav[k] if k < len(parts) else None,
            }
            yield here["page"], context, YEAR_TEMPLATE


class SpellingTable(SphinxDirective):
    """The dictionary (corpus/dictionary.yml) as a table: preferred form, other spellings, use."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from handbook_search.model.corpus import SYNONYMS_FILE
        from handbook_search.search.synonyms import entries

        path = corpus_of(self.env.app).root / SYNONYMS_FILE
        self.env.note_dependency(str(path))
        try:
            rows = entries(path) if path.is_file() else []
        except ValueError as e:
            logger.warning(str(e), location=(self.env.docname, self.lineno))
            return []
        if not rows:
            return [_para("表記の辞書はまだありません。")]
        table = [[preferred, "、".join(others), kind] for preferred, others, kind in rows]
        headers = ["標準の表記", "別の表記・略語", "扱い"]
        return [_table(headers, table, ["handbook-spelling-table"])]


class PrintEdition(_ListingDirective):
    """Links to the whole knowledge base as PDF (and its volumes by 年度), when `make pdf` built
    them; nothing otherwise."""

    def nodes(self, corpus: Corpus) -> list[nodes.Node]:
        years = list(by_year(corpus))
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


class OfflineCopy(SphinxDirective):
    """A link to the offline copy (site/offline.py) where the site is published: an absolute
    address, so the link inside an unzipped copy still leads to the newest zip."""

    def run(self) -> list[nodes.Node]:
        from handbook_search.site.offline import OFFLINE_ZIP

        base = self.config.html_baseurl
        link = nodes.reference(
            "", "オフライン版（zip）", refuri=base.rstrip("/") + "/" + OFFLINE_ZIP
        )
        text = "（展開して index.html を開くと、インターネットにつながらないパソコンでも検索つきで読めます）"
        return [nodes.paragraph("", "", link, nodes.Text(text), classes=["handbook-offline"])]


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
    config.templates_path.append(str(Path(__file__).parent / "templates"))


def _search_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["handbook_site_search"] = app.config.handbook_site_search
    context["handbook_search_digest"] = getattr(app, "handbook_search_digest", "")
    context["handbook_themes"] = list(THEMES.items())
    if pagename == "search":  # the filters offer what the cases have
        cases = corpus_of(app).cases()
        context["handbook_prefectures"] = list(dict.fromkeys(p.meta.prefecture for p in sorted(
            cases, key=lambda p: prefecture_order(p.meta.prefecture))))  # fmt: skip
        years = list(by_year(corpus_of(app)))
        context["handbook_years"] = [(y, year_label(y)) for y in years]


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The page's public URL (printed on paper) and its description (meta and OGP) from the
    front matter's summary: the page's own words, not the first paragraph of its body."""
    base = app.config.html_baseurl
    context["handbook_page_url"] = (
        base.rstrip("/") + "/" + app.builder.get_target_uri(pagename) if base else ""
    )
    page = page_of(app, pagename)
    if page is not None and page.meta.summary:
        summary = page.meta.summary
        context["meta"] = {**(context.get("meta") or {}), "og:description": summary}
        context["metatags"] = (
            context.get("metatags", "")
            + f'\n<meta name="description" content="{html.escape(summary)}" />'
        )


def _explorer_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The explorer's two scripts are loaded only by the page that has {case-explorer}."""
    context["handbook_explorer"] = doctree is not None and any(
        explorer.EXPLORER_ID in n["ids"] for n in doctree.findall(nodes.container)
    )


def _write_explorer_data(app: Sphinx, exception) -> None:
    if exception is None and app.builder.format == "html":
        explorer.write_data(corpus_of(app), Path(app.outdir) / "_static")


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
        from handbook_search.site.searchupdate import write_index

        static = Path(app.outdir) / "_static"
        digest = app.handbook_search_digest  # type: ignore[attr-defined]
        write_index(
            corpus_of(app), static, digest, cache_dir=Path(app.doctreedir), analyses=analyses
        )
    elif analyses is not None:
        analyses.cancel()


def _shared_page(app: Sphinx, docname: str, source: list[str]) -> None:
    """A site page whose text is a file of the repository (config `handbook_shared_pages`,
    e.g. docs/contributing ← CONTRIBUTING.md): one text, read by trusted code at build time."""
    name = app.config.handbook_shared_pages.get(docname)
    if name:
        path = Path(app.srcdir) / name
        app.env.note_dependency(str(path))
        if path.is_file():  # a copy of docs/ + corpus/ alone keeps the page's own text
            source[0] = path.read_text(encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_static)
    app.add_config_value("handbook_corpus_dir", "", "env", types=[str])
    app.add_config_value("handbook_site_search", True, "html", types=[bool])
    # how many of a theme's cases its page lists (the newest; the rest are one link away)
    app.add_config_value("handbook_theme_cases", THEME_CASES, "env", types=[int])
    # how many cases one part of a 年度's list page shows (see the module docstring)
    app.add_config_value("handbook_year_page_cases", YEAR_PAGE_CASES, "html", types=[int])
    # -D handbook_validate=0 silences the validator's warnings: only for testing that the
    # build's own defence (site/safety.py, always on) publishes nothing unsafe by itself.
    app.add_config_value("handbook_validate", True, "env", types=[bool])
    safety.setup(app)
    app.add_config_value("handbook_shared_pages", {}, "env", types=[dict])
    app.connect("source-read", _shared_page)
    app.connect("builder-inited", _search_digest, priority=600)  # after _load
    app.connect("html-page-context", _search_context)
    app.connect("html-page-context", _page_context, priority=400)  # before sphinxext-opengraph
    app.connect("builder-inited", interface.install)
    app.add_js_file("handbook-header.js")  # the phone header's icons by keyboard
    app.connect("build-finished", _write_search_index)
    app.connect("build-finished", _write_explorer_data)
    app.connect("html-page-context", _explorer_context)
    app.connect("builder-inited", _load)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _decorate_page, priority=400)  # before the title collector
    app.connect("doctree-read", _mark_orphan)
    app.connect("doctree-read", linebreaks.join_lines)
    app.connect("doctree-resolved", _related_cases)
    phrasebreaks.setup(app)  # after _related_cases: its list gets the breaks too
    app.connect("env-get-updated", _related_changed)
    app.connect("html-collect-pages", _year_pages)
    app.add_directive_to_domain("std", "glossary", glossary.StableGlossary, override=True)
    app.add_directive("case-list", CaseList)
    app.add_directive("case-explorer", CaseExplorer)
    app.add_directive("case-map", CaseMap)
    skip = (charts.skip_svg_figure, None)
    app.add_node(charts.svg_figure, html=(charts.visit_svg_figure, None),
                 latex=skip, text=skip, man=skip, texinfo=skip)  # fmt: skip
    app.add_directive("recent-cases", RecentCases)
    app.add_directive("theme-cases", ThemeCases)
    app.add_directive("theme-list", ThemeList)
    app.add_directive("spelling-table", SpellingTable)
    app.add_directive("print-edition", PrintEdition)
    app.add_directive("offline-copy", OfflineCopy)
    app.add_css_file("handbook.css")
    app.set_translator("html", AccessibleHTMLTranslator, override=True)  # WCAG AA HTML
    return {
        "version": "0.1",
        # the extension's and the page model's code: pages read by other code (an upgrade, a
        # change while developing) are read again instead of keeping stale generated parts
        "env_version": _code_version(),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
