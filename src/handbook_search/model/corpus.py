"""The corpus: every page under a folder, parsed and checked page by page and across pages.

This is the only place that walks corpus/ (`scan`, `corpus_files`); reading one file is
page.py's. `load_corpus` gives the Sphinx extension, the CLI and the site-search index the same
`Corpus` (pages + problems).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handbook_search.model.page import Page, Problem, parse_page, shown_path

# the one spelling/synonym dictionary: textlint-rule-prh and search read it (search/synonyms.py)
SYNONYMS_FILE = "dictionary.yml"


def scan(root: Path, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """(corpus-relative path, stat) of every page, names starting with . or _ skipped.

    Symlinks are never followed (safety.tree_problems reports them), so a link loop or a link
    to a file outside the corpus brings nothing in."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "_")) or entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from scan(Path(entry.path), f"{prefix}{entry.name}/")
        elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
            yield prefix + entry.name, entry.stat(follow_symlinks=False)


def corpus_files(root: Path) -> list[Path]:
    """Every page of the corpus, in a stable order."""
    return sorted(Path(root) / rel for rel, _ in scan(Path(root)))


@dataclass
class Corpus:
    root: Path
    pages: list[Page]  # each identity once: a duplicate case is not indexed or listed twice
    problems: list[Problem]
    duplicates: list[Page] = field(default_factory=list)  # left out of `pages`, reported

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


def load_corpus(root: Path, parse=None) -> Corpus:
    """Parse every page under `root` and apply the per-page and cross-page rules.

    `parse` replaces parse_page (same arguments and result), e.g. by one that caches."""
    from handbook_search.model.rules import check_corpus, check_page, without_duplicates
    from handbook_search.model.safety import tree_problems

    root = Path(root)
    parse = parse or parse_page
    pages, problems = [], []
    for path in corpus_files(root):
        shown = shown_path(path)
        page, found = parse(path, root, shown)
        problems += found
        if page is not None:
            pages.append(page)
            problems += check_page(page, shown)
    problems += check_corpus(pages, root)
    problems += [Problem(shown_path(p), 1, msg) for p, msg in tree_problems(root)]
    pages, duplicates = without_duplicates(pages)
    return Corpus(root, pages, sorted(set(problems)), duplicates)
