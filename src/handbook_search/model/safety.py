"""What a corpus page may contain: the rules for untrusted input (pages arrive by pull request).

A page that breaks one of these rules is refused: `parse_page` returns no page, so it is
reported by `handbook-search validate` and by the Sphinx build (a warning, which -W makes an
error), and it enters neither the search index nor the site-search index. The build refuses
the same things a second time on its own (site/safety.py), so skipping validation publishes
nothing unsafe.

- the file: a regular file (no symlink) named as PAGE_NAME allows, at most MAX_PAGE_BYTES, UTF-8
  (a bad byte is reported at its real line), no control characters other than tab and newline
  (and no bidi overrides), Markdown nested no deeper than nesting_problems allows;
- the front matter: read with `load_yaml` (no aliases, at most MAX_YAML_DEPTH levels); no key
  that changes the parser or the page's HTML head (FORBIDDEN_KEYS); in every string no control
  character (also as a YAML escape), no invisible character (INVISIBLE) and no HTML;
- the markup: no control character written as a character reference (&#x202e;), no raw HTML (the allow-list ALLOWED_HTML is empty), no directive or role that
  inserts files or raw output (REFUSED_DIRECTIVES, REFUSED_ROLES), images only of image files
  inside the corpus, no javascript:/data:/vbscript: links;
- the corpus folder: only pages (.md), images and dictionary.yml; no symlinks (tree_problems).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Words in one group of the dictionary (dictionary.yml; here, not in dictionary.py, so that a
# cold search reads the bound without importing pydantic). The largest group has 6 words: a
# group of MAX_GROUP is already a long list of spellings to search at once (each member is one
# more query term).
MAX_GROUP = 20

# Found problems are (line, message) pairs (tree_problems: (path, message)); page.py and
# corpus.py make them `Problem`s. This module sits below page.py and imports nothing of ours.
Found = list[tuple[int, str]]

# 10 times the largest page in the corpus (about 30 KB): room for any real case study, while a
# page stays small enough for the search snippets and the browser's site search to stay fast.
MAX_PAGE_BYTES = 300_000

# Front-matter keys MyST or Sphinx read from a page: per-page parser settings (`myst:`
# re-enables raw HTML or Jinja2 substitutions), substitutions, and <meta> tags in the head.
FORBIDDEN_KEYS = {
    "myst": "MyST の設定を変えるキー myst は使えません",
    "substitutions": "置換（substitutions）は使えません",
    "html_meta": "HTML の <meta> を足すキー html_meta は使えません",
}

# Raw HTML tags a page may use. None: Markdown covers what the pages need, and every tag is a
# way to run script, load a frame or a remote file, or hide text.
ALLOWED_HTML: frozenset[str] = frozenset()

REFUSED_DIRECTIVES = {
    "raw": "{raw}（HTML などをそのまま出力）は使えません",
    "eval-rst": "{eval-rst}（reStructuredText の埋め込み）は使えません",
    "include": "{include}（ほかのファイルの取り込み）は使えません",
    "literalinclude": "{literalinclude}（ほかのファイルの取り込み）は使えません",
    "iframe": "iframe（ほかのページの埋め込み）は使えません",
}
REFUSED_ROLES = {
    "download": "{download}（ファイルの配布）は使えません",
    "raw": "{raw}（HTML などをそのまま出力）は使えません",
    "eval-rst": "{eval-rst}（reStructuredText の埋め込み）は使えません",
}
# Directives whose body is literal text, not Markdown: not searched for nested markup.
LITERAL_DIRECTIVES = {"code", "code-block", "sourcecode", "math", "glossary"}
# Every other directive and role a page may use: admonitions, images, tables and the site's own
# generated lists (site/sphinxext.py). Anything else is an extension we did not review.
ALLOWED_DIRECTIVES = LITERAL_DIRECTIVES | {
    *("admonition", "attention", "caution", "danger", "error", "hint", "important", "note"),
    *("seealso", "tip", "warning", "image", "figure", "table", "list-table", "toctree"),
    *("case-list", "case-explorer", "case-map", "recent-cases", "theme-cases", "theme-list"),
    *("spelling-table", "print-edition"),
}
ALLOWED_ROLES = {"term", "ref", "doc", "sub", "sup", "abbr"}
TARGET = "ラベル（(名前)= の行）は使えません（見出しへのリンクは見出しのアンカーを使ってください）"

# Image files a page may show: suffix → leading bytes. No SVG: opened on its own, an SVG file
# runs its scripts with the site's origin.
IMAGE_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}
OTHER_FILES = {"dictionary.yml"}  # at the corpus root

# C0 controls but tab, LF and CR, DEL, C1 controls (ESC, CSI, OSC …) and bidi overrides: what a
# page may not contain and what the CLI never prints (cli/render.py).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing but change what a name is or how it is read (zero-width space,
# joiners, marks, word joiner, invisible operators, BOM, Arabic and Mongolian marks): refused in
# front-matter strings, where two names must compare equal when they look equal.
INVISIBLE = re.compile("[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u3164\ufeff]")
# A tag, a comment or a character reference: front-matter strings are plain text.
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>?|&#?[a-zA-Z0-9]+;")
_CONTROL = re.compile(CONTROL.pattern + "|\r(?!\n)")  # in a file, CR only before LF
_BAD_SCHEME = re.compile(
    r"""(?ix)(?: \]\( \s*<? | <\s* | (?:href|src|target)\s*=\s*["']? | :target:\s* | ^\s*\[[^\]]+\]:\s* )
    \s*(javascript|vbscript|data)\s*:"""
)
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_image(path: Path) -> bool:
    """A regular file (no symlink) whose suffix and leading bytes are those of an image type."""
    magic = IMAGE_MAGIC.get(path.suffix.lower())
    if not magic or path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    if path.suffix.lower() == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(magic)


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, symlinks resolved, lies inside `root`."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return False
    return True


def image_problem(target: str, page: Path, root: Path) -> str | None:
    """Why an image target may not be shown (None when it may)."""
    if _URL_SCHEME.match(target) or target.startswith("//"):
        return (
            f"画像はコーパスの中のファイルを指定してください（外部の URL は使えません）: {target}"
        )
    if any(c in target for c in "*?[") or not target:
        return f"画像のファイル名をそのまま指定してください: {target}"
    if target.startswith("/"):
        return f"画像はページからの相対パスで指定してください: {target}"
    path = page.parent / target
    if not os.path.lexists(path):
        return None  # nothing to show or copy: rules.py says the file is missing
    if not inside(path, root):
        return f"コーパスの外のファイルは画像に使えません: {target}"
    if not is_image(path):
        kinds = "・".join(sorted({s.lstrip(".").upper() for s in IMAGE_MAGIC}))
        return f"画像ファイル（{kinds}）ではありません: {target}"
    return None


def link_problem(href: str, page: Path, root: Path) -> str | None:
    """A relative link to a file outside the corpus (the build would copy it for download)."""
    from urllib.parse import unquote, urlparse

    url = urlparse(href)
    if url.scheme or url.netloc or not url.path or url.path.startswith("/"):
        return None
    path = page.parent / unquote(url.path)
    if not os.path.lexists(path) or inside(path, root):
        return None  # a missing file is rules.py's to report; nothing is copied
    return f"コーパスの外のファイルへのリンクは使えません: {href}"


# -- the file ----------------------------------------------------------------------------
def read_page(path: Path) -> tuple[str | None, Found]:
    """The text of a page, or None with the problems that refuse it before it is parsed."""
    text, problems = read_text(path)
    if text is None or not _CONTROL.search(text):  # one scan; lines only when needed
        return text, problems
    problems = [
        (n, control_message(m.group(), ""))
        for n, line in enumerate(text.split("\n"), 1)
        for m in [_CONTROL.search(line)]
        if m
    ]
    return None, problems


def read_text(path: Path) -> tuple[str | None, Found]:
    """The text of a file that may be a page: a regular file (no symlink) within the size
    limit, in UTF-8 (a bad byte reported at its line); else None and the problem."""
    path = Path(path)
    try:
        if path.is_symlink():
            msg = "シンボリックリンクは使えません（ファイルそのものを置いてください）"
            return None, [(1, msg)]
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            msg = (
                f"ページが大きすぎます（{size:,} バイト、上限 {MAX_PAGE_BYTES:,} バイト）。"
                "ページを分けてください"
            )
            return None, [(1, msg)]
        data = path.read_bytes()
    except OSError as exc:
        return None, [(1, f"ファイルを読めません: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = f"UTF-8 として読めないバイトがあります（0x{data[exc.start]:02x}）。UTF-8 で保存してください"
        return None, [(line, msg)]
    return text, []


# -- bounded work ------------------------------------------------------------------------
# YAML nesting a page or the dictionary may use (real front matter nests 3 deep): PyYAML's
# composer recurses once per level, so 5,000 nested mappings are a RecursionError.
MAX_YAML_DEPTH = 50
YAML_ALIAS = (
    "YAML の別名（& と * で同じ値を繰り返す書き方）は使えません。値をそのまま書いてください"
)
YAML_DEPTH = f"YAML の入れ子が深すぎます（上限 {MAX_YAML_DEPTH} 階層）"
YAML_VALUE = "値を読めません（存在しない日付や、桁が多すぎる数です）: "


@functools.cache
def _constructor() -> type:
    """PyYAML's SafeConstructor that reports a value Python cannot hold (2025-02-30, a number
    of 5,000 digits: ValueError inside PyYAML) as a YAML error at the value's line."""
    import yaml
    from yaml.constructor import ConstructorError

    class Constructor(yaml.constructor.SafeConstructor):
        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                value = str(node.value)[:40] if isinstance(node.value, str) else ""
                raise ConstructorError(None, None, YAML_VALUE + value, node.start_mark) from exc

    return Constructor


def load_yaml(text: str) -> tuple[Any, Any]:
    """(data, node) of a YAML document, refusing anchors and aliases (a few lines of
    `&a [*b, *b, …]` stand for billions of nodes to any walk over them) and nesting beyond
    MAX_YAML_DEPTH from the event stream, before anything is composed: work stays linear in
    the size of the text. yaml.YAMLError when refused or malformed."""
    import yaml

    node = yaml.compose(text, Loader=_checked_loader())  # PyYAML's messages (yaml_error)
    return (_constructor()().construct_document(node) if node is not None else None), node


@functools.cache
def _checked_loader() -> type:
    """yaml.SafeLoader that refuses aliases, anchors and deep nesting while it composes, event by
    event before each node is built: the checks of _check_events in the same single pass over
    the text (the front matter was scanned twice; YAML was a third of parsing a page)."""
    import yaml

    class Checked(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            nests = _refuse(self.peek_event(), self.depth)
            self.depth += nests
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= nests

    return Checked


def _refuse(event, depth: int) -> bool:
    """Whether `event` opens a mapping or a sequence; ComposerError for an alias, an anchor or
    an opening at MAX_YAML_DEPTH (`depth`: how many are open before it). One check for both the
    loader that composes (_checked_loader) and the event walk before libyaml (_check_events)."""
    import yaml
    from yaml.composer import ComposerError

    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        raise ComposerError(None, None, YAML_ALIAS, event.start_mark)
    nests = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
    if nests and depth >= MAX_YAML_DEPTH:
        raise ComposerError(None, None, YAML_DEPTH, event.start_mark)
    return nests


def _check_events(text: str, loader_class: type) -> type:
    """Refuse aliases, anchors and deep nesting in the event stream; the loader class used."""
    import yaml

    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            depth += _refuse(event, depth)
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()
    return loader_class


# Markdown nesting before markdown-it and docutils recurse over it: brackets (links) and
# emphasis delimiters per paragraph (per row in a table), quote depth and indentation per line. Real pages stay far
# below (brackets 2, delimiters a dozen, quotes 2, indentation 12 columns).
MAX_BRACKETS = 30
MAX_DELIMITERS = 200
MAX_QUOTES = 10
MAX_INDENT = 120
_DELIMITER = re.compile(r"(?<!\\)[*_]")
_DEEP_PREFIX = re.compile(rf"(?m)^(?:[ \t]*>){{{MAX_QUOTES + 1}}}|^[ \t>]{{{MAX_INDENT // 4}}}")
_BRACKET = re.compile(r"[\[\]]")
_LIST_MARKER = re.compile(r"^(?:[*_-]|\d{1,9}[.)])\s")


def nesting_problems(text: str) -> Found:
    """Where a page nests deeper than markdown-it and docutils can follow (one scan, no parse)."""
    if (
        text.count("[") <= MAX_BRACKETS
        and text.count("*") + text.count("_") <= MAX_DELIMITERS
        and not _DEEP_PREFIX.search(text)
    ):
        return []  # most pages: nothing can nest that deep
    found: Found = []
    depth = delimiters = 0
    start = 1
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" \t>")
        if not stripped.strip():
            depth = delimiters = 0
            start = n + 1
            continue
        prefix = line[: len(line) - len(stripped)]
        if prefix.count(">") > MAX_QUOTES or len(prefix.expandtabs(4)) > MAX_INDENT:
            found.append((n, NESTING))
            break
        if "[" in stripped:
            for m in _BRACKET.finditer(stripped):
                depth = depth + 1 if m.group() == "[" else max(depth - 1, 0)
                if depth > MAX_BRACKETS:
                    break
        elif "]" in stripped:
            depth = max(depth - stripped.count("]"), 0)
        body = stripped[2:] if _LIST_MARKER.match(stripped) else stripped
        if body.startswith("|"):  # a table row: each cell is read on its own
            delimiters = 0
        if "*" in body or "_" in body:
            delimiters += len(_DELIMITER.findall(body))
        if depth > MAX_BRACKETS or delimiters > MAX_DELIMITERS:
            what = "「[」の入れ子" if depth > MAX_BRACKETS else "強調の記号（* や _）"
            found.append((start, f"段落の中の{what}が多すぎます（段落を分けてください）"))
            break
    return found


def front_matter_bounds(text: str) -> Found:
    """YAML aliases, nesting beyond MAX_YAML_DEPTH or values Python cannot hold in the front
    matter of `text` (the build's check, before MyST reads it with yaml.safe_load: the validator
    reads the front matter with `load_yaml` itself)."""
    import yaml

    m = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not m:
        return []
    fm = m.group(1)
    indent = max((len(x) - len(x.lstrip(" ")) for x in fm.split("\n")), default=0)
    openers = fm.count("{") + fm.count("[") + fm.count("- ") + fm.count("? ")
    try:
        # nesting is at most openers + indentation: most pages skip the event walk
        fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10 times faster
        if "&" in fm or "*" in fm or openers + indent > MAX_YAML_DEPTH:
            loader_class = _check_events(fm, fast)
        else:
            loader_class = fast
        try:  # libyaml's constructor: no node lines needed here, the file is named
            yaml.load(m.group(1), Loader=loader_class)  # noqa: S506 (a safe loader)
        except (ValueError, OverflowError):
            return [(1, YAML_VALUE.removesuffix(": "))]
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", "")
        if problem in (YAML_ALIAS, YAML_DEPTH) or problem.startswith(YAML_VALUE):
            mark = getattr(exc, "problem_mark", None)
            return [((mark.line if mark else 0) + 2, problem)]
    return []


# The front matter as MyST finds it (the build's checks run before MyST reads the page).
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)

# The names a page file may have (the site's URLs are the names): letters, digits, - and _, no
# space, #, ?, % or anything a URL must escape. rules.py wants more of a case (<県>-<町>-<年度>).
PAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.md")
PAGE_NAME_MESSAGE = (
    "ファイル名には半角の英字・数字・-・_ だけを使ってください（空白や # ? % などは使えません）"
)

NESTING = "リストや引用の入れ子が深すぎるため、ここから後を読めません（入れ子を浅くしてください）"


# -- the front matter --------------------------------------------------------------------
def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def control_message(char: str, how: str) -> str:
    return f"制御文字（U+{ord(char):04X}{how}）は使えません（タブと改行のほかは削除してください）"


def front_matter_problems(data: Any, node, base: int) -> Found:
    """Keys of FORBIDDEN_KEYS at the top of the front matter, and values with control
    characters or bidi overrides written as YAML escapes ("\u202e"), at their key's line."""
    if not isinstance(data, dict):
        return []
    lines = {}
    for key, _ in getattr(node, "value", None) or []:
        lines.setdefault(getattr(key, "value", None), base + key.start_mark.line)
    found = [(lines.get(key, base), msg) for key, msg in FORBIDDEN_KEYS.items() if key in data]
    for key, value in data.items():
        for s in _strings(value):
            m = CONTROL.search(s)
            if m:
                msg = control_message(m.group(), "、エスケープで書いたもの")
            elif m := INVISIBLE.search(s):
                msg = f"見えない文字（U+{ord(m.group()):04X}）は使えません（削除してください）"
            elif m := _HTML_TAG.search(s):
                msg = f"フロントマターに HTML は書けません: {m.group()[:40]}"
            else:
                continue
            found.append((lines.get(key, base), msg))
            break
    return found


# -- the markup --------------------------------------------------------------------------
def _directive(info: str) -> tuple[str, str] | None:
    info = info.strip()
    if info.startswith("{") and "}" in info:
        end = info.index("}")
        return info[1:end].strip(), info[end + 1 :].strip()
    return None


def _body(content: str) -> str:
    """A directive's content with its option lines blanked (so line numbers stay)."""
    lines = content.split("\n")
    i = 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
        i = end + 1 if end else 0
    while i < len(lines) and lines[i].startswith(":"):
        i += 1
    return "\n" * i + "\n".join(lines[i:])


def _html_problem(content: str) -> str:
    if re.search(r"(?i)<\s*iframe", content):
        return "iframe（ほかのページの埋め込み）は使えません"
    tag = re.match(r"\s*<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)", content)
    if tag and tag.group(1).lower() in ALLOWED_HTML:
        return ""
    if tag and tag.group(1).lower() == "br":
        return "HTML タグ <br> は使えません（改行は行末に \\ を書いてください）"
    if content.lstrip().startswith("<!--"):
        return "HTML のコメントは使えません（コメントは % で始まる行に書いてください）"
    return (
        f"HTML タグは使えません: {content.strip()[:40]}"
        "（文字として書くときは ` で囲むか、< を \\< と書いてください）"
    )


def _walk(tokens, offset: int, parse) -> Iterator[tuple[str, Any, int]]:
    """(kind, value, line) of what the rules look at, directive bodies included."""
    for tok in tokens:
        line = (tok.map[0] if tok.map else 0) + offset + 1
        if tok.type == "html_block":
            yield "html", tok.content, line
        elif tok.type == "myst_target":
            yield "target", tok.content, line
        elif tok.type == "fence":
            found = _directive(tok.info)
            if found is None:
                continue
            name, args = found
            yield "directive", (name, args, tok.content), line
            if name not in LITERAL_DIRECTIVES and name not in REFUSED_DIRECTIVES:
                yield from _walk(parse(_body(tok.content)), line, parse)
        for child in tok.children or []:
            if child.type in ("text", "text_special"):  # entities (&#x202e;) decoded
                yield "text", child.content, line
            elif child.type == "html_inline":
                yield "html", child.content, line
            elif child.type == "image":
                yield "image", child.attrs.get("src", ""), line
            elif child.type == "link_open":
                yield "link", child.attrs.get("href", ""), line
            elif child.type == "myst_role":
                yield "role", child.meta.get("name", ""), line


def text_problem(text: str) -> str | None:
    """A control character in a page's text as Markdown reads it: written as a character
    reference (&#x202e;), since one written as itself refuses the file before (read_page)."""
    m = CONTROL.search(text)
    return control_message(m.group(), "、文字参照で書いたもの") if m else None


def markup_problems(text: str, tokens, path: Path, root: Path, parse) -> Found:
    """Raw HTML, refused directives and roles, images, and script links of a page parsed into
    markdown-it `tokens` (`parse` parses a directive's body the same way)."""
    problems = []
    for kind, value, line in _walk(tokens, 0, parse):
        msg = None
        if kind == "text":
            msg = text_problem(value)
        elif kind == "html":
            msg = _html_problem(value) or None
        elif kind == "target":
            msg = TARGET
        elif kind == "role":
            msg = REFUSED_ROLES.get(value)
            if msg is None and value not in ALLOWED_ROLES:
                msg = f"{{{value}}} は使えない役割（ロール）です"
        elif kind == "image":
            msg = image_problem(value, path, root)
        elif kind == "link":
            msg = link_problem(value, path, root)
        elif kind == "directive":
            name, args, content = value
            msg = REFUSED_DIRECTIVES.get(name)
            if msg is None and name not in ALLOWED_DIRECTIVES:
                msg = f"{{{name}}} は使えないディレクティブです"
            if msg is None and name in ("image", "figure"):
                msg = image_problem(args, path, root)
            if msg is None and re.search(r"(?m)^\s*:(file|url):", content):
                msg = f"{{{name}}} の :file: と :url: は使えません（ほかのファイルの取り込み）"
        if msg:
            problems.append((line, msg))
    problems += _too_deep(text, tokens, parse)
    for n, line in enumerate(text.split("\n"), 1):
        m = _BAD_SCHEME.search(line)
        if m:
            msg = f"{m.group(1).lower()}: のリンクは使えません（http: か https: のリンクにしてください）"
            problems.append((n, msg))
    return problems


def _too_deep(text: str, tokens, parse) -> Found:
    """markdown-it stops reading a page where lists or quotes nest beyond its limit (the rest
    of the page is lost, headings included): say so, rather than "missing headings"."""
    md = getattr(parse, "__self__", None)
    limit = md.options.get("maxNesting", 20) if md is not None else 20
    deep = next((t for t in tokens if t.level >= limit - 1 and t.map), None)
    if deep is None:
        return []
    md.options["maxNesting"] = 4 * MAX_INDENT  # bounded: nesting_problems ran first
    try:
        full = md.parse(text)
    finally:
        md.options["maxNesting"] = limit
    if len(full) == len(tokens):
        return []
    return [(deep.map[0] + 1, NESTING)]


# -- the corpus folder -------------------------------------------------------------------
def _allowed_file(path: Path, at_root: bool) -> bool:
    if path.suffix == ".md":
        return not path.name.startswith((".", "_"))  # a page: read_page checks it
    return (at_root and path.name in OTHER_FILES) or is_image(path)


def tree_problems(root: Path) -> list[tuple[Path, str]]:
    """Symlinks, unreadable folders and files that are neither pages nor images under `root`.

    Never follows a symlink, so a link loop (`ln -s .. corpus/cases/loop`) is one problem."""
    root = Path(root)
    problems = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append((folder, f"フォルダを読めません: {exc.strerror or exc}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                msg = "シンボリックリンクは使えません（ファイルそのものを置いてください）"
                problems.append((path, msg))
            elif entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif not _allowed_file(path, folder == root):
                msg = (
                    "ページとして読まれないファイルです（ページは .md、名前は . や _ で始めない。"
                    "画像は PNG・JPEG・GIF・WebP）"
                )
                problems.append((path, msg))
    return problems
