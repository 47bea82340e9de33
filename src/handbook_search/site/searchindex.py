"""The static site's own search index: the CLI's analysis, exported for the browser.

Sphinx's built-in Japanese search segments pages with TinySegmenter but splits the browser
query only on non-letters, so 担い手確保 never meets 担い手の確保. This module builds, from the
page model and with the very analyzer of the CLI (analysis.JapaneseAnalyzer: Sudachi mode C
normalized forms, compounds and their mode A parts, width folding), everything the browser
needs to search without Sudachi:

- pages: url, title (with ``title_breaks``, the offsets where a line may end: BudouX phrases,
  site/phrases.py), kind, theme(s), 自治体・都道府県・年度, and their sections (title, anchor,
  text, and the title's break offsets when it has any) for the best section and the snippet;
- postings: for every indexed term, (page, tf in title, headings, meta, body): the fields of the
  CLI's index (``meta`` is the place, bureau, year, theme names and summary). With the field lengths of
  each page they give the CLI's BM25F (title ×3, headings and meta ×2, body ×0.5);
- vocabulary: every spelling found in the corpus (NFKC + lower case) → the units the analyzer
  made of it (normalized term, mode A parts), and the spellings the analyzer drops (particles,
  auxiliaries, する …). The browser segments a query by the cheapest cover of it with these
  spellings, so the query's units are the index's own units;
- synonyms: the search groups of corpus/dictionary.yml (synonyms.read_groups) analyzed exactly like the CLI does
  (synonyms.analyze_groups), and each member's spelling as one vocabulary entry.

The result is one JavaScript file assigning a global (``window.HANDBOOK_SEARCH_INDEX``), so the
search page loads it with a <script> tag and works from file:// where fetch() cannot.
``_static/handbook-search.js`` is the query side (parsing, segmentation, ranking, snippets).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handbook_search.search.analysis import ANALYZER_VERSION, normalize_width

if TYPE_CHECKING:
    from handbook_search.model.corpus import Corpus
    from handbook_search.model.page import Page

# Bump when the layout of the exported data or its meaning changes.
FORMAT = 1
INDEX_FILE = "handbook-search-index.js"
GLOBAL_NAME = "HANDBOOK_SEARCH_INDEX"
# K1: whoosh's BM25F default (the field boosts are read from the CLI's schema, search/documents.py).
BM25_K1 = 1.2
TITLE, HEADINGS, META, BODY = range(4)  # the fields of the CLI's index, in this order
# A dropped spelling is exported as [] — or as 0 when it is a particle or an auxiliary, which
# make a word a question (search.is_sentence).
PARTICLE_POS = ("助詞", "助動詞")
PARTICLE = "particle"


def field_boosts() -> list[float]:
    """title, headings, meta, body boosts of the CLI's index schema."""
    from handbook_search.search.documents import SEARCH_FIELDS, schema

    fields = schema()
    return [fields[name].format.field_boost for name in SEARCH_FIELDS]


def fold(text: str) -> str:
    """How spellings are compared: NFKC (全角/半角) and lower case; the browser does the same."""
    return normalize_width(text)


class _Builder:
    """Collects term frequencies and spellings while one page (or phrase) is analyzed."""

    def __init__(self) -> None:
        # spelling (folded) → Counter of what the analyzer made of it (a units tuple of term
        # tuples; () = dropped; PARTICLE)
        self.spellings: dict[str, Counter] = defaultdict(Counter)
        self.surfaces: dict[str, Counter] = defaultdict(Counter)  # term → spellings as written

    def analyze(self, text: str) -> tuple[Counter, int]:
        """Term frequencies and token count of `text` as the CLI's index sees them (the same
        analyzer), recording the spellings of every term on the way."""
        from handbook_search.search.analysis import JapaneseAnalyzer, surfaces

        tokens = [t.text for t in JapaneseAnalyzer()(text)]
        for term, spelled in surfaces(text).items():
            for surface in spelled:
                self.surfaces[term][surface] += 1
        for line in text.splitlines():  # line by line: Sudachi's results per line are cached
            self.learn(line)
        return Counter(tokens), len(tokens)

    def learn(self, text: str) -> None:
        """Spelling → units, from Sudachi's words of `text`: a kept word is the unit the CLI's
        query analysis (analysis.units) makes of it — its normalized form and, for a compound,
        its mode A parts, lower-cased; a dropped word maps to nothing (a particle …)."""
        from handbook_search.search.analysis import morphemes, stopped

        for m in morphemes(text):
            surface = text[m.start : m.end]
            if not stopped(m.text, m.pos):
                entry = ((m.text.lower(), *(part.lower() for part, _, _ in m.parts)),)
                self.spellings[fold(surface)][entry] += 1
                self.spellings[fold(m.text)][entry] += 1
                for part, start, end in m.parts:
                    self.spellings[fold(text[start:end])][((part.lower(),),)] += 1
            elif any(ch.isalnum() for ch in surface):
                self.spellings[fold(surface)][PARTICLE if m.pos in PARTICLE_POS else ()] += 1

    def add_phrase(self, phrase: str) -> None:
        """A whole query-side spelling (a synonym member) as one vocabulary entry."""
        from handbook_search.search.analysis import units

        found = units(phrase)
        if not found:
            return
        entry = tuple((u.text, *u.parts) for u in found)
        # far more weight than corpus spellings: the member's own analysis must win
        self.spellings[fold(phrase)][entry] += 1_000_000
        self.learn(phrase)  # and its pieces, for queries that contain it


RANKING_KNOBS = (
    "BM25_B",
    "FIELD_B",
    "BM25_K1",
    "SYNONYM_BOOST",
    "QUESTION_UNITS",
    "PROXIMITY_SLOP",
    "PROXIMITY_BOOST",
    "TOGETHER_BOOST",
    "RERANK_K",
    "CONCEPT_SLOP",
    "NAMING_FIELDS",
)


def knob(name: str, default: float) -> float:
    """A ranking knob of the CLI (search/engine.py: RANKING_KNOBS), so the browser ranks with
    the values `make eval` chose."""
    from handbook_search.search import engine as search

    return getattr(search, name, default)


def field_b() -> list[float]:
    """BM25's B of each field (title, headings, meta, body): engine.FIELD_B, else BM25_B, as
    engine.bm25f gives whoosh."""
    from handbook_search.search.documents import SEARCH_FIELDS

    per_field = knob("FIELD_B", {})
    return [per_field.get(name, knob("BM25_B", 0.75)) for name in SEARCH_FIELDS]


def naming_fields() -> list[int]:
    """engine.NAMING_FIELDS as indices into SEARCH_FIELDS (TITLE, HEADINGS …)."""
    from handbook_search.search.documents import SEARCH_FIELDS

    return [SEARCH_FIELDS.index(name) for name in knob("NAMING_FIELDS", ())]


def _meta(page: Page) -> dict[str, Any]:
    meta = page.metadata()
    del meta["path"], meta["bureau"]  # not shown by the site search
    return meta


def analyze_page(page: Page) -> dict[str, Any]:
    """Everything the index needs of one page (picklable; cached per page content):
    its record, sections, term frequencies per field, field lengths and spellings."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from handbook_search.model.vocab import wareki
    from handbook_search.search.documents import meta_text
    from handbook_search.site.phrases import utf16_boundaries

    b = _Builder()
    record = _meta(page)
    record["wareki"] = wareki(page.meta.fiscal_year) if record["fiscal_year"] else None
    # where the result's title may break (site/phrases.py)
    breaks = utf16_boundaries(page.title)
    if breaks:
        record["title_breaks"] = breaks
    lengths = [0, 0, 0, 0]  # title, headings, meta, body (tokens, as whoosh counts them)
    tf: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # the same four fields
    sections = []
    for s_id, section in enumerate(page.sections):
        # [title, anchor, text] and, when the title may break (a result's § line), where
        sections.append(
            [
                section.title,
                section.anchor,
                section.text,
                *filter(None, [utf16_boundaries(section.title)]),
            ]
        )
        field = TITLE if s_id == 0 else HEADINGS  # the first section's title is the page's
        title = "" if section.term else section.title  # a glossary term is in its text
        for f, text in ((field, title), (BODY, section.text)):
            counts, length = b.analyze(text)
            lengths[f] += length
            for term, n in counts.items():
                tf[term][f] += n
    counts, lengths[META] = b.analyze(meta_text(page))
    for term, n in counts.items():
        tf[term][META] += n
    return {
        "positions": positions(page),
        "record": record,
        "sections": sections,
        "lengths": lengths,
        # whoosh stores a page's field length in one byte (lossy): rank with the same numbers
        "rank_lengths": [byte_to_length(length_to_byte(n)) for n in lengths],
        # plain dicts, not Counters: the cache of 1,000 pages loads in a second, not in ten
        "tf": dict(tf),
        "surfaces": {term: dict(c) for term, c in b.surfaces.items()},
        "spellings": {spelling: dict(c) for spelling, c in b.spellings.items()},
    }


def positions(page: Page) -> dict[str, list[int]]:
    """term → [field, count, position…]… in the CLI's searched fields, numbered as whoosh
    numbers them (analysis.CompoundFilter): what its phrase queries match."""
    from handbook_search.search.analysis import JapaneseAnalyzer
    from handbook_search.search.documents import SEARCH_FIELDS, text_fields

    out: dict[str, list[int]] = {}
    fields = text_fields(page)
    for f, name in enumerate(SEARCH_FIELDS):
        found: dict[str, list[int]] = defaultdict(list)
        for token in JapaneseAnalyzer()(fields[name], positions=True):
            found[token.text].append(token.pos)
        for term, where in found.items():
            out.setdefault(term, []).extend([f, len(where), *where])
    return out


def _analyze_file(root: Path, store: Path | None, rel: str) -> tuple[str, dict[str, Any] | None]:
    """Worker: parse and analyze one corpus file, and keep the analysis in `store`."""
    from handbook_search.model.page import parse_page, shown_path

    page, _ = parse_page(root / rel, root, shown_path(root / rel))
    if page is None:
        return rel, None
    analysis = analyze_page(page)
    if store is not None:
        _store(store / f"{_page_key(page)}.pickle", analysis)
    return rel, analysis


def _store(path: Path, analysis: dict[str, Any]) -> None:
    import os
    import pickle

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(analysis, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


# Below this many pages to analyze, a worker pool costs more than it saves.
PARALLEL_MIN = 48
CACHE_DIR = "handbook-search-pages"  # in Sphinx's doctree folder: one file per page analysis


def _page_key(page: Page) -> str:
    return hashlib.sha1(page.relpath.encode() + b"\0" + page.path.read_bytes()).hexdigest()


def analyses_version() -> str:
    """What an analysis depends on besides the page: this code, what goes into the searched
    fields (search/documents.py) and the analyzer."""
    from handbook_search.search import documents

    code = hashlib.sha1(Path(__file__).read_bytes() + Path(documents.__file__).read_bytes())
    code = code.hexdigest()
    return f"{FORMAT}:{ANALYZER_VERSION}:{code}"


class PageAnalyses:
    """analyze_page for every page, reusing the analyses of unchanged pages (one file per page
    in cache_dir, named by the page's path and content, so a build reads only the ones it
    needs) and analyzing the others in worker processes when there are many (a clean
    1,000-case build).

    Started early (the Sphinx extension starts it when the build begins), the workers run
    while Sphinx reads and writes the pages in its own process; finish() waits for them."""

    def __init__(self, corpus: Corpus, cache_dir: Path | None = None):
        import os

        self.corpus, self.pool, self.jobs = corpus, None, None
        self.version = analyses_version()
        self.memory: dict[str, dict] = {}
        self.dir = None
        if cache_dir is not None:
            tag = hashlib.sha1(self.version.encode()).hexdigest()[:16]
            self.dir = Path(cache_dir) / CACHE_DIR / tag
        self.keys = [_page_key(p) for p in corpus.pages]
        self.todo = [p for p, k in zip(corpus.pages, self.keys, strict=True) if not self.has(k)]
        workers = min(os.cpu_count() or 1, 4)
        if len(self.todo) >= PARALLEL_MIN and workers > 1:
            import concurrent.futures
            import functools

            self.pool = concurrent.futures.ProcessPoolExecutor(workers)
            job = functools.partial(_analyze_file, corpus.root, self.dir)
            rels = [p.relpath for p in self.todo]
            self.jobs = self.pool.map(job, rels, chunksize=8)

    def _file(self, key: str) -> Path | None:
        return self.dir / f"{key}.pickle" if self.dir is not None else None

    def has(self, key: str) -> bool:
        path = self._file(key)
        return key in self.memory or (path is not None and path.is_file())

    def get(self, key: str) -> dict[str, Any] | None:
        """The analysis of the page version `key` (this build's or an earlier one's still in
        the cache), or None."""
        import pickle

        if key not in self.memory:
            path = self._file(key)
            try:
                with path.open("rb") as f:  # type: ignore[union-attr]
                    self.memory[key] = pickle.load(f)  # our own file in Sphinx's doctree folder
            except (AttributeError, OSError, pickle.UnpicklingError, EOFError):
                return None
        return self.memory[key]

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def finish(self) -> None:
        """Wait for the workers, analyze what is left and store the new analyses."""

        if self.pool is not None:
            by_rel = {p.relpath: k for p, k in zip(self.corpus.pages, self.keys, strict=True)}
            try:
                for rel, analysis in self.jobs:
                    if analysis is not None:
                        self.memory[by_rel[rel]] = analysis
            finally:
                self.pool.shutdown()
                self.pool = None
        for page in self.todo:
            key = _page_key(page)
            path = self._file(key)
            if key not in self.memory:
                self.memory[key] = analyze_page(page)
                if path is not None:
                    _store(path, self.memory[key])
            elif path is not None and not path.is_file():
                _store(path, self.memory[key])
        self.todo = []

    def result(self) -> list[dict[str, Any]]:
        """Every page's analysis, in the corpus's order."""
        self.finish()
        return [self.get(k) for k in self.keys]  # type: ignore[misc]

    def prune(self) -> None:
        """Forget the analyses of page versions that are no longer in the corpus, and those
        made by other code."""
        import shutil

        if self.dir is None or not self.dir.parent.is_dir():
            return
        for other in self.dir.parent.iterdir():
            if other != self.dir:
                shutil.rmtree(other, ignore_errors=True)
        keep = {f"{k}.pickle" for k in self.keys}
        for path in self.dir.glob("*.pickle"):
            if path.name not in keep:
                path.unlink(missing_ok=True)


def analyze_pages(corpus: Corpus, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every page's analysis (PageAnalyses, waited for)."""
    return PageAnalyses(corpus, cache_dir).result()


def merge_counts(into: dict[Any, dict], found: dict[Any, dict], sign: int = 1) -> None:
    """Add (or with sign -1 take away) one page's counts of counts; nothing left at zero."""
    for key, counts in found.items():
        merged = into.setdefault(key, {})
        for value, n in counts.items():
            total = merged.get(value, 0) + sign * n
            if total:
                merged[value] = total
            else:
                del merged[value]
        if not merged:
            del into[key]


def synonym_part(path: Path) -> tuple[dict[str, dict], list]:
    """The search groups of the dictionary at `path`, analyzed like the CLI does, and the
    vocabulary counts of their members (each member a whole entry, weighted to win)."""
    from handbook_search.search.engine import key_sequence
    from handbook_search.search.synonyms import analyze_groups, read_groups

    b = _Builder()
    raw = read_groups(path) if path.is_file() else []
    for members in raw:
        for word in members:
            b.add_phrase(str(word))
    # a key is a run of unit texts, as synonyms.Synonyms matches them; with more than one unit
    # it is searched as a phrase of mode A units (engine.key_sequence)
    groups = [[[list(key), key_sequence(key)] for key in group] for group in analyze_groups(raw)]
    return {spelling: dict(c) for spelling, c in b.spellings.items()}, groups


def chosen(spelling: str, made: dict) -> Any:
    """The analysis a spelling stands for: the most frequent; on a tie, a particle (it makes a
    query a question), else the units the CLI makes of the spelling as a query by itself, else
    a fixed order (not the order pages came in, so an updated index equals a clean one)."""
    from handbook_search.search.analysis import units

    best = max(made.values())
    tied = [entry for entry, n in made.items() if n == best]
    if len(tied) > 1:
        if PARTICLE in tied:
            return PARTICLE
        alone = tuple((u.text, *u.parts) for u in units(spelling))
        if alone in tied:
            return alone
    return min(tied, key=repr)


def vocabulary(spellings: dict[str, dict], synonym_spellings: dict[str, dict]) -> dict:
    """spelling → units (or 0 for a particle), sorted as JavaScript sorts strings."""
    merged = {k: dict(v) for k, v in spellings.items()}
    merge_counts(merged, synonym_spellings)
    vocab = {}
    for spelling, made in merged.items():
        if not spelling.strip():
            continue
        entry = chosen(spelling, made)
        vocab[spelling] = 0 if entry == PARTICLE else [list(unit) for unit in entry]
    return dict(sorted(vocab.items(), key=lambda kv: js_order(kv[0])))


def spelling_order(counts: dict[str, int] | None) -> list[str]:
    """A term's spellings, most frequent first."""
    return [s for s, _ in sorted((counts or {}).items(), key=lambda kv: (-kv[1], kv[0]))]


def suggestions(pages_with: dict[str, int], surfaces: dict[str, dict]) -> list[list[str]]:
    """The もしかして list: the words found on most pages, with their commonest spelling."""
    common = sorted(
        (t for t, n in pages_with.items() if len(t) > 1 and n and any(c.isalnum() for c in t)),
        key=lambda t: (-pages_with[t], js_order(t)),
    )[:SUGGEST_TERMS]
    return [[t, (spelling_order(surfaces.get(t)) or [t])[0]] for t in common]


def settings(groups: list, lengths_sum: list[float], count: int) -> dict[str, Any]:
    """The index's settings and tables that do not grow with the corpus."""
    from handbook_search.model.vocab import KINDS, THEMES

    count = max(count, 1)
    return {
        "format": FORMAT,
        "analyzer": ANALYZER_VERSION,
        "boosts": field_boosts(),
        "bm25": {"B": field_b(), "K1": knob("BM25_K1", BM25_K1)},
        "synonym_boost": knob("SYNONYM_BOOST", 1.0),
        "question_units": knob("QUESTION_UNITS", 0),
        "proximity_slop": knob("PROXIMITY_SLOP", 1),
        "proximity_boost": knob("PROXIMITY_BOOST", 0.0),
        "together_boost": knob("TOGETHER_BOOST", 0.0),
        "rerank_k": knob("RERANK_K", 0),
        "concept_slop": knob("CONCEPT_SLOP", 1),
        # the fields (indices into SEARCH_FIELDS) where a concept's units may stand apart
        "naming_fields": naming_fields(),
        "avg_lengths": [round(n / count, 3) for n in lengths_sum],
        "kinds": KINDS,
        "themes": {str(n): name for n, name in THEMES.items()},
        "synonyms": groups,
    }


def build_index(
    corpus: Corpus,
    synonyms_file: Path | None = None,
    cache_dir: Path | None = None,
    analyses: PageAnalyses | None = None,
) -> dict[str, Any]:
    """The browser index of `corpus` as one dict (what the shards of searchupdate.write_index
    hold, merged back). `synonyms_file` defaults to the corpus's."""
    from handbook_search.model.corpus import SYNONYMS_FILE

    pages, sections = [], []
    postings: dict[str, list[int]] = defaultdict(list)
    where: dict[str, list[int]] = defaultdict(list)
    lengths_sum = [0.0, 0.0, 0.0, 0.0]
    surfaces: dict[str, dict] = {}
    spellings: dict[str, dict] = {}
    found = (analyses or PageAnalyses(corpus, cache_dir)).result()
    for p_id, analysis in enumerate(found):
        pages.append(dict(analysis["record"], lengths=analysis["rank_lengths"]))
        sections.append(analysis["sections"])
        for i, n in enumerate(analysis["lengths"]):
            lengths_sum[i] += n
        for term, fields in analysis["tf"].items():
            postings[term] += [p_id, *fields]
        for term, at in analysis["positions"].items():
            where[term] += [p_id, len(at), *_deltas(at)]
        merge_counts(surfaces, analysis["surfaces"])
        merge_counts(spellings, analysis["spellings"])

    path = synonyms_file if synonyms_file is not None else corpus.root / SYNONYMS_FILE
    synonym_spellings, groups = synonym_part(path)
    terms = sorted(set(postings) | set(surfaces), key=js_order)
    return settings(groups, lengths_sum, len(pages)) | {
        "pages": pages,
        "sections": sections,
        # term → [postings (page, tf title, headings, meta, body)…, spellings most frequent first]
        "terms": {t: [postings.get(t, []), spelling_order(surfaces.get(t))] for t in terms},
        # term → [page, length, (field, count, position deltas…)…]…: only phrases load these
        "positions": {t: where[t] for t in sorted(where, key=js_order)},
        "vocab": vocabulary(spellings, synonym_spellings),
    }


def _deltas(found: list[int]) -> list[int]:
    """[field, count, position…]… with each field's positions as differences from the one
    before (smaller numbers: position shards are loaded for phrases and should be light).

    >>> _deltas([3, 3, 10, 12, 40])
    [3, 3, 10, 2, 28]
    """
    out, i = [], 0
    while i < len(found):
        field, count = found[i], found[i + 1]
        where = found[i + 2 : i + 2 + count]
        out += [field, count, *(b - a for a, b in zip([0, *where], where, strict=False))]
        i += 2 + count
    return out


def js_order(text: str) -> bytes:
    """Sort key equal to JavaScript's string comparison (UTF-16 code units)."""
    return text.encode("utf-16-be")


def source_digest(corpus_root: Path, extra: str = "") -> str:
    """A hash of everything the index depends on: corpus files, synonyms, this code's formats."""
    from handbook_search.model.corpus import SYNONYMS_FILE, corpus_files

    knobs = [knob(k, 0) for k in RANKING_KNOBS]
    h = hashlib.sha1(f"{FORMAT}:{ANALYZER_VERSION}:{knobs}:{extra}".encode())
    root = Path(corpus_root)
    files = corpus_files(root) + [root / SYNONYMS_FILE]
    for path in files:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    for code in ("searchindex.py", "searchupdate.py"):  # this code and the shard writer
        h.update((Path(__file__).parent / code).read_bytes())
    h.update(analyses_version().encode())  # and what goes into the searched fields
    return h.hexdigest()[:16]


SHARD_DIR = "handbook-search"  # next to INDEX_FILE in _static/
SHARD_FUNCTION = "handbookSearchShard"  # defined by handbook-search.js; each shard calls it
TERM_CHUNK_CHARS = 24_000  # postings per file, as Pagefind cuts its index (by size here)
VOCAB_CHUNK_CHARS = 16_000
SUGGEST_TERMS = 5_000  # the most frequent words offered as もしかして (loaded on no hit)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _shard(prefix: str, data: Any) -> tuple[str, str]:
    """(file stem, file text) of one shard: named by its content's hash, so an unchanged
    shard keeps its name (and the browser's cache) across builds."""
    body = _dumps(data)
    name = f"{prefix}-{hashlib.sha1(body.encode()).hexdigest()[:12]}"
    return name, f'{SHARD_FUNCTION}("{name}",{body});\n'


def entry_chars(key: str, value: Any) -> int:
    """What one entry adds to its shard, about."""
    return len(key) + len(_dumps(value)) + 4


def cut(sizes: list[tuple[str, int]], budget: int) -> list[list[str]]:
    """Cut sorted keys (with their entry_chars) into shards of at most `budget` characters (a
    bigger entry is a shard of its own). Where a shard ends depends on its own keys, not on
    what comes before: past a quarter of the budget, a key ends a shard with a chance that
    grows with its size, decided by its hash. So a changed entry changes its own shard (and
    rarely the next one), and every other shard keeps its content and name."""
    out: list[list[str]] = []
    chunk: list[str] = []
    size, floor = 0, budget // 4
    for key, grows in sizes:
        if chunk and (
            size + grows > budget
            or (size >= floor and zlib.crc32(key.encode()) * budget < grows * 3 * 2**32)
        ):
            out.append(chunk)
            chunk, size = [], 0
        chunk.append(key)
        size += grows
    if chunk:
        out.append(chunk)
    return out


def render_js(entry: dict[str, Any], digest: str) -> str:
    return (
        f"/* handbook-search site index {digest}: generated by handbook_search.site.searchindex */\n"
        f"window.{GLOBAL_NAME}={_dumps(entry)};\n"
    )


def is_current(static_dir: Path, digest: str) -> bool:
    """Whether the index in `static_dir` was built from the sources of `digest`."""
    try:
        with (Path(static_dir) / INDEX_FILE).open(encoding="utf-8") as f:
            return digest in f.readline()
    except OSError:
        return False
