"""The corpus: every page under a folder, parsed and checked page by page and across pages.

This is the only place that walks corpus/ (`scan`, `corpus_files`); reading one file is
page.py's. `load_corpus` gives the Sphinx extension, the CLI and the site-search index the same
`Corpus` (pages + problems).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from handbook_search.model.page import Page, Problem, parse_page, shown_path

# the one spelling/synonym dictionary: textlint-rule-prh and search read it (search/synonyms.py)
SYNONYMS_FILE = "dictionary.yml"


def scan(root: Path, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """(corpus-relative path, stat) of every page, names starting with . or _ skipped."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            yield from scan(Path(entry.path), f"{prefix}{entry.name}/")
        elif entry.name.endswith(".md"):
            yield prefix + entry.name, entry.stat()


def corpus_files(root: Path) -> list[Path]:
    """Every page of the corpus, in a stable order."""
    return sorted(Path(root) / rel for rel, _ in scan(Path(root)))


@dataclass
class Corpus:
    root: Path
    pages: list[Page]
    problems: list[Problem]

    def by_kind(self, kind: str) -> list[Page]:
        return [p for p in self.pages if p.kind == kind]

    def theme_page(self, number: int) -> Page | None:
        return next((p for p in self.by_kind("theme") if p.meta.theme == number), None)

    def cases(self, theme: int | None = None) -> list[Page]:
        """Case pages (optionally those tagged with `theme`), newest year first, then north to south."""
        from handbook_search.model.vocab import prefecture_order

        found = [p for p in self.by_kind("case") if theme is None or theme in p.meta.themes]
        return sorted(
            found,
            key=lambda p: (
                -p.meta.fiscal_year,
                prefecture_order(p.meta.prefecture),
                p.meta.municipality,
            ),
        )


def load_corpus(root: Path) -> Corpus:
    """Parse every page under `root` and apply the per-page and cross-page rules."""
    from handbook_search.model.rules import check_corpus, check_page

    root = Path(root)
    pages, problems = [], []
    for path in corpus_files(root):
        shown = shown_path(path)
        page, found = parse_page(path, root, shown)
        problems += found
        if page is not None:
            pages.append(page)
            problems += check_page(page, shown)
    problems += check_corpus(pages, root)
    return Corpus(root, pages, sorted(set(problems)))
