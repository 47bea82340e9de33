"""Writes the site-search index (searchindex.py) as shards, and keeps it between builds.

A build after one edited case must not re-read every page's analysis nor rewrite every shard:
the index's state (per page: path, content key, record and section shard; the counts of
spellings and pages per term; each term's shard entry size; the shard tables) is kept next
to the page analyses in Sphinx's doctree folder. A build compares the corpus with it, takes
away the entries of removed and changed page versions (their earlier analyses are still in the
cache), adds those of the new ones, and rebuilds only the shards that hold a changed entry.
The other entries of such a shard are read back from the shard file the last build wrote.
Shard boundaries depend only on their own keys (searchindex.cut), and every value is a
function of the corpus alone, so the files are those a clean build writes: an unchanged shard
keeps its name, and the browser its cached copy. Page numbers are the corpus's order; a page
added or removed before others renumbers them, so then every term and position shard is read
and, where a number changed, rewritten.

A clean build is the same update from an empty state.
"""

from __future__ import annotations

import bisect
import json
import pickle
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handbook_search.site import searchindex as si

if TYPE_CHECKING:
    from handbook_search.model.corpus import Corpus

STATE_FILE = "handbook-search-state.pickle"  # in Sphinx's doctree folder, next to the analyses
TERMS, POSITIONS = "t", "p"  # the shard tables kept in the state (prefix of their files)


def _params() -> tuple:
    import hashlib

    code = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()
    return (
        si.analyses_version(),
        code,
        si.TERM_CHUNK_CHARS,
        si.VOCAB_CHUNK_CHARS,
        si.SUGGEST_TERMS,
    )


def _fresh_state(static_dir: Path) -> dict[str, Any]:
    return {
        "params": _params(),
        "static": str(Path(static_dir).resolve()),
        "pages": [],  # [(relpath, content key)], corpus order
        "records": [],  # the page table's rows (with "f": the page's section shard)
        "lengths": [],  # each page's field lengths (tokens), for the averages
        "surfaces": {},  # term → {spelling: count}
        "spellings": {},  # spelling → {analysis: count}
        "pages_with": {},  # term → number of pages with it
        "synonyms": None,  # (dictionary bytes, its spelling counts, its groups)
        "sizes": {TERMS: {}, POSITIONS: {}},  # key → entry_chars
        "tables": {TERMS: [], POSITIONS: []},  # [[first, last, file]…]
    }


def _load_state(path: Path | None, static_dir: Path) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        with path.open("rb") as f:
            state = pickle.load(f)  # our own file in Sphinx's doctree folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if (
        not isinstance(state, dict)
        or state.get("params") != _params()
        or state.get("static") != str(Path(static_dir).resolve())
    ):
        return None
    names = [row[2] for table in state["tables"].values() for row in table]
    names += [record["f"] for record in state["records"]]
    folder = Path(static_dir) / si.SHARD_DIR
    if not all((folder / f"{name}.js").is_file() for name in names):
        return None  # someone removed files of the last build
    return state


class _Shards:
    """The shard files of the last build, read back on demand."""

    def __init__(self, folder: Path):
        self.folder, self.read = folder, {}

    def __call__(self, name: str) -> Any:
        if name not in self.read:
            text = (self.folder / f"{name}.js").read_text(encoding="utf-8")
            body = text.split(",", 1)[1].rstrip().removesuffix(";").removesuffix(")")
            self.read[name] = json.loads(body)
        return self.read[name]


class _Stale(Exception):
    """The kept state does not match the files on disk: build from nothing."""


def _rows(flat: list[int], width: int | None) -> list[list[int]]:
    """A postings list (rows of `width` numbers) or a positions list (page, length, length
    numbers) cut into rows."""
    out, i = [], 0
    while i < len(flat):
        end = i + (width if width else 2 + flat[i + 1])
        out.append(flat[i:end])
        i = end
    return out


def write_index(
    corpus: Corpus,
    static_dir: Path,
    digest: str | None = None,
    cache_dir: Path | None = None,
    analyses: si.PageAnalyses | None = None,
) -> Path:
    """Write the entry ``static_dir/handbook-search-index.js`` and its shards in
    ``static_dir/handbook-search/`` unless they are built from the same sources (same digest).
    With `cache_dir`, only what changed since the last build there is redone. Shards no
    longer used are removed. Returns the entry's path."""
    digest = digest or si.source_digest(corpus.root)
    static_dir = Path(static_dir)
    target = static_dir / si.INDEX_FILE
    if si.is_current(static_dir, digest):
        if analyses is not None:
            analyses.cancel()
        return target
    analyses = analyses or si.PageAnalyses(corpus, cache_dir)
    state_path = Path(cache_dir) / STATE_FILE if cache_dir is not None else None
    state = _load_state(state_path, static_dir)
    folder = static_dir / si.SHARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    try:
        entry, used, state = _update(corpus, analyses, state, folder, static_dir)
    except _Stale:
        entry, used, state = _update(corpus, analyses, None, folder, static_dir)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(si.render_js(entry | {"digest": digest}, digest), encoding="utf-8")
    tmp.replace(target)
    for old in folder.glob("*.js"):
        if old.stem not in used:
            old.unlink()
    if state_path is not None:
        (state_path.parent / "handbook-search-pages.pickle").unlink(
            missing_ok=True
        )  # before 2026-11-27
        tmp = state_path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(state_path)
        analyses.prune()
    return target


def _update(
    corpus: Corpus,
    analyses: si.PageAnalyses,
    state: dict[str, Any] | None,
    folder: Path,
    static_dir: Path,
) -> tuple[dict[str, Any], set[str], dict[str, Any]]:
    """(entry, shard files in use, new state): `state` brought up to `corpus`."""
    from handbook_search.model.corpus import SYNONYMS_FILE

    state = state or _fresh_state(static_dir)
    shards = _Shards(folder)
    used: set[str] = set()

    def write(prefix: str, data: Any) -> str:
        name, text = si._shard(prefix, data)
        path = folder / f"{name}.js"
        if not path.is_file():  # content-hashed: an existing file is the same
            path.write_text(text, encoding="utf-8")
        used.add(name)
        return name

    # which page versions stay, go and come
    analyses.finish()
    new_pages = [(p.relpath, k) for p, k in zip(corpus.pages, analyses.keys, strict=True)]
    old_pages = state["pages"]
    old_ids = {page: i for i, page in enumerate(old_pages)}
    renumber = {old_ids[page]: i for i, page in enumerate(new_pages) if page in old_ids}
    added = [i for i, page in enumerate(new_pages) if page not in old_ids]
    gone = [i for i in range(len(old_pages)) if i not in renumber]
    moved = any(old != new for old, new in renumber.items())

    def analysis(key: str) -> dict[str, Any]:
        found = analyses.get(key)
        if found is None:
            raise _Stale(key)
        return found

    gone_analyses = [analysis(old_pages[i][1]) for i in gone]
    added_analyses = {i: analysis(new_pages[i][1]) for i in added}

    # counts kept in the state
    for sign, group in ((-1, gone_analyses), (1, added_analyses.values())):
        for a in group:
            si.merge_counts(state["surfaces"], a["surfaces"], sign)
            si.merge_counts(state["spellings"], a["spellings"], sign)
            with_term = state["pages_with"]
            for term in a["tf"]:
                n = with_term.get(term, 0) + sign
                if n:
                    with_term[term] = n
                else:
                    del with_term[term]

    # the page table and each page's section shard
    records, lengths = [], []
    for i, (rel, key) in enumerate(new_pages):
        if i in added_analyses:
            a = added_analyses[i]
            f = write("f", a["sections"])
            records.append(dict(a["record"], lengths=a["rank_lengths"], f=f))
            lengths.append(a["lengths"])
        else:
            old = old_ids[(rel, key)]
            records.append(state["records"][old])
            lengths.append(state["lengths"][old])
            used.add(records[-1]["f"])
    state["records"], state["lengths"] = records, lengths

    # terms (postings + spellings) and positions: the entries that changed
    new_rows: dict[str, dict[str, list]] = {TERMS: defaultdict(list), POSITIONS: defaultdict(list)}
    for i, a in added_analyses.items():  # in page order: each list is sorted by page
        for term, fields in a["tf"].items():
            new_rows[TERMS][term] += [i, *fields]
        for term, at in a["positions"].items():
            new_rows[POSITIONS][term] += [i, len(at), *si._deltas(at)]
    # the entries that differ: a page edited in place (same number) changes only the terms
    # whose counts, positions or spellings differ from its earlier version
    touched: dict[str, set[str]] = {TERMS: set(), POSITIONS: set()}
    if moved:  # every entry is looked at anyway
        pairs = [(a, None) for a in added_analyses.values()] + [(None, b) for b in gone_analyses]
    else:
        earlier = dict(zip(gone, gone_analyses, strict=True))
        pairs = [(a, earlier.pop(i, None)) for i, a in added_analyses.items()]
        pairs += [(None, b) for b in earlier.values()]
    for a, b in pairs:
        for prefix, fields in ((TERMS, ("tf", "surfaces")), (POSITIONS, ("positions",))):
            for field in fields:
                if a is None or b is None:
                    touched[prefix] |= (a or b)[field].keys()  # type: ignore[index]
                    continue
                new, old = a[field], b[field]
                touched[prefix] |= {t for t in new.keys() | old.keys() if new.get(t) != old.get(t)}
    tables: dict[str, list] = {}
    for prefix in (TERMS, POSITIONS):
        sizes, table = state["sizes"][prefix], state["tables"][prefix]
        changed = set(sizes) if moved else set()
        changed |= touched[prefix]
        firsts = [si.js_order(row[0]) for row in table]

        def old_value(key: str, table=table, firsts=firsts, sizes=sizes) -> Any:
            if key not in sizes:
                return None
            at = bisect.bisect_right(firsts, si.js_order(key)) - 1
            try:
                return shards(table[at][2])[key]
            except (OSError, KeyError, IndexError, ValueError) as e:
                raise _Stale(key) from e

        values: dict[str, Any] = {}
        width = 5 if prefix == TERMS else None
        for key in changed:
            old = old_value(key)
            flat = new_rows[prefix].get(key, [])
            if old is not None:  # the rows of pages that stay, renumbered, and the new ones
                kept_rows = [
                    [renumber[row[0]], *row[1:]]
                    for row in _rows(old[0] if prefix == TERMS else old, width)
                    if row[0] in renumber
                ]
                if kept_rows:
                    rows = sorted(kept_rows + _rows(flat, width), key=lambda row: row[0])
                    flat = [n for row in rows for n in row]
            if prefix == TERMS:
                spelled = state["surfaces"].get(key)
                value = [flat, si.spelling_order(spelled)] if flat or spelled else None
            else:
                value = flat or None
            if value is None:
                sizes.pop(key, None)
            else:
                values[key] = value
                sizes[key] = si.entry_chars(key, value)
        # shards: an old one with the same range and no changed key keeps its file
        order = sorted(changed, key=si.js_order)
        keys_changed = [si.js_order(k) for k in order]

        def clean(first: str, last: str, keys_changed=keys_changed) -> bool:
            lo = bisect.bisect_left(keys_changed, si.js_order(first))
            return lo == len(keys_changed) or keys_changed[lo] > si.js_order(last)

        kept = {(row[0], row[1]): row[2] for row in table if clean(row[0], row[1])}
        items = sorted(sizes.items(), key=lambda kv: si.js_order(kv[0]))
        new_table = []
        for chunk in si.cut(items, si.TERM_CHUNK_CHARS):
            first, last = chunk[0], chunk[-1]
            name = kept.get((first, last)) if clean(first, last) else None
            if name is None:
                name = write(prefix, {k: values[k] if k in values else old_value(k) for k in chunk})
            used.add(name)
            new_table.append([first, last, name])
        tables[prefix] = new_table
    state["tables"] = tables

    # vocabulary, synonyms and the もしかして list: small, made again every time
    dictionary = corpus.root / SYNONYMS_FILE
    raw = dictionary.read_bytes() if dictionary.is_file() else b""
    if state["synonyms"] is None or state["synonyms"][0] != raw:
        state["synonyms"] = (raw, *si.synonym_part(dictionary))
    _, synonym_spellings, groups = state["synonyms"]
    vocab = si.vocabulary(state["spellings"], synonym_spellings)
    vocab_table = []
    items = [(k, si.entry_chars(k, v)) for k, v in vocab.items()]
    for chunk in si.cut(items, si.VOCAB_CHUNK_CHARS):
        name = write("v", {k: vocab[k] for k in chunk})
        vocab_table.append([chunk[0], chunk[-1], name])
    suggest = write("s", si.suggestions(state["pages_with"], state["surfaces"]))

    lengths_sum = [0.0, 0.0, 0.0, 0.0]
    for page in lengths:
        for i, n in enumerate(page):
            lengths_sum[i] += n
    entry = si.settings(groups, lengths_sum, len(records)) | {
        "pages": records,
        "term_chunks": tables[TERMS],
        "vocab_chunks": vocab_table,
        "position_chunks": tables[POSITIONS],
        "max_spelling": max((len(s) for s in vocab), default=1),
        "suggest": suggest,
    }
    state["pages"] = new_pages
    return entry, used, state
