"""The whoosh index: one document per page, with its sections stored for anchors and snippets.

Why pages, not one whoosh document per section: words of a query are AND-ed over the whole
page (担い手 in one section and 移動販売 in another still meet), ranking is BM25F over title,
headings, metadata and body, and the total counts pages. Each section (heading, anchor, text,
and the spellings of its terms) is stored with the page, so the best section and its snippet are
picked from index-time data without re-tokenizing anything at query time.

Layout of the index folder:
    CURRENT          name of the live generation (replaced atomically)
    g-<id>/          a whoosh index + manifest.json (corpus files with mtime, size, sha1)
    .lock            flock: one writer at a time

Every build or update writes a new generation in a temporary folder and swaps CURRENT, so
Ctrl-C or a crash leaves the previous index usable, and two builds never write the same files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import ANALYZER_VERSION

FORMAT = 2
CURRENT = "CURRENT"
MANIFEST = "manifest.json"

Progress = Callable[[int, int], None]


class IndexError_(Exception):
    """The index cannot be used (missing, unreadable, other format)."""


def schema(analyzer=None):
    """The index schema; `analyzer` replaces ours for the evaluation's baselines."""
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    from .analysis import JapaneseAnalyzer

    analyzer = analyzer or JapaneseAnalyzer()
    return Schema(
        path=ID(stored=True, unique=True),
        kind=ID(stored=True),
        themes=KEYWORD(stored=True, commas=True),
        prefecture=ID(stored=True),
        municipality=ID(stored=True),
        year=ID(stored=True),
        title=TEXT(analyzer=analyzer, field_boost=3.0),
        headings=TEXT(analyzer=analyzer, field_boost=2.0),
        meta=TEXT(analyzer=analyzer, field_boost=2.0),
        body=TEXT(analyzer=analyzer),
        data=STORED(),
    )


SEARCH_FIELDS = ("title", "headings", "meta", "body")


def meta_text(page) -> str:
    """Words about the page that are not in its text: place, bureau, year, theme names."""
    from .vocab import KINDS, THEMES, wareki

    m = page.meta
    words = [KINDS[m.kind]]
    if m.kind == "case":
        words += [
            m.municipality,
            m.prefecture,
            m.bureau,
            wareki(m.fiscal_year),
            f"{m.fiscal_year}年度",
        ]
        words += [m.support_type or ""]
    words += [THEMES[n] for n in page.themes]
    return "\n".join(w for w in words if w)


def page_record(page) -> dict:
    """What a hit needs to print itself (stored, JSON-able)."""
    from .analysis import surfaces

    return {
        **page.metadata(),
        "sections": [{"title": s.title, "anchor": s.anchor, "text": s.text} for s in page.sections],
        # each indexed term → its spellings on the page, for snippets without re-analysis
        "terms": {t: sorted(v) for t, v in surfaces(page_text_with_headings(page)).items()},
    }


def page_text_with_headings(page) -> str:
    return "\n".join(f"{s.title}\n{s.text}" for s in page.sections)


def text_fields(page) -> dict[str, str]:
    """The searched fields (SEARCH_FIELDS) of a page."""
    return {
        "title": page.meta.title,
        "headings": "\n".join(s.title for s in page.sections[1:]),
        "meta": meta_text(page),
        "body": page.text,
    }


def document(page) -> dict:
    m = page.meta
    return {
        "path": page.relpath,
        "kind": m.kind,
        "themes": ",".join(str(n) for n in page.themes),
        "prefecture": getattr(m, "prefecture", None) or "",
        "municipality": getattr(m, "municipality", None) or "",
        "year": str(getattr(m, "fiscal_year", "") or ""),
        **text_fields(page),
        "data": page_record(page),
    }


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def fingerprint(path: Path) -> list:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size, hashlib.sha1(path.read_bytes()).hexdigest()]


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.deleted)

    def describe(self) -> str:
        parts = [
            f"{label} {len(items)} 件"
            for label, items in (
                ("追加", self.added),
                ("変更", self.changed),
                ("削除", self.deleted),
            )
            if items
        ]
        return "、".join(parts)


@dataclass
class BuildReport:
    pages: int
    seconds: float
    skipped: list[str]  # problems of pages left out of the index
    changes: Changes | None = None


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
    from .analysis import line_tokens
    from .corpus import parse_page, shown_path

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
    return prepare(root, rel, export=True)


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

    from .analysis import prime

    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for prepared in pool.map(functools.partial(_prepare_exported, root), rels, chunksize=8):
            prime(prepared.lines)
            yield prepared


class Index:
    """An index folder for one corpus."""

    def __init__(self, directory: Path, corpus_root: Path):
        self.dir = Path(directory)
        self.root = Path(corpus_root)
        self._manifest: tuple[Path, dict] | None = None  # (generation, manifest) last read

    # -- reading -----------------------------------------------------------------------
    def generation(self) -> Path | None:
        try:
            name = (self.dir / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        gen = self.dir / name
        return gen if name and gen.is_dir() else None

    def manifest(self) -> dict:
        gen = self.generation()
        if gen is None:
            raise IndexError_("索引がありません")
        if self._manifest and self._manifest[0] == gen:
            return self._manifest[1]
        try:
            manifest = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexError_("索引を読めません") from exc
        if manifest.get("format") != FORMAT or manifest.get("analyzer") != ANALYZER_VERSION:
            raise IndexError_("索引の形式が古くなっています")
        self._manifest = (gen, manifest)
        return manifest

    def open(self):
        """The live whoosh index (raises IndexError_ when it cannot be used)."""
        from whoosh import index as windex

        self.manifest()
        try:
            return windex.open_dir(str(self.generation()))
        except Exception as exc:  # whoosh raises many kinds on damaged files
            raise IndexError_("索引を読めません") from exc

    def changes(self) -> Changes:
        """Corpus files added, changed or deleted since the live index was built.

        Runs before every search, so it only stats files (os.scandir); a file whose mtime or
        size moved is hashed to tell a real change from a touch."""
        from .corpus import scan

        known: dict[str, list] = self.manifest()["files"]
        found = Changes()
        seen = set()
        for rel, st in scan(self.root):
            seen.add(rel)
            old = known.get(rel)
            if old is None:
                found.added.append(rel)
            elif (st.st_mtime_ns != old[0] or st.st_size != old[1]) and fingerprint(
                self.root / rel
            )[2] != old[2]:
                found.changed.append(rel)
        found.deleted = sorted(set(known) - seen)
        return found

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _swap(self, new: Path) -> None:
        """Make `new` the live generation (atomic), then remove all but it and its predecessor."""
        previous = self.generation()
        pointer = self.dir / f".{CURRENT}.tmp"
        pointer.write_text(new.name, encoding="utf-8")
        os.replace(pointer, self.dir / CURRENT)
        for old in self.dir.glob("g-*"):
            if old not in (new, previous):
                shutil.rmtree(old, ignore_errors=True)

    def _write(
        self, rels: list[str], keep: dict[str, list], base: Path | None, remove: list[str], progress
    ):
        """Write a new generation: a copy of `base` (if given) minus `remove`, plus the pages
        `rels`. Returns (pages indexed, problems of pages left out, files of the manifest)."""
        from whoosh import index as windex

        tmp = Path(tempfile.mkdtemp(prefix="g-", dir=self.dir))
        files, skipped, count = dict(keep), [], 0
        try:
            if base is None:
                ix = windex.create_in(str(tmp), schema())
            else:
                # Hard links, not copies: whoosh never rewrites a file it has written (new
                # segments and a new TOC are new files), so the previous generation stays intact.
                shutil.copytree(base, tmp, dirs_exist_ok=True, copy_function=_link_or_copy)
                (tmp / MANIFEST).unlink(missing_ok=True)
                ix = windex.open_dir(str(tmp))
            writer = ix.writer(limitmb=256)  # fewer temporary runs on large builds
            try:
                for rel in remove:
                    writer.delete_by_term("path", rel)
                for i, prepared in enumerate(prepare_all(self.root, rels), 1):
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
            manifest = {
                "format": FORMAT,
                "analyzer": ANALYZER_VERSION,
                "root": str(self.root),
                "files": files,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            self._swap(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return count, skipped

    def build(self, progress: Progress | None = None) -> BuildReport:
        """Index the whole corpus from scratch."""
        from .corpus import corpus_files

        start = time.perf_counter()
        with self._locked():
            rels = [p.relative_to(self.root).as_posix() for p in corpus_files(self.root)]
            count, skipped = self._write(rels, {}, None, [], progress)
        return BuildReport(count, time.perf_counter() - start, skipped)

    def update(self, progress: Progress | None = None) -> BuildReport | None:
        """Bring the index up to date with the corpus; None when it already is."""
        start = time.perf_counter()
        with self._locked():
            changes = self.changes()  # again under the lock: another process may have done it
            if not changes:
                return None
            gone = set(changes.deleted) | set(changes.changed)
            keep = {k: v for k, v in self.manifest()["files"].items() if k not in gone}
            rels = changes.added + changes.changed
            remove = changes.changed + changes.deleted
            count, skipped = self._write(rels, keep, self.generation(), remove, progress)
        return BuildReport(count, time.perf_counter() - start, skipped, changes)

    def refresh(self, notify: Callable[[str], None] | None = None) -> None:
        """Build or update the index when needed, with a one-line notice."""
        notify = notify or (lambda msg: print(msg, file=sys.stderr))
        report = None
        try:
            changes = self.changes()
        except IndexError_ as exc:
            notify(f"{exc}。作成します…")
            report = self.build()
            notify(f"索引を作成しました（{report.pages} ページ、{report.seconds:.1f} 秒）")
        else:
            if changes:
                report = self.update()
                if report:
                    notify(f"索引を更新しました（{report.changes.describe()}）")
        for problem in report.skipped if report else []:
            notify(f"索引に入れられないページがあります: {problem}")
