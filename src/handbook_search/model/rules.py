"""Structure rules on top of the front-matter schema: what a page of each kind must contain,
and what must hold across the corpus. Each rule yields a `Problem` with file and line."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlparse

from handbook_search.model.page import Page, Problem, shown_path
from handbook_search.model.vocab import THEMES

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
        have = {s.title for s in page.sections if s.level == 2}
        missing = [name for name in CASE_SECTIONS if name not in have]
        if missing:
            msg = "事例ページに必要な見出しがありません: " + "、".join(f"## {m}" for m in missing)
            problems.append(Problem(shown, top.line, msg))
    problems += _broken_links(page, shown)
    return problems


def _broken_links(page: Page, shown: str) -> list[Problem]:
    problems = []
    for href, line in page.links:
        url = urlparse(href)
        if url.scheme or url.netloc or not url.path or not url.path.endswith(".md"):
            continue
        target = (page.path.parent / unquote(url.path)).resolve()
        if not target.is_file():
            problems.append(Problem(shown, line, f"リンク先のファイルがありません: {href}"))
    return problems


def check_corpus(pages: list[Page], root: Path) -> list[Problem]:
    """Rules across pages: each identity (case = municipality + year, theme number …) once."""
    problems = []
    groups: dict[tuple, list[Page]] = defaultdict(list)
    for page in pages:
        groups[page.identity].append(page)
    for same in groups.values():
        if len(same) < 2:
            continue
        for page in same:
            others = "、".join(shown_path(o.path) for o in same if o is not page)
            msg = f"{page.describe_identity()}が重複しています（ほかに: {others}）"
            problems.append(Problem(shown_path(page.path), 1, msg))
    return problems
