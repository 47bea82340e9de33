"""`handbook-search validate`: the given files checked as the corpus they belong to.

Page rules come from page.py and rules.py, cross-page rules from the whole corpus at the root,
so a new file that repeats an existing case is caught even when it is validated alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from handbook_search.model.corpus import SYNONYMS_FILE, corpus_files, load_corpus
from handbook_search.model.dictionary import dictionary_problems
from handbook_search.model.page import Problem, parse_page, shown_path
from handbook_search.model.rules import check_corpus, check_page
from handbook_search.model.safety import inside, tree_problems


def _under(path: Path, root: Path) -> bool:
    return Path(root).is_dir() and inside(path, root)


def validate_paths(paths: list[Path], root: Path) -> tuple[int, list[Problem]]:
    """Validate the given files and folders (a folder means every page below it).

    Cross-page rules are checked against the whole corpus at `root`, so a new file that
    repeats an existing case is caught; only problems of the given files are returned.
    Returns (number of files checked, problems).
    """
    files: list[Path] = []
    folders: list[str] = []
    problems: list[Problem] = []
    dictionaries: list[Path] = []  # corpus/dictionary.yml: input too (textlint and search read it)
    for p in paths:
        p = Path(p)
        if p.is_symlink():
            files.append(p)  # refused as a symlink (safety.read_page), never followed
        elif p.is_dir():
            files += corpus_files(p)
            dictionaries += [p / SYNONYMS_FILE] if (p / SYNONYMS_FILE).is_file() else []
            folders.append(os.path.abspath(p) + os.sep)
            if not _under(p, root):  # a folder outside the corpus: its own files checked
                problems += [Problem(shown_path(f), 1, m) for f, m in tree_problems(p)]
        elif p.name == SYNONYMS_FILE and p.is_file():
            dictionaries.append(p)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(shown_path(p), 0, "ファイルまたはフォルダがありません"))
    wanted = {Path(os.path.realpath(f)) for f in files}
    corpus = load_corpus(root) if Path(root).is_dir() else None
    pages = {pg.path: pg for pg in (corpus.pages + corpus.duplicates if corpus else [])}
    for path in files:
        shown = shown_path(path)
        if corpus and Path(os.path.realpath(path)) in pages:
            continue  # already parsed with the corpus; its problems are picked below
        page, found = parse_page(path, root, shown)
        problems += found
        if page is not None:
            pages[page.path] = page
            problems += check_page(page, shown)
    if corpus:
        problems += [
            pr
            for pr in corpus.problems
            if Path(os.path.realpath(pr.path)) in wanted
            or os.path.abspath(pr.path).startswith(tuple(folders))
        ]
    problems += [
        pr
        for pr in check_corpus(list(pages.values()), root)
        if Path(os.path.realpath(pr.path)) in wanted and pr not in problems
    ]
    for path in dictionaries:
        problems += dictionary_problems(path, shown_path(path))
    return len(files) + len(dictionaries), sorted(set(problems))
