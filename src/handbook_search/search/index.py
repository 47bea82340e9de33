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

Every build or update writes a new generation in a temporary folder (indexer.py) and swaps
CURRENT, so Ctrl-C or a crash leaves the previous index usable, and two builds never write the
same files. This module reads the folder (generation, manifest, changes since the build) and
drives builds and updates; what goes into a document is documents.py's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handbook_search.search.analysis import ANALYZER_VERSION
from handbook_search.search.indexer import Progress, fingerprint, write_generation

FORMAT = 3  # 3: modules moved by role (whoosh pickles the analyzer's module path)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"


class IndexError_(Exception):
    """The index cannot be used (missing, unreadable, other format)."""


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
        from handbook_search.model.corpus import scan

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
    ) -> tuple[int, list[str]]:
        """Write a new generation and make it live. Returns (pages indexed, problems of pages
        left out)."""
        new = write_generation(self.dir, self.root, rels, keep, base, remove, progress, MANIFEST)
        try:
            manifest = {
                "format": FORMAT,
                "analyzer": ANALYZER_VERSION,
                "root": str(self.root),
                "files": new.files,
            }
            (new.path / MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
            )
            self._swap(new.path)
        except BaseException:
            shutil.rmtree(new.path, ignore_errors=True)
            raise
        return new.pages, new.skipped

    def build(self, progress: Progress | None = None) -> BuildReport:
        """Index the whole corpus from scratch."""
        from handbook_search.model.corpus import corpus_files

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
