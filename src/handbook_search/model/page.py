"""The page model: one corpus file → `Page` (validated metadata + sections of plain text).

A corpus page is MyST Markdown with YAML front matter. `parse_page` reads one file with
myst-parser's own markdown-it configuration and PyYAML, validates the front matter (schema.py)
and returns the `Page` and a list of `Problem`s (file:line: message). The whole tree is
corpus.py's; the rules on top of a parsed page are rules.py's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handbook_search.model.vocab import THEMES

if TYPE_CHECKING:  # pydantic and yaml are imported only when a page is parsed (search start-up)
    import yaml

    from handbook_search.model.schema import Meta

# Heading levels that get a MyST slug anchor; docs/conf.py uses the same value.
HEADING_ANCHOR_LEVEL = 3

# Directives whose argument is a file next to the page (checked to exist, like links).
FILE_DIRECTIVES = {"image", "figure"}

# Directives whose body is prose to index; other directives are generated or code.
PROSE_DIRECTIVES = {"note", "tip", "important", "warning", "caution", "admonition", "attention"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a corpus file, reported as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def annotation(self) -> str:
        """The problem as a GitHub Actions workflow command, shown on the pull request's diff.

        >>> print(Problem("corpus/cases/a.md", 7, "50% の値: 2024").annotation())
        ::error file=corpus/cases/a.md,line=7,title=handbook-search validate::50%25 の値: 2024
        """

        def esc(text: str, prop: bool = False) -> str:
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return text.replace(":", "%3A").replace(",", "%2C") if prop else text

        where = f"file={esc(self.path, True)},line={max(self.line, 1)}"
        return f"::error {where},title=handbook-search validate::{esc(self.message)}"


@dataclass
class Section:
    """A heading and the plain text under it (up to the next heading of any level)."""

    title: str
    level: int  # 1 for the page title, 2 for ##, …
    anchor: str  # MyST slug, or glossary_anchor for a glossary entry ('' for the top of the page)
    line: int
    text: str = ""
    term: bool = False  # a glossary entry: its title is the term (also in its text), not a heading


@dataclass
class Page:
    """A parsed corpus page."""

    path: Path  # absolute
    relpath: str  # relative to the corpus root, posix ('cases/shimane-izumo-2024.md')
    meta: Meta
    sections: list[Section]
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, line)
    directives: list[tuple[str, int]] = field(default_factory=list)  # (name, line)

    @property
    def docname(self) -> str:
        """Sphinx docname: the site serves corpus/ under /corpus/."""
        return "corpus/" + self.relpath.removesuffix(".md")

    @property
    def url(self) -> str:
        """Path of the page in the built site."""
        return self.docname + ".html"

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def kind(self) -> str:
        return self.meta.kind

    @property
    def themes(self) -> list[int]:
        """Every theme number the page belongs to."""
        theme = getattr(self.meta, "theme", None)
        return [theme] if theme else list(getattr(self.meta, "themes", []))

    @property
    def identity(self) -> tuple[Any, ...]:
        """What must be unique across the corpus (a second page with it is an error)."""
        m = self.meta
        if m.kind == "case":
            return ("case", m.prefecture, m.municipality, m.fiscal_year)  # two 美里町 exist
        if m.kind == "theme":
            return ("theme", m.theme)
        if m.kind == "glossary":
            return ("glossary",)
        return ("guide", m.title)

    def describe_identity(self) -> str:
        m = self.meta
        if m.kind == "case":
            return f"{m.prefecture}{m.municipality} {m.fiscal_year}年度の事例"
        if m.kind == "theme":
            return f"テーマ {m.theme}（{THEMES[m.theme]}）"
        if m.kind == "glossary":
            return "用語集"
        return f"解説「{m.title}」"

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sections)

    def metadata(self) -> dict[str, Any]:
        """What every view of a hit shows (CLI, JSON, site search); None where unknown."""
        m = self.meta
        return {
            "path": self.relpath,
            "url": self.url,
            "title": m.title,
            "kind": m.kind,
            "theme": getattr(m, "theme", None),
            "themes": self.themes,
            "municipality": getattr(m, "municipality", None),
            "prefecture": getattr(m, "prefecture", None),
            "bureau": getattr(m, "bureau", None),
            "fiscal_year": getattr(m, "fiscal_year", None),
        }


@functools.cache
def markdown_parser():
    """The markdown-it parser configured exactly as myst-parser configures it for Sphinx."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(heading_anchors=HEADING_ANCHOR_LEVEL), RendererHTML)


def slugify(title: str, existing: set[str]) -> str:
    """MyST's own heading slug (so our anchors are the ids in the built HTML)."""
    from myst_parser.slugs import github_slugify, unique_slug

    slug = github_slugify(title)
    if not slug:
        return ""
    slug = unique_slug(slug, existing)
    existing.add(slug)
    return slug


def glossary_anchor(term: str) -> str:
    """The HTML id of a glossary term, derived from the term itself, so that a shared link
    still points to the same term after other terms are added (Sphinx alone numbers Japanese
    terms: term-0, term-1 …). site/glossary.py gives the built page the same ids.

    >>> glossary_anchor("総合事業"), glossary_anchor("Social  Worker")
    ('term-総合事業', 'term-Social-Worker')
    """
    return "term-" + "-".join(term.split())


def glossary_entries(content: str) -> list[tuple[list[str], str, int]]:
    r"""(terms, definition, line offset of the first term) of each entry of a {glossary} body:
    term lines start at the margin, their definition is indented below them (Sphinx's format).

    >>> glossary_entries(":sorted:\nSC\n生活支援コーディネーター\n  説明です。\n\n総合事業\n  事業です。")
    [(['SC', '生活支援コーディネーター'], '説明です。', 1), (['総合事業'], '事業です。', 5)]
    """
    entries: list[tuple[list[str], str, int]] = []
    terms: list[str] = []
    definition: list[str] = []
    first = 0
    for n, line in enumerate(content.splitlines()):
        if not line.strip():
            continue
        if line[0].isspace():
            definition.append(line.strip())
            continue
        if line.startswith(":") and not entries and not terms:
            continue  # a directive option (:sorted:)
        if definition:
            entries.append((terms, "\n".join(definition), first))
            terms, definition = [], []
        if not terms:
            first = n
        terms.append(line.strip())
    if terms:
        entries.append((terms, "\n".join(definition), first))
    return entries


def _inline_text(token) -> str:
    """Plain text of an inline token: roles show their display text, markup is dropped."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "myst_role":
            content = child.content
            # {term}`SC <生活支援コーディネーター>` shows "SC"
            if content.endswith(">") and " <" in content:
                content = content[: content.rindex(" <")]
            out.append(content)
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def _directive(info: str) -> str | None:
    info = info.strip()
    if info.startswith("{") and "}" in info:
        return info[1 : info.index("}")]
    return None


def _strip_options(content: str) -> str:
    """Drop a directive's leading `:option: value` lines."""
    lines = content.splitlines()
    while lines and lines[0].startswith(":"):
        lines.pop(0)
    return "\n".join(lines)


def _blocks(tokens, line_offset: int = 0) -> Iterator[tuple[str, Any, int]]:
    """Walk block tokens, yielding ('heading', (level, text), line), ('text', str, line),
    ('link', href, line), ('directive', name, line) and ('glossary', entries, line)."""
    cell = False
    for i, tok in enumerate(tokens):
        line = (tok.map[0] if tok.map else 0) + line_offset + 1
        if tok.type == "heading_open":
            yield "heading", (int(tok.tag[1]), _inline_text(tokens[i + 1]).strip()), line
        elif tok.type in ("th_open", "td_open"):
            cell = True
        elif tok.type == "tr_close":
            yield "text", "\n", line
        elif tok.type == "inline" and (i == 0 or tokens[i - 1].type != "heading_open"):
            yield "text", _inline_text(tok) + (" " if cell else "\n"), line
            for child in tok.children or []:
                if child.type == "link_open":
                    yield "link", child.attrs.get("href", ""), line
                elif child.type == "image":
                    yield "link", child.attrs.get("src", ""), line
            cell = False
        elif tok.type == "fence":
            name = _directive(tok.info)
            if name is None:
                yield "text", tok.content, line
                continue
            yield "directive", name, line
            if name in FILE_DIRECTIVES:
                yield "link", tok.info.strip()[len(name) + 2 :].strip(), line
            if name == "glossary":
                yield "glossary", glossary_entries(tok.content), line
            elif name in PROSE_DIRECTIVES:
                body = _strip_options(tok.content)
                inner = markdown_parser().parse(body)
                yield from _blocks(inner, line_offset=line)


def _front_matter(tokens) -> tuple[str | None, int]:
    for tok in tokens:
        if tok.type == "front_matter":
            return tok.content, (tok.map[0] if tok.map else 0)
    return None, 0


def loc_line(node: yaml.Node | None, loc: tuple, base: int) -> int:
    """File line of the YAML node at `loc` (falling back to the nearest parent)."""
    import yaml

    line = node.start_mark.line if node is not None else 0
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                break
            key, node = match[0]
            line = key.start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return base + line


def _duplicate_keys(node: yaml.Node | None, base: int) -> Iterator[tuple[str, int]]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key.value, base + key.start_mark.line
            seen.add(key.value)
            yield from _duplicate_keys(value, base)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item, base)


# PyYAML's problems as a contributor can act on them (first match wins).
_YAML_PROBLEMS = (
    ("found character '\\t'", "タブ文字は使えません。空白で字下げしてください"),
    ("mapping values are not allowed", "ここには「: 」を書けません。字下げがずれていないか、"
     "値に「: 」を含むなら値全体を \"…\" で囲んでください"),
    ("expected ',' or ']'", "「[」に対応する「]」がありません"),
    ("expected ',' or '}'", "「{」に対応する「}」がありません"),
    ("expected <block end>", "字下げがそろっていません（同じ階層の行は同じ数の空白で始めてください）"),
    ("could not find expected ':'", "「キー: 値」の「:」がありません"),
    ("found undefined alias", "「*」で始まる値は使えません。文字列なら \"…\" で囲んでください"),
    ("could not determine a constructor", "YAML のタグ（!! や ! で始まる書き方）は使えません"),
    ("that cannot start any token", "値の先頭に置けない記号があります。値全体を \"…\" で囲んでください"),
)  # fmt: skip


def yaml_error(exc: Exception) -> str:
    """A PyYAML error in Japanese (the original text when we have no translation).

    >>> import yaml
    >>> try:
    ...     yaml.safe_load("kind: case\\n\\ttitle: x")
    ... except yaml.YAMLError as e:
    ...     print(yaml_error(e))
    タブ文字は使えません。空白で字下げしてください
    """
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    if "quoted scalar" in context:
        return "引用符（\" または '）が閉じていません"
    return next((ja for en, ja in _YAML_PROBLEMS if en in problem), problem)


def read_front_matter(text: str, shown: str) -> tuple[Any, list[Problem], yaml.Node | None, int]:
    """Parse the YAML front matter of `text`. Returns (data, problems, yaml node, base line)."""
    import yaml

    from handbook_search.model import safety

    tokens = markdown_parser().parse(text)
    raw, start = _front_matter(tokens)
    if raw is None:
        if text.lstrip("\ufeff").split("\n", 1)[0].rstrip() == "---":
            msg = "フロントマターが閉じていません（YAML の終わりに --- だけの行を置いてください）"
        else:
            msg = "フロントマター（先頭の --- で囲まれた YAML）がありません"
        return None, [Problem(shown, 1, msg)], None, 0
    base = start + 2  # the YAML starts on the line after the opening ---, 1-based
    try:
        data, node = safety.load_yaml(raw)  # no aliases, bounded depth: linear work
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = base + mark.line if mark else base
        return (
            None,
            [Problem(shown, line, f"フロントマターの YAML を読めません: {yaml_error(exc)}")],
            None,
            0,
        )
    problems = [
        Problem(shown, line, f"キー {key} が重複しています")
        for key, line in _duplicate_keys(node, base)
    ]
    return data, problems, node, base


def parse_page(
    path: Path, root: Path, shown: str | None = None
) -> tuple[Page | None, list[Problem]]:
    """Parse one corpus file. `shown` is how the path appears in messages."""
    from handbook_search.model import safety

    path = Path(path)
    shown = shown or str(path)
    text, found = safety.read_page(path)
    if text is None:
        return None, [Problem(shown, line, msg) for line, msg in found]
    found = [(1, safety.PAGE_NAME_MESSAGE)] if not safety.PAGE_NAME.fullmatch(path.name) else []
    found = found or safety.nesting_problems(text)  # before markdown-it and docutils recurse
    if found:
        return None, [Problem(shown, line, msg) for line, msg in found]

    from handbook_search.model.schema import check_meta

    data, problems, node, base = read_front_matter(text, shown)
    if data is None and problems:
        return None, problems
    refused = safety.front_matter_problems(data, node, base)
    if refused:  # reported once, as refused keys, not again as unknown ones
        data = {k: v for k, v in data.items() if k not in safety.FORBIDDEN_KEYS}
    meta, errors = check_meta(data)
    problems += [Problem(shown, loc_line(node, loc, base), msg) for loc, msg in errors]
    tokens = markdown_parser().parse(text)
    refused += safety.markup_problems(text, tokens, path, root, markdown_parser().parse)
    problems += [Problem(shown, line, msg) for line, msg in refused]
    if meta is None or refused:  # an unsafe page is refused: it enters no index and no site
        return None, problems

    sections: list[Section] = []
    links: list[tuple[str, int]] = []
    directives: list[tuple[str, int]] = []
    slugs: set[str] = set()
    current = Section(title=meta.title, level=1, anchor="", line=1)
    for what, value, line in _blocks(tokens):
        if what == "heading":
            level, title = value
            if level == 1 and not sections and not current.text.strip():
                current.title, current.line = title, line
                continue
            sections.append(current)
            anchor = slugify(title, slugs) if level <= HEADING_ANCHOR_LEVEL else ""
            current = Section(title=title, level=level, anchor=anchor, line=line)
        elif what == "text":
            current.text += value
        elif what == "link":
            links.append((value, line))
        elif what == "directive":
            directives.append((value, line))
        elif what == "glossary":  # one section per entry: a hit on a term links to the term
            for terms, definition, offset in value:
                sections.append(current)
                anchor = glossary_anchor(terms[0])
                current = Section(terms[0], 2, anchor, line + offset + 1, term=True)
                current.text = "\n".join([*terms, definition]) + "\n"
    sections.append(current)
    for s in sections:
        s.text = s.text.strip()
    try:
        relpath = path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:  # a file outside the corpus (validated on its own)
        relpath = path.name
    page = Page(path.resolve(), relpath, meta, sections, links, directives)
    return page, problems


def shown_path(path: Path) -> str:
    """A path as users see it in messages: relative to the working directory when inside it."""
    path = Path(path)
    try:
        where = path.parent.resolve() / path.name  # a symlink is shown where it lies
        return where.relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, RuntimeError):  # outside the working directory; a symlink loop
        return str(path)
