"""Writing the index: corpus files → whoosh documents → a new generation folder.

`prepare` turns one corpus file into a whoosh document (page model → documents.py).
`write_generation` writes a complete new generation in a temporary folder next to the live one;
index.py makes it live.

A large batch is cut into one contiguous run of pages per core, and each worker process parses,
analyzes and writes its run as a whoosh segment of its own (a `SegmentWriter` without the lock,
as whoosh's own `MpWriter(multisegment=True)` does); this process then lists the segments in the
TOC in the order of the pages. So both cores do everything (parsing, Sudachi, whoosh's postings),
nothing analyzed travels between processes, every worker's memory is bounded by its own run
(`limitmb`), and document numbers, hence ties in the ranking, are those of a serial build.
whoosh scores with the whole index's statistics (`searcher.get_parent()`), so the segments rank
exactly as one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from handbook_search.search.documents import document, schema

Progress = Callable[[int, int], None]

# Below this many pages a worker pool costs more than it saves.
PARALLEL_MIN = 64
# whoosh's estimate of its postings buffer per writer before it spills a sorted run to disk
# (its estimate is about a third of the real size: 2 workers × 48 ≈ 300 MB at most)
LIMIT_MB = 48


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def storage(directory):
    """A generation folder as whoosh storage, files read without mmap: whoosh 2.7.4 copies
    each mapped part of a segment into a BytesIO when it opens it (StructFile/BufferFile), so
    a one-page update at 10,000 pages read both 90 MB segments to delete one document."""
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(directory), supports_mmap=False)


def fingerprint(path: Path) -> list:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size, hashlib.sha1(path.read_bytes()).hexdigest()]


@dataclass
class Prepared:
    """A corpus file made ready for the index."""

    rel: str
    fingerprint: list
    doc: dict | None  # None when the page cannot be parsed
    problems: list[str]


def prepare(root: Path, rel: str) -> Prepared:
    """Parse and analyze one corpus file (page model → whoosh document)."""
    from handbook_search.model.page import parse_page, shown_path

    path = root / rel
    page, problems = parse_page(path, root, shown_path(path))
    if page is None:
        return Prepared(rel, fingerprint(path), None, [str(p) for p in problems])
    return Prepared(rel, fingerprint(path), document(page), [])


@dataclass
class Part:
    """What one writer added: its pages' fingerprints, problems and count (picklable)."""

    files: dict[str, list] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    count: int = 0
    segment: object = None  # the whoosh segment a worker wrote (None: nothing added)


def add_pages(writer, root: Path, rels: list[str], tick: Callable[[], None]) -> Part:
    """Prepare `rels` in order and add them to `writer`."""
    part = Part()
    for rel in rels:
        prepared = prepare(root, rel)
        part.files[prepared.rel] = prepared.fingerprint
        part.skipped += prepared.problems
        if prepared.doc is not None:
            writer.add_document(**prepared.doc)
            part.count += 1
        tick()
    return part


_progress_queue = None  # a worker's channel for "one more page done"


def _worker_init(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _write_segment(directory: str, root: Path, rels: list[str]) -> Part:
    """In a worker: write `rels` as a segment of its own of the index in `directory` (not yet
    in its TOC: the parent adds it)."""
    from whoosh.writing import SegmentWriter

    writer = SegmentWriter(storage(directory).open_index(), _lk=False, limitmb=LIMIT_MB)
    try:
        part = add_pages(writer, root, rels, lambda: _progress_queue.put(1))
    except BaseException:
        writer.cancel()
        raise
    if part.count:
        part.segment = writer._finalize_segment()
    else:
        writer.cancel()
    return part


def runs(rels: list[str], root: Path, n: int) -> list[list[str]]:
    """`rels` cut into `n` contiguous runs of about the same number of bytes.

    >>> runs(["a", "b", "c", "d"], Path("/nonexistent"), 2)
    [['a', 'b'], ['c', 'd']]
    """
    sizes = []
    for rel in rels:
        try:
            sizes.append((root / rel).stat().st_size or 1)
        except OSError:
            sizes.append(1)
    total, out, current, acc = sum(sizes), [], [], 0
    for rel, size in zip(rels, sizes, strict=True):
        current.append(rel)
        acc += size
        if acc >= total * (len(out) + 1) / n and len(out) < n - 1:
            out.append(current)
            current = []
    return [r for r in [*out, current] if r]


def add_in_workers(directory: Path, root: Path, rels: list[str], workers: int, tick) -> list[Part]:
    """Each run of `rels` written as a segment by a worker process; the parts in page order."""
    import concurrent.futures
    import multiprocessing
    import queue

    progress = multiprocessing.Queue()
    with concurrent.futures.ProcessPoolExecutor(
        workers, initializer=_worker_init, initargs=(progress,)
    ) as pool:
        futures = [
            pool.submit(_write_segment, str(directory), root, run)
            for run in runs(rels, root, workers)
        ]
        pending = set(futures)
        while pending:
            done, pending = concurrent.futures.wait(pending, timeout=0.2)
            try:
                while True:
                    progress.get_nowait()
                    tick()
            except queue.Empty:
                pass
        return [f.result() for f in futures]


@dataclass
class Written:
    """A generation written but not yet live."""

    path: Path
    pages: int  # documents added
    files: dict[str, list]  # corpus file → fingerprint, for the manifest
    skipped: list[str]  # problems of pages left out


def _commit(writer, parts: list[Part], optimize: bool) -> None:
    """Commit `writer` with the segments the workers wrote appended after its own, in order
    (whoosh's `MpWriter._commit` with multisegment=True)."""
    segments = [p.segment for p in parts if p.segment is not None]
    if not segments:
        writer.commit(optimize=optimize)
        return
    final = writer._merge_segments(None, False, False)  # existing ones, deletions applied
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


def delete_pages(writer, rels: list[str]) -> None:
    """Delete the documents of `rels` (whoosh's delete_by_term, read straight from the "path"
    postings: delete_by_term imports whoosh.query, whose English morphology module compiles
    regular expressions, about a third of a one-page update's CPU time)."""
    if not rels:
        return
    reader = writer.reader()
    try:
        for rel in rels:
            if ("path", rel) in reader:
                for docnum in reader.postings("path", rel).all_ids():
                    writer.delete_document(docnum)
    finally:
        reader.close()


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
    tmp = Path(tempfile.mkdtemp(prefix="g-", dir=directory))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(rels))

    try:
        if base is None:
            ix = storage(tmp).create_index(schema())
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
            ix = storage(tmp).open_index()
        writer = ix.writer(limitmb=LIMIT_MB)
        try:
            delete_pages(writer, remove)
            workers = min(os.cpu_count() or 1, 4)
            if len(rels) < PARALLEL_MIN or workers < 2:
                parts = [add_pages(writer, root, rels, tick)]
            else:
                parts = add_in_workers(tmp, root, rels, workers, tick)
            _commit(writer, parts, optimize=base is None)
        except BaseException:
            writer.cancel()
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = dict(keep)
    for part in parts:
        files.update(part.files)
    return Written(tmp, sum(p.count for p in parts), files, [s for p in parts for s in p.skipped])
