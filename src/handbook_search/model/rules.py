"""Structure rules on top of the front-matter schema: what a page of each kind must contain,
and what must hold across the corpus. Each rule yields a `Problem` with file and line."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlparse

from handbook_search.model.page import Page, Problem, shown_path
from handbook_search.model.vocab import PREFECTURE_ROMAJI, THEMES

# The common structure of a case study page (the 出雲市 page is the model).
CASE_SECTIONS = (
    "概要",
    "地域の状況",
    "支援テーマと課題",
    "支援の経過",
    "主な取組",
    "成果・気づき",
    "今後の展開",
    "関連テーマ",
    "出典",
)

# What `handbook-search new case` leaves for the contributor to write.
PLACEHOLDER = "【記入】"


def check_page(page: Page, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    top = page.sections[0]
    if top.level != 1:
        problems.append(Problem(shown, 1, f"本文の最初に見出し「# {page.title}」がありません"))
    elif top.title != page.title:
        problems.append(
            Problem(
                shown, top.line, f"見出し「# {top.title}」が title「{page.title}」と一致しません"
            )
        )
    if page.kind == "theme":
        expected = THEMES[page.meta.theme]
        if page.title != expected:
            msg = f'title はテーマ {page.meta.theme} の名称「{expected}」にしてください: "{page.title}"'
            problems.append(Problem(shown, 1, msg))
        if not any(name == "theme-cases" for name, _ in page.directives):
            msg = "事例の一覧を出す ```{theme-cases}``` ディレクティブがありません（## 事例 の中に置いてください）"
            problems.append(Problem(shown, top.line, msg))
    if page.kind == "case":
        problems += _case_headings(page, shown)
        problems += _case_file_name(page, shown)
    problems += _missing_files(page, shown)
    problems += _placeholders(page, shown)
    return problems


def _placeholders(page: Page, shown: str) -> list[Problem]:
    """Lines that still hold the scaffold's 【記入】 (hints in `%` comments do not count)."""
    text = page.path.read_text(encoding="utf-8")
    return [
        Problem(
            shown, n, f"ひな形の「{PLACEHOLDER}」が残っています。出典に基づいて書き換えてください"
        )
        for n, line in enumerate(text.splitlines(), 1)
        if PLACEHOLDER in line and not line.lstrip().startswith("%")
    ]


def _case_headings(page: Page, shown: str) -> list[Problem]:
    """The standard headings: each present, in CASE_SECTIONS order; say where a missing one goes."""
    problems = []
    found = [(s.title, s.line) for s in page.sections if s.level == 2 and s.title in CASE_SECTIONS]
    order = [CASE_SECTIONS.index(t) for t, _ in found]
    keep = set(_longest_increasing(order))  # the headings already in order stay where they are
    for i, (title, line) in enumerate(found):
        if i not in keep:
            before = max((order[j] for j in keep if order[j] < order[i]), default=None)
            where = f"「## {CASE_SECTIONS[before]}」の後" if before is not None else "最初の見出し"
            msg = f"見出し「## {title}」の位置が違います（{where}に移してください）"
            problems.append(Problem(shown, line, msg))
    have = {t for t, _ in found}
    lines = dict(found)
    for k, name in enumerate(CASE_SECTIONS):
        if name in have:
            continue
        prev = next(
            (CASE_SECTIONS[j] for j in range(k - 1, -1, -1) if CASE_SECTIONS[j] in have), None
        )
        nxt = next(
            (
                CASE_SECTIONS[j]
                for j in range(k + 1, len(CASE_SECTIONS))
                if CASE_SECTIONS[j] in have
            ),
            None,
        )
        if prev and nxt:
            where, line = f"「## {prev}」と「## {nxt}」の間", lines[nxt]
        elif prev:
            where, line = f"「## {prev}」の後", lines[prev]
        elif nxt:
            where, line = f"「## {nxt}」の前", lines[nxt]
        else:
            where, line = "タイトルの後", page.sections[0].line
        msg = f"事例ページに必要な見出しがありません: ## {name}（{where}に置いてください）"
        problems.append(Problem(shown, line, msg))
    return problems


def _longest_increasing(seq: list[int]) -> list[int]:
    """Indexes of a longest strictly increasing subsequence of `seq`.

    >>> _longest_increasing([0, 1, 4, 2, 3])
    [0, 1, 3, 4]
    """
    best: list[list[int]] = []
    for i, v in enumerate(seq):
        prev = max((b for j, b in enumerate(best) if seq[j] < v), key=len, default=[])
        best.append(prev + [i])
    return max(best, key=len, default=[])


# The municipality part of a case file name: lower-case ASCII words joined by hyphens.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def expected_case_name(prefecture: str, slug: str, year: int) -> str:
    """The file name of a case: `<prefecture romaji>-<municipality slug>-<year>.md`."""
    return f"{PREFECTURE_ROMAJI[prefecture]}-{slug}-{year}.md"


def _case_file_name(page: Page, shown: str) -> list[Problem]:
    m = page.meta
    name = page.path.name
    romaji = PREFECTURE_ROMAJI[m.prefecture]
    if re.fullmatch(rf"{romaji}-{SLUG}-{m.fiscal_year}\.md", name):
        return []
    parts = re.fullmatch(r"(.*?)-?(\d{4})?", name.removesuffix(".md"))
    core, written = parts.group(1).removeprefix(f"{romaji}-"), parts.group(2)
    slug = core if re.fullmatch(SLUG, core) else "<自治体名のローマ字>"
    expected = expected_case_name(m.prefecture, slug, m.fiscal_year)
    if name.startswith(f"{romaji}-") and written and int(written) != m.fiscal_year:
        why = f"ファイル名の年度 {written} が fiscal_year {m.fiscal_year} と一致しません"
    else:
        why = (
            "事例のファイル名は <都道府県>-<自治体>-<年度>.md の形にします（半角英小文字・数字・-）"
        )
    return [Problem(shown, 1, f"{why}: {expected} にしてください")]


def _missing_files(page: Page, shown: str) -> list[Problem]:
    """Links, images and figures that point at a file next to the page that is not there."""
    problems = []
    for href, line in page.links:
        url = urlparse(href)
        if url.scheme or url.netloc or not url.path:
            continue
        path = unquote(url.path)
        base = page.path.parent if not path.startswith("/") else _project_root(page)
        if not (base / path.lstrip("/")).exists():
            what = "リンク先のファイル" if path.endswith(".md") else "参照しているファイル"
            problems.append(Problem(shown, line, f"{what}がありません: {href}"))
    return problems


def _project_root(page: Page) -> Path:
    """Sphinx reads '/x' as relative to the source folder (the corpus folder's parent)."""
    root = page.path
    for _ in page.relpath.split("/"):
        root = root.parent
    return root.parent


def check_corpus(pages: list[Page], root: Path) -> list[Problem]:
    """Rules across pages: each identity (case = municipality + year, theme number …) once.

    Each file of a duplicate names the other file(s); all but the first (by path) are left out
    of the corpus (see `without_duplicates`) and say so."""
    problems = []
    for same in _duplicate_groups(pages):
        for i, page in enumerate(same):
            others = "、".join(shown_path(o.path) for o in same if o is not page)
            msg = f"{page.describe_identity()}が重複しています（ほかに: {others}）"
            if i:
                msg += "。このファイルは索引と一覧に入れません"
            problems.append(Problem(shown_path(page.path), 1, msg))
    return problems


def without_duplicates(pages: list[Page]) -> tuple[list[Page], list[Page]]:
    """(pages with each identity once, the left-out duplicates): the first file by path stays."""
    dropped = {id(p) for same in _duplicate_groups(pages) for p in same[1:]}
    return [p for p in pages if id(p) not in dropped], [p for p in pages if id(p) in dropped]


def _duplicate_groups(pages: list[Page]) -> list[list[Page]]:
    groups: dict[tuple, list[Page]] = defaultdict(list)
    for page in sorted(pages, key=lambda p: p.path):
        groups[page.identity].append(page)
    return [same for same in groups.values() if len(same) > 1]
