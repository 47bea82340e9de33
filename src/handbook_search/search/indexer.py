"""Writing the index: corpus files → whoosh documents → a new generation folder.

`prepare` turns one corpus file into a whoosh document (page model → documents.py); for large
batches worker processes parse and analyze while this process writes. `write_generation` writes
a complete new generation in a temporary folder next to the live one; index.py makes it live.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from handbook_search.search.documents import SEARCH_FIELDS, document, schema

Progress = Callable[[int, int], None]


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def fingerprint(path: Path) -> list:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size, hashlib.sha1(path.read_bytes()).hexdigest()]


@dataclass
class Prepared:
    """A corpus file made ready for the index (picklable, so worker processes can make it)."""

    rel: str
    fingerprint: list
    doc: dict | None  # None when the page cannot be parsed
    problems: list[str]
    lines: dict  # analyzed lines, to prime the parent's cache when made in a worker


# Below this many pages a worker pool costs more than it saves.
PARALLEL_MIN = 64


def prepare(root: Path, rel: str, export: bool = False) -> Prepared:
    """Parse and analyze one corpus file (page model → whoosh document)."""
    from handbook_search.model.page import parse_page, shown_path
    from handbook_search.search.analysis import line_tokens

    path = root / rel
    page, problems = parse_page(path, root, shown_path(path))
    if page is None:
        return Prepared(rel, fingerprint(path), None, [str(p) for p in problems], {})
    doc = document(page)
    lines = {}
    if export:
        for name in SEARCH_FIELDS:
            for line in doc[name].splitlines():
                lines[line] = line_tokens(line)
    return Prepared(rel, fingerprint(path), doc, [], lines)


def _prepare_exported(root: Path, rel: str) -> Prepared:
    """prepare() in a worker: its analyzed lines go to the writing process and are not kept
    here (a worker that kept every line it analyzed grew with the corpus: 2.3 GB at 10,000)."""
    from handbook_search.search.analysis import forget

    prepared = prepare(root, rel, export=True)
    forget(prepared.lines)
    return prepared


def prepare_all(root: Path, rels: list[str]) -> Iterator[Prepared]:
    """Prepared files in order; parsing and Sudachi run in worker processes for large batches
    while this process writes the index."""
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) < PARALLEL_MIN or workers < 2:
        for rel in rels:
            yield prepare(root, rel)
        return
    import concurrent.futures
    import functools

    from handbook_search.search.analysis import forget, prime

    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for prepared in pool.map(functools.partial(_prepare_exported, root), rels, chunksize=8):
            prime(prepared.lines)
            yield prepared  # the caller adds the document, then its lines are not needed here
            forget(prepared.lines)


@dataclass
class Written:
    """A generation written but not yet live."""

    path: Path
    pages: int  # documents added
    files: dict[str, list]  # corpus file → fingerprint, for the manifest
    skipped: list[str]  # problems of pages left out


def write_generation(
    directory: Path,
    root: Path,
    rels: list[str],
    keep: dict[str, list],
    base: Path | None,
    remove: list[str],
    progress: Progress | None,
    leave_out: str,
) -> Written:
    """Write a new generation folder in `directory`: a copy of `base` (if given, without the
    file `leave_out`) minus the pages `remove`, plus the pages `rels`. Nothing is left behind
    when it fails."""
    from whoosh import index as windex

    tmp = Path(tempfile.mkdtemp(prefix="g-", dir=directory))
    files, skipped, count = dict(keep), [], 0
    try:
        if base is None:
            ix = windex.create_in(str(tmp), schema())
        else:
            # Hard links, not copies: whoosh never rewrites a file it has written (new segments
            # and a new TOC are new files), so the previous generation stays intact.
            shutil.copytree(
                base,
                tmp,
                dirs_exist_ok=True,
                copy_function=_link_or_copy,
                ignore=shutil.ignore_patterns(leave_out),
            )
            ix = windex.open_dir(str(tmp))
        writer = ix.writer(limitmb=256)  # fewer temporary runs on large builds
        try:
            for rel in remove:
                writer.delete_by_term("path", rel)
            for i, prepared in enumerate(prepare_all(root, rels), 1):
                files[prepared.rel] = prepared.fingerprint
                skipped += prepared.problems
                if prepared.doc is not None:
                    writer.add_document(**prepared.doc)
                    count += 1
                if progress:
                    progress(i, len(rels))
            writer.commit(optimize=base is None)
        except BaseException:
            writer.cancel()
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Written(tmp, count, files, skipped)
