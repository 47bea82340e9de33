"""The whoosh index: one document per page, with its sections stored for anchors and snippets.

Why pages, not one whoosh document per section: words of a query are AND-ed over the whole
page (担い手 in one section and 移動販売 in another still meet), ranking is BM25F over title,
headings, metadata and body, and the total counts pages. Each section (heading, anchor, text,
and the spellings of its terms) is stored with the page, so the best section and its snippet are
picked from index-time data without re-tokenizing anything at query time.

Layout of the index folder:
    .handbook-search-index   marker: the folder is ours, and the generations we wrote
    CURRENT          name of the live generation (replaced atomically)
    g-<id>/          a whoosh index + manifest.json (corpus files with mtime, size, sha1;
                     the size of every index file, to notice a damaged one)
    .lock            filelock (flock / msvcrt): one writer at a time

The folder may be a user's: nothing is written into a non-empty folder without the marker (nor
into /, $HOME or the corpus), and only generations the marker records are ever removed. A
read-only folder still answers queries from its live generation.

Every build or update writes a new generation in a temporary folder (indexer.py) and swaps
CURRENT, so Ctrl-C or a crash leaves the previous index usable, and two builds never write the
same files. This module reads the folder (generation, manifest, changes since the build) and
drives builds and updates; what goes into a document is documents.py's.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handbook_search.search.analysis import ANALYZER_VERSION
from handbook_search.search.indexer import Progress, fingerprint, write_generation

FORMAT = (
    4  # 3: modules moved by role (whoosh pickles the analyzer's module path); 4: summary in meta
)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
LOCK_WAIT = 600  # seconds a writer waits for another one (a full build at 10,000 pages fits)


class IndexError_(Exception):
    """The index cannot be used (missing, unreadable, other format)."""

    exit_status = 1


class IndexRefused(Exception):
    """The folder cannot be the index folder (not ours, a file, /, $HOME, the corpus) or cannot
    be written while there is no index yet: a message for the user, exit status 2."""

    exit_status = 2


MARKER = ".handbook-search-index"
_GENERATION = re.compile(r"g-[A-Za-z0-9_]+")
_OURS = {CURRENT, ".lock", f".{CURRENT}.tmp"}  # besides g-* folders (and our .tmp files)


def _transient(name: str) -> bool:
    return name == ".lock" or (name.startswith(f"{MARKER}.") and name.endswith(".tmp"))


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
        self._told_read_only = False

    # -- reading -----------------------------------------------------------------------
    def generation(self) -> Path | None:
        try:
            name = (self.dir / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        gen = self.dir / name
        return gen if _GENERATION.fullmatch(name) and gen.is_dir() else None

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
        for name, size in manifest.get("sizes", {}).items():
            try:
                intact = (gen / name).stat().st_size == size
            except OSError:
                intact = False
            if not intact:
                raise IndexError_(f"索引のファイルが壊れています（{gen.name}/{name}）")
        self._manifest = (gen, manifest)
        return manifest

    def open(self):
        """The live whoosh index (raises IndexError_ when it cannot be used)."""
        from handbook_search.search.indexer import storage

        self.manifest()
        try:
            # without mmap: whoosh 2.7.4 copies each mapped part of a segment into a BytesIO
            # when it opens it (the whole postings file: 0.2 s and 180 MB at 10,000 pages)
            return storage(self.generation()).open_index()
        except Exception as exc:  # whoosh raises many kinds on damaged files
            raise IndexError_("索引を読めません") from exc

    def changes(self) -> Changes:
        """Corpus files added, changed or deleted since the live index was built.

        Runs before every search, so it only stats files (os.scandir); a file whose mtime or
        size moved is hashed to tell a real change from a touch."""
        from handbook_search.model.corpus import scan

        start = time.perf_counter()
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
        self.checked_in = time.perf_counter() - start  # seconds (a long-lived engine's pace)
        return found

    # -- writing -----------------------------------------------------------------------
    # -- the folder is ours -------------------------------------------------------------
    def check_place(self) -> None:
        """Refuse a folder that must not hold the index (IndexRefused, nothing written)."""
        where = Path(os.path.abspath(self.dir))
        real = Path(os.path.realpath(where))
        hint = "別のフォルダを --index か HANDBOOK_INDEX で指定してください"
        if real == Path(real.anchor) or real == Path(os.path.realpath(Path.home())):
            raise IndexRefused(f"{where} は索引のフォルダに使えません。{hint}")
        corpus = Path(os.path.realpath(self.root))
        if real == corpus or corpus in real.parents:
            raise IndexRefused(f"コーパスのフォルダ（{where}）には索引を置けません。{hint}")
        if where.exists() and not where.is_dir():
            raise IndexRefused(f"索引のフォルダとしてファイルが指定されています: {where}。{hint}")
        if where.is_dir() and not (where / MARKER).is_file():
            # .lock and marker .tmp files: another process is making this folder ours
            entries = [e for e in where.iterdir() if not _transient(e.name)]
            if entries and not self._adopt(entries):
                raise IndexRefused(
                    f"{where} は handbook-search の索引のフォルダではありません（ほかのファイルが"
                    f"あります。中身は変更していません）。空のフォルダかまだないフォルダを指定してください"
                )

    def _adopt(self, entries: list[Path]) -> bool:
        """An index folder written before the marker existed: only CURRENT, .lock and
        generations. Record its generations and take it over."""
        gens = [e for e in entries if e.is_dir() and _GENERATION.fullmatch(e.name)]
        others = [
            e
            for e in entries
            if e not in gens and e.name not in _OURS and not e.name.startswith(f"{MARKER}.")
        ]
        ours = all((g / MANIFEST).is_file() or any(g.glob("*.toc")) for g in gens)
        if others or not ours or not (self.dir / CURRENT).is_file():
            return False
        self._record(add=[g.name for g in gens])
        return True

    def _generations(self) -> list[str]:
        try:
            data = json.loads((self.dir / MARKER).read_text(encoding="utf-8"))
            return [g for g in data.get("generations", []) if _GENERATION.fullmatch(g)]
        except (OSError, ValueError, AttributeError):
            return []

    def _record(self, add: list[str] = (), keep: list[str] | None = None) -> None:
        """Write the marker: the generations this project wrote (`keep`, or the recorded + `add`)."""
        names = keep if keep is not None else self._generations()
        names = sorted({*names, *add})
        tmp = self.dir / f"{MARKER}.{os.getpid()}.tmp"
        data = {"tool": "handbook-search", "format": FORMAT, "generations": names}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.dir / MARKER)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout  # here: its import (~0.1 s) is for writers only

        self.check_place()
        self.dir.mkdir(parents=True, exist_ok=True)
        # filelock: flock on POSIX, msvcrt on Windows (the CLI runs on both)
        try:
            lock = FileLock(self.dir / ".lock", timeout=LOCK_WAIT)
            lock.acquire()
        except Timeout:
            raise IndexError_(
                f"ほかの処理が索引を更新中です（{LOCK_WAIT} 秒待ちました）: {self.dir}"
            ) from None
        try:
            if not (self.dir / MARKER).is_file():
                self._record()
            yield
        finally:
            lock.release()

    def _swap(self, new: Path) -> None:
        """Make `new` the live generation (atomic), then remove the generations this project
        recorded but it and its predecessor (nothing else in the folder is touched)."""
        previous = self.generation()
        self._record(add=[new.name])
        pointer = self.dir / f".{CURRENT}.tmp"
        pointer.write_text(new.name, encoding="utf-8")
        os.replace(pointer, self.dir / CURRENT)
        live = {new.name, previous.name if previous else new.name}
        for name in set(self._generations()) - live:
            shutil.rmtree(self.dir / name, ignore_errors=True)
        self._record(keep=sorted(live))

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
                "sizes": {f.name: f.stat().st_size for f in new.path.iterdir() if f.is_file()},
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
            self.check_place()  # a refusal first, not "creating…"
            notify(f"{exc}。作成します…")
            try:
                report = self.build()
            except OSError as err:
                if err.errno not in READ_ONLY:
                    raise
                raise IndexRefused(
                    f"索引がなく、フォルダ {self.dir} に書き込めないため作れません"
                    f"（{err.strerror}）。書き込めるフォルダを --index で指定してください"
                ) from err
            notify(f"索引を作成しました（{report.pages} ページ、{report.seconds:.1f} 秒）")
        else:
            if changes:
                try:
                    report = self.update()
                except OSError as err:
                    if err.errno not in READ_ONLY:
                        raise
                    if not self._told_read_only:
                        notify(
                            f"索引のフォルダ {self.dir} に書き込めないため、索引を更新できません"
                            f"（{err.strerror}）。更新前の索引で検索します"
                        )
                        self._told_read_only = True
                if report:
                    notify(f"索引を更新しました（{report.changes.describe()}）")
        for problem in report.skipped if report else []:
            notify(f"索引に入れられないページがあります: {problem}")
