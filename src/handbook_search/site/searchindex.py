"""The static site's own search index: the CLI's analysis, exported for the browser.

Sphinx's built-in Japanese search segments pages with TinySegmenter but splits the browser
query only on non-letters, so 担い手確保 never meets 担い手の確保. This module builds, from the
page model and with the very analyzer of the CLI (analysis.JapaneseAnalyzer: Sudachi mode C
normalized forms, compounds and their mode A parts, width folding), everything the browser
needs to search without Sudachi:

- pages: url, title, kind, theme(s), 自治体・都道府県・年度, and their sections (title, anchor,
  text) for the best section and the snippet;
- postings: for every indexed term, (page, tf in title, headings, meta, body): the fields of the
  CLI's index (``meta`` is the place, bureau, year and theme names). With the field lengths of
  each page they give the CLI's BM25F (title ×3, headings and meta ×2);
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
    """Collects terms, postings and spellings while the pages are analyzed."""

    def __init__(self) -> None:
        self.term_ids: dict[str, int] = {}
        self.postings: dict[int, list[int]] = defaultdict(list)
        # spelling (folded) → Counter of what the analyzer made of it (a units tuple; () = dropped)
        self.spellings: dict[str, Counter] = defaultdict(Counter)
        self.surfaces: dict[int, Counter] = defaultdict(Counter)  # term id → spellings as written

    def term(self, text: str) -> int:
        if text not in self.term_ids:
            self.term_ids[text] = len(self.term_ids)
        return self.term_ids[text]

    def analyze(self, text: str) -> tuple[Counter, int]:
        """Term frequencies and token count of `text` as the CLI's index sees them (the same
        analyzer), recording the spellings of every term on the way."""
        from handbook_search.search.analysis import JapaneseAnalyzer, surfaces

        tokens = [t.text for t in JapaneseAnalyzer()(text)]
        for term, spelled in surfaces(text).items():
            for surface in spelled:
                self.surfaces[self.term(term)][surface] += 1
        self.learn(text)
        return Counter(tokens), len(tokens)

    def learn(self, text: str) -> None:
        """Spelling → units, from Sudachi's words of `text` lined up with the query units the
        CLI makes of it (analysis.units): a word without a unit was dropped (a particle …)."""
        from handbook_search.search.analysis import morphemes, units

        found = units(text)
        i = 0
        for m in morphemes(text):
            surface = text[m.start : m.end]
            if i < len(found) and found[i].surface == surface:
                u = found[i]
                i += 1
                entry = ((self.term(u.text), *(self.term(p) for p in u.parts)),)
                self.spellings[fold(surface)][entry] += 1
                self.spellings[fold(u.text)][entry] += 1
                if u.parts and len(u.parts) == len(m.parts):
                    for (_, start, end), part in zip(m.parts, u.parts, strict=True):
                        self.spellings[fold(text[start:end])][((self.term(part),),)] += 1
            elif any(ch.isalnum() for ch in surface):
                self.spellings[fold(surface)][PARTICLE if m.pos in PARTICLE_POS else ()] += 1

    def add_phrase(self, phrase: str) -> None:
        """A whole query-side spelling (a synonym member) as one vocabulary entry."""
        from handbook_search.search.analysis import units

        found = units(phrase)
        if not found:
            return
        entry = tuple((self.term(u.text), *(self.term(p) for p in u.parts)) for u in found)
        # far more weight than corpus spellings: the member's own analysis must win
        self.spellings[fold(phrase)][entry] += 1_000_000
        self.learn(phrase)  # and its pieces, for queries that contain it


def knob(name: str, default: float) -> float:
    """A ranking knob of the CLI (search/engine.py: BM25_B, SYNONYM_BOOST, QUESTION_UNITS), so the
    browser ranks with the values `make eval` chose."""
    from handbook_search.search import engine as search

    return getattr(search, name, default)


def _meta(page: Page) -> dict[str, Any]:
    meta = page.metadata()
    del meta["path"], meta["bureau"]  # not shown by the site search
    return meta


def build_index(corpus: Corpus, synonyms_file: Path | None = None) -> dict[str, Any]:
    """The browser index of `corpus` (JSON-able). `synonyms_file` defaults to the corpus's."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from handbook_search.model.corpus import SYNONYMS_FILE
    from handbook_search.model.vocab import KINDS, THEMES, wareki
    from handbook_search.search.documents import meta_text
    from handbook_search.search.synonyms import analyze_groups, read_groups

    b = _Builder()
    pages = []
    lengths_sum = [0.0, 0.0, 0.0, 0.0]
    for p_id, page in enumerate(corpus.pages):
        record = _meta(page)
        record["wareki"] = wareki(page.meta.fiscal_year) if record["fiscal_year"] else None
        lengths = [0, 0, 0, 0]  # title, headings, meta, body (tokens, as whoosh counts them)
        tf: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # the same four fields
        sections = []
        for s_id, section in enumerate(page.sections):
            sections.append([section.title, section.anchor, section.text])
            field = TITLE if s_id == 0 else HEADINGS  # the first section's title is the page's
            for f, text in ((field, section.title), (BODY, section.text)):
                counts, length = b.analyze(text)
                lengths[f] += length
                for term, n in counts.items():
                    tf[term][f] += n
        counts, lengths[META] = b.analyze(meta_text(page))
        for term, n in counts.items():
            tf[term][META] += n
        for term, fields in tf.items():
            b.postings[b.term(term)] += [p_id, *fields]
        for i, n in enumerate(lengths):
            lengths_sum[i] += n
        # whoosh stores a page's field length in one byte (lossy): rank with the same numbers
        record["lengths"] = [byte_to_length(length_to_byte(n)) for n in lengths]
        record["sections"] = sections
        pages.append(record)

    path = synonyms_file if synonyms_file is not None else corpus.root / SYNONYMS_FILE
    raw = read_groups(path) if path.is_file() else []
    for members in raw:
        for word in members:
            b.add_phrase(str(word))
    groups = [
        [[b.term(t) for t in key] for key in group] for group in analyze_groups(raw)
    ]  # a key is a run of unit texts, as synonyms.Synonyms matches them

    terms = list(b.term_ids)
    vocab = {}
    for spelling, made in b.spellings.items():
        if not spelling.strip():
            continue
        entry = made.most_common(1)[0][0]
        vocab[spelling] = 0 if entry == PARTICLE else [list(unit) for unit in entry]
    count = max(len(pages), 1)
    return {
        "format": FORMAT,
        "analyzer": ANALYZER_VERSION,
        "boosts": field_boosts(),
        "bm25": {"B": knob("BM25_B", 0.75), "K1": BM25_K1},
        "synonym_boost": knob("SYNONYM_BOOST", 1.0),
        "question_units": knob("QUESTION_UNITS", 0),
        "avg_lengths": [round(n / count, 3) for n in lengths_sum],
        "kinds": KINDS,
        "themes": {str(n): name for n, name in THEMES.items()},
        "pages": pages,
        "terms": terms,
        "postings": [b.postings.get(i, []) for i in range(len(terms))],
        # most frequent first: the first one is how a suggestion is shown
        "surfaces": [
            [s for s, _ in sorted(b.surfaces[i].items(), key=lambda kv: (-kv[1], kv[0]))]
            if i in b.surfaces
            else []
            for i in range(len(terms))
        ],
        "vocab": dict(sorted(vocab.items())),
        "synonyms": groups,
    }


def source_digest(corpus_root: Path, extra: str = "") -> str:
    """A hash of everything the index depends on: corpus files, synonyms, this code's formats."""
    from handbook_search.model.corpus import SYNONYMS_FILE, corpus_files

    knobs = [knob(k, 0) for k in ("BM25_B", "SYNONYM_BOOST", "QUESTION_UNITS")]
    h = hashlib.sha1(f"{FORMAT}:{ANALYZER_VERSION}:{knobs}:{extra}".encode())
    root = Path(corpus_root)
    files = corpus_files(root) + [root / SYNONYMS_FILE]
    for path in files:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def render_js(data: dict[str, Any], digest: str) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        f"/* handbook-search site index {digest}: generated by handbook_search.site.searchindex */\n"
        f"window.{GLOBAL_NAME}={body};\n"
    )


def write_index(corpus: Corpus, static_dir: Path, digest: str | None = None) -> Path:
    """Write ``static_dir/handbook-search-index.js`` unless it is already built from the same
    sources (same digest). Returns its path."""
    digest = digest or source_digest(corpus.root)
    target = Path(static_dir) / INDEX_FILE
    try:
        with target.open(encoding="utf-8") as f:
            if digest in f.readline():
                return target
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(render_js(build_index(corpus), digest), encoding="utf-8")
    tmp.replace(target)
    return target
