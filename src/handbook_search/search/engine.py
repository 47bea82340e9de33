"""Search behind a small interface: `Engine(index_dir, corpus_root)` with build(), update()
and query(text, filters, limit) → Result. The CLI, the evaluation and the benchmarks use only
this interface; whoosh's queries and searcher live here and in index.py and indexer.py (the analyzer only
borrows whoosh's tokenizer/filter base classes), so another engine could replace them.

Query language (what a 担当者 types):
- words separated by spaces are AND-ed; when that finds nothing, the words' parts are OR-ed
  and the result says so;
- "quoted phrase" (also “…” and 「…」) must appear in that order; -word excludes pages;
- AND / OR / NOT are ordinary words to us, not operators: they are dropped with a notice.
Each word is analyzed like the documents; a compound matches whole or by its parts, and
synonym groups (dictionary.yml) expand at query time.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from handbook_search.search.analysis import Unit
from handbook_search.search.analysis import units as analyze_units
from handbook_search.search.documents import SEARCH_FIELDS
from handbook_search.search.index import Index, IndexError_, IndexRefused
from handbook_search.search.postings import Cache, Stage1, in_order
from handbook_search.search.synonyms import Synonyms

MAX_QUERY_CHARS = 1_000
# Ranking knobs, set from `make eval` (docs/evaluation.md).
BM25_B = 0.6  # length normalization (whoosh's default is 0.75)
# Per-field B (the other fields take BM25_B): a page's many headings (a case's standard ones, a
# glossary's one per term) say less each about the page than a short list does.
FIELD_B = {"headings": 0.9}
BM25_K1 = 1.2  # whoosh's default
SYNONYM_BOOST = 1.0  # weight of a synonym relative to the word as typed
QUESTION_UNITS = 3  # a word of this many units with particles is a question: OR, not AND
# Evidence a person sees (docs/evaluation.md, 検索結果の並び方): two neighbouring units of a
# word found at most PROXIMITY_SLOP positions apart, in that order (a compound written verbatim,
# 令和 4 年度 together, 会議 … 目的 in one sentence), add their score again × PROXIMITY_BOOST.
PROXIMITY_SLOP = 4
PROXIMITY_BOOST = 2.0
# A word written together (docs/evaluation.md): a word of several units with each unit right
# after the one before in a field (the compound as typed, beyond its pairs near each other) adds
# its units' scores there again × TOGETHER_BOOST; a word of one unit, or a synonym as a whole, is
# always written together: its score again × TOGETHER_BOOST (通いの場 weighs as much as 住民主体
# written as typed in 通いの場 住民主体).
TOGETHER_BOOST = 2.0
# Two stages (docs/evaluation.md): stage 1 ranks every match by BM25F (with the concept filter
# and the tiers); stage 2 adds the evidence that needs positions (proximity) to the first
# RERANK_K pages only, reading the positions of those pages alone.
RERANK_K = 50
SNIPPET_CHARS = 110
# At most this many highlighted spans in one snippet: more in 110 characters is noise, and it
# bounds the output of a page that repeats a word thousands of times.
SNIPPET_MAX_HITS = 12
OPERATOR_WORDS = {"AND", "OR", "NOT"}
_QUOTES = {'"': '"', "“": "”", "「": "」", "＂": "＂"}


class QueryError(ValueError):
    """A query that cannot be searched; the message is for the user (Japanese)."""


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def parse_query(text: str) -> ParsedQuery:
    """Split what the user typed into words, "phrases" and -exclusions.

    >>> q = parse_query('担い手 "通いの場" -美里町 AND')
    >>> q.words, q.phrases, q.excluded
    (['担い手'], ['通いの場'], ['美里町'])
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"検索語が長すぎます（{len(text):,} 文字）。{MAX_QUERY_CHARS:,} 文字以内にしてください。"
        )
    q = ParsedQuery()
    text = text.replace("\u3000", " ")
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negate = ch in "-－−" and i + 1 < n and not text[i + 1].isspace()
        if negate:
            i += 1
            ch = text[i]
        if ch in _QUOTES:
            close = text.find(_QUOTES[ch], i + 1)
            if close < 0:
                q.notices.append(
                    f"閉じていない引用符 {ch} があるため、最後までを一つのフレーズとして扱いました。"
                )
                close = n
            phrase = text[i + 1 : close].strip()
            i = close + 1
            if phrase:
                (q.excluded if negate else q.phrases).append(phrase)
            continue
        end = i
        while end < n and not text[end].isspace():
            end += 1
        word = text[i:end]
        i = end
        if word.upper() in OPERATOR_WORDS:
            q.notices.append(
                f"{word} は演算子ではなく、無視しました（語を並べると AND で検索します）。"
            )
            continue
        (q.excluded if negate else q.words).append(word)
    return q


@dataclass
class Filters:
    kind: str | None = None
    theme: int | None = None
    prefecture: str | None = None
    year: int | None = None

    def query(self):
        from whoosh.query import And, Term

        terms = []
        if self.kind:
            terms.append(Term("kind", self.kind))
        if self.theme:
            terms.append(Term("themes", str(self.theme)))
        if self.prefecture:
            terms.append(Term("prefecture", self.prefecture))
        if self.year:
            terms.append(Term("year", str(self.year)))
        return And(terms) if terms else None


@dataclass
class Hit:
    record: dict  # the page's stored record (path, url, title, kind, theme …)
    score: float
    section: dict  # the best section: title, anchor, text
    snippet: list[tuple[str, bool]]  # (text, is_hit) segments


@dataclass
class Result:
    query: str
    total: int
    elapsed_ms: float
    hits: list[Hit]
    mode: str = "and"  # "and", or "or" after the fallback
    notices: list[str] = field(default_factory=list)


# -- building whoosh queries --------------------------------------------------------------
def _terms(text: str):
    from whoosh.query import Or, Term

    return Or([Term(f, text) for f in SEARCH_FIELDS])


def _unit_query(unit: Unit):
    """A word matches whole, or (when it is a compound) by all of its parts.

    Every indexed compound also has its parts indexed, so the parts alone find every page the
    whole would; the whole is an optional extra that adds to the score (the same pages and
    scores as whole OR all-parts, with fewer union matchers)."""
    from whoosh.query import And, AndMaybe

    if not unit.parts:
        return _terms(unit.text)
    return AndMaybe(And([_terms(p) for p in unit.parts]), _terms(unit.text))


def key_sequence(key: tuple[str, ...], words: WordCache | None = None) -> list[str]:
    """A synonym member of several units as the mode A units a phrase query matches
    (a compound stands for its parts, as in the index's positions).

    >>> key_sequence(("住民", "主体", "よる", "支援"))
    ['住民', '主体', 'よる', '支援']
    >>> key_sequence(("熊本県", "担い手"))
    ['熊本', '県', '担い手']
    """
    words = words or WordCache()
    seq: list[str] = []
    for text in key:
        found = words.get(text)[0]
        one = found[0] if len(found) == 1 and found[0].text == text else None
        seq.extend(one.parts or (text,) if one else (text,))
    return seq


def _key_query(key: tuple[str, ...], words: WordCache):
    """A synonym member: one unit as a term, several as a phrase — not loose parts that
    would find every page with 住民 and 支援 somewhere (サービスB ⇔ 住民主体による支援)."""
    from whoosh.query import Or, Phrase

    if len(key) == 1:
        return _terms(key[0])
    return Or([Phrase(f, key_sequence(key, words)) for f in SEARCH_FIELDS])


def minimal(keys: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Drop the members that need every unit of a shorter member: they can only find pages
    the shorter one finds (地域医療介護総合確保基金 ⊇ 総合確保基金), and make the query slower.

    >>> minimal([("地域", "医療", "基金"), ("基金",), ("SC",)])
    [('基金',), ('SC',)]
    """
    sets = [set(k) for k in keys]
    return [k for k, s in zip(keys, sets, strict=True) if not any(o < s for o in sets)]


def _word_queries(word: str, synonyms: Synonyms, words: WordCache) -> list:
    """One query per unit of `word`, with runs that are synonyms replaced by their group."""
    return [q for q, _, _ in _word_parts(word, synonyms, words)]


def _word_parts(word: str, synonyms: Synonyms, words: WordCache) -> list[tuple]:
    """(query, the text it stands for, what to highlight) per unit or synonym run of `word`.
    Synonym members of several units are phrases and are not highlighted by their parts."""
    from whoosh.query import Or

    found = words.get(word)[0]
    keys = [u.text for u in found]
    out, i = [], 0
    while i < len(found):
        match = synonyms.match(keys, i)
        if match:
            n, group = match
            members = minimal(group)
            alternatives = [_key_query(k, words).with_boost(SYNONYM_BOOST) for k in members]
            shown = [_key_query(k, words) for k in members]
            # the word as typed (whole or by parts) stays an alternative
            if n == 1:
                alternatives.append(_unit_query(found[i]))
                shown.append(_unit_query(found[i]))
            out.append((Or(alternatives), "".join(keys[i : i + n]), Or(shown)))
            i += n
        else:
            q = _unit_query(found[i])
            out.append((q, found[i].text, q))
            i += 1
    return out


class WordCache:
    """Analyzed query words kept next to the index (query-words.json), so that a repeated word
    does not need Sudachi (loading its dictionary is most of a cold search's time)."""

    MAX = 5_000

    def __init__(self, path: Path | None = None):
        self.path, self.words, self.dirty = path, {}, False
        if path is not None:
            try:
                import json

                self.words = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.words = {}

    def get(self, word: str) -> tuple[list[Unit], bool]:
        found = self.words.get(word)
        if found is None:
            found = [[list(u) for u in analyze_units(word)], is_sentence(word)]
            if len(self.words) >= self.MAX:
                self.words.clear()
            self.words[word], self.dirty = found, True
        units, sentence = found
        return [Unit(text, tuple(parts), surface) for text, parts, surface in units], sentence

    def save(self) -> None:
        if not (self.dirty and self.path):
            return
        import json
        import os

        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
            self.dirty = False
        except OSError:  # a read-only index folder: searching still works
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def is_sentence(word: str) -> bool:
    """Whether a word without spaces reads as a phrase of Japanese (it has particles or
    auxiliaries between its words), like 住民主体の活動を増やすには."""
    from handbook_search.search.analysis import morphemes

    return any(m.pos in ("助詞", "助動詞") for m in morphemes(word))


def _phrase_query(text: str, words: WordCache):
    """The phrase as a sequence of mode A units (a compound's parts stand in for it)."""
    from whoosh.query import Or, Phrase

    seq: list[str] = []
    for u in words.get(text)[0]:
        seq.extend(u.parts or (u.text,))
    if not seq:
        return None
    if len(seq) == 1:
        return _terms(seq[0])
    return Or([Phrase(f, seq) for f in SEARCH_FIELDS])


def mode_a_sequence(word: str, words: WordCache) -> list[str]:
    """The mode A units of a word in order (a compound's parts stand in for it), as positions
    number them.

    >>> mode_a_sequence("第2層協議体", WordCache())
    ['第', '2', '層', '協議', '体']
    """
    return [x for u in words.get(word)[0] for x in (u.parts or (u.text,))]


def is_synonym(word: str, synonyms: Synonyms, words: WordCache) -> bool:
    """Whether the word as a whole is a synonym member (its group is searched instead)."""
    keys = [u.text for u in words.get(word)[0]]
    match = synonyms.match(keys, 0) if keys else None
    return bool(match) and match[0] == len(keys)


def together_sequences(words_typed: list[str], synonyms: Synonyms, words: WordCache) -> list:
    """The mode A units of each word of two units or more, for stage 2 (rerank). A word that is
    a synonym as a whole has none (SC and 生活支援コーディネーター rank alike).

    >>> together_sequences(["第2層協議体", "協議", "SC"], Synonyms.empty(), WordCache())
    [('第', '2', '層', '協議', '体')]
    """
    out = []
    for word in words_typed:
        seq = tuple(mode_a_sequence(word, words))
        if len(seq) > 1 and not is_synonym(word, synonyms, words):
            out.append(seq)
    return list(dict.fromkeys(out))


def proximity_pairs(seqs: list[tuple[str, ...]]) -> list:
    """The pairs of neighbouring units of each word's units (`seqs`: together_sequences), for
    stage 2's proximity bonus (rerank): a page with the compound verbatim has every pair near;
    one with its parts scattered, none. A word that is a synonym as a whole has no units there,
    so no pairs (SC and 生活支援コーディネーター rank alike).

    >>> proximity_pairs([("第", "2", "層"), ("2", "層")])
    [('第', '2'), ('2', '層')]
    """
    pairs = [(a, b) for seq in seqs for a, b in zip(seq, seq[1:], strict=False)]
    return list(dict.fromkeys(pairs))


# A word of several units with a one-letter unit names a concept (協議体, 住民説明会, 通いの場):
# its one-letter unit (体, 会, 場) also stands alone in 自治体 … or 体制, anywhere on a page. A
# page names the concept when the units stand together (CONCEPT_SLOP: each at most that many
# positions after the one before; a dropped particle takes no position, so 通いの場 counts) or
# when its title or headings (NAMING_FIELDS) hold every unit. Pages with the units scattered
# are listed only when no page names the concept (Queries.tiers). Words of longer units
# (買い物支援, 担い手確保) are not filtered: pages that write 買い物や通院の支援 are answers too
# (docs/evaluation.md).
NAMING_FIELDS = ("title", "headings")
CONCEPT_SLOP = 1


def concept_units(word: str, synonyms: Synonyms, words: WordCache) -> tuple[str, ...] | None:
    """The mode A units a page must write together (or all in its title or headings) to name
    the concept `word` (not a question: build_queries), or None when the word is one unit, has
    no one-letter unit or has a synonym run (its group is searched instead). Checked on the
    positions of stage 1's matches (names_concept).

    >>> concept_units("担い手確保", Synonyms.empty(), WordCache()) is None
    True
    >>> concept_units("協議体", Synonyms.empty(), WordCache())
    ('協議', '体')
    """
    keys = [u.text for u in words.get(word)[0]]
    if any(synonyms.match(keys, i) for i in range(len(keys))):
        return None
    seq = mode_a_sequence(word, words)
    if len(seq) < 2 or all(len(unit) > 1 for unit in seq):
        return None
    return tuple(seq)


@dataclass
class Queries:
    """The queries of one search: `tiers` are tried in order until one finds a page, each as
    (mode, query): "and" (its pages that name the `concepts` first, then all), "or" (any
    word)."""

    tiers: list[tuple[str, object]]
    positive: object  # the positive terms, for highlighting
    pairs: list[tuple[str, str]] = field(default_factory=list)  # stage 2: proximity pairs
    # stage 2, written together: the words of several units, and the queries of the words
    # always written together (one unit, or a synonym as a whole)
    together: list[tuple[str, ...]] = field(default_factory=list)
    wholes: list = field(default_factory=list)
    # the first tier's concepts (concept_units): with them, the pages of the first tier that
    # name every concept are tried before all of its pages
    concepts: list[tuple[str, ...]] = field(default_factory=list)


def build_queries(parsed: ParsedQuery, synonyms: Synonyms, words: WordCache | None = None):
    """The search tiers and the positive terms' query (Queries).

    Raises QueryError when nothing is searchable."""
    words = words or WordCache()
    from whoosh.query import And, AndNot, Or

    required, concepts, loose, shown, wholes = [], [], [], [], []
    for word in parsed.words:
        pairs = _word_parts(word, synonyms, words)
        parts = [q for q, _, _ in pairs]
        shown += [h for _, _, h in pairs]
        # the "any word" fallback never rests on one character: 宇宙旅行 must not find 行
        loose_parts = [q for q, text, _ in pairs if len(text) > 1]
        found, sentence = words.get(word)
        if len(found) >= QUESTION_UNITS and sentence:
            # 買い物に困る高齢者への支援: a question, not a list of must-have words
            required.append(Or(parts))
            loose.extend(loose_parts)
        elif parts:
            required.append(And(parts) if len(parts) > 1 else parts[0])
            if len(mode_a_sequence(word, words)) == 1 or is_synonym(word, synonyms, words):
                wholes.append(required[-1])
            concepts.append(concept_units(word, synonyms, words))
            loose.extend(loose_parts)
    for phrase in parsed.phrases:
        q = _phrase_query(phrase, words)
        if q is not None:
            required.append(q)
            loose.append(q)
            shown.append(q)
    if not required:
        if parsed.words or parsed.phrases or parsed.excluded:
            raise QueryError(
                "検索できる語がありません（「の」「を」や記号だけでは検索できません）。"
            )
        raise QueryError("検索語を入力してください。")
    excluded = [q for w in parsed.excluded for q in _word_queries(w, synonyms, words)]

    def ranked(qs):
        q = And(qs) if len(qs) > 1 else qs[0]
        return AndNot(q, Or(excluded)) if excluded else q

    tiers = [("and", ranked(required))]
    if len(loose) > 1:
        tiers.append(("or", ranked([Or(loose)])))
    concepts = list(dict.fromkeys(c for c in concepts if c))
    together = together_sequences(parsed.words, synonyms, words)
    return Queries(tiers, Or(shown), proximity_pairs(together), together, wholes, concepts)


# -- sections and snippets ---------------------------------------------------------------
# Between the words of a phrase, a snippet allows what the index drops (の, による …).
PHRASE_GAP = "[ぁ-ゖ]{0,3}"


def phrase_pattern(spellings: list[list[str]]) -> re.Pattern | None:
    """The words of a phrase, each in any of its spellings, one after the other with at most a
    few kana between: what a snippet highlights for a phrase (通い + 場 → 通いの場), instead
    of every 住民 and 支援 of the page.

    >>> phrase_pattern([["通い"], ["場"]]).search("毎週の通いの場へ").group()
    '通いの場'
    """
    if not spellings or not all(spellings):
        return None
    words = ["(?:" + "|".join(re.escape(s) for s in sorted(ss, key=len, reverse=True)) + ")"
             for ss in spellings]  # fmt: skip
    return re.compile(PHRASE_GAP.join(words))


def _spans(text: str, surfaces: set[str], patterns: list[re.Pattern] = ()) -> list[tuple[int, int]]:
    spans = []
    for s in surfaces:
        if not s.strip():
            continue
        for m in re.finditer(re.escape(s), text):
            spans.append((m.start(), m.end()))
    for pattern in patterns:
        spans += [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight_terms(query) -> set[str]:
    """The terms to mark in snippets. One-character compound parts (者 of 高齢者, 体 of 協議体)
    would light up every 参加者 and 団体, so they are left out unless nothing longer is
    searched, as in the site search."""
    from whoosh.query import Phrase

    terms = {
        t.decode() if isinstance(t, bytes) else t
        for leaf in query.leaves()
        if not isinstance(leaf, Phrase)
        for _, t in leaf.iter_all_terms()
    }
    return {t for t in terms if len(t) > 1} or terms


def highlight_phrases(query) -> list[tuple[str, ...]]:
    """The phrases of the query (quoted, or synonym members of several words), highlighted
    as a whole and not by their words."""
    from whoosh.query import Phrase

    found = (tuple(leaf.words) for leaf in query.leaves() if isinstance(leaf, Phrase))
    return list(dict.fromkeys(found))


def best_section(
    record: dict, terms: set[str], phrases: list[tuple[str, ...]] = ()
) -> tuple[dict, list[tuple[int, int]]]:
    """The section with the most distinct query terms and phrases (then one whose heading is
    just the query's words, so a glossary term's own entry beats one that mentions it; then the
    most hits) and its hit spans.

    The page's stored term → spellings map says what to look for; no analysis at query time."""
    spellings = {t: record["terms"][t] for t in terms if t in record["terms"]}
    patterns = [phrase_pattern([record["terms"].get(t, []) for t in seq]) for seq in phrases]
    patterns = [p for p in patterns if p is not None]
    best, best_key, best_spans = record["sections"][0], (-1, -1, -1, 0), []
    for i, sec in enumerate(record["sections"]):
        title, text = sec["title"], sec["text"]
        matched = [ss for ss in spellings.values() if any(x in text or x in title for x in ss)]
        found = [p for p in patterns if p.search(text) or p.search(title)]
        words = {x for ss in matched for x in ss}
        # a section titled with just the query's words (a glossary entry); the first section's
        # title is the page's: it names the page, not that section
        in_title = int(i > 0 and _spans(title, words, found) == [(0, len(title))])
        spans = _spans(text, words, found)
        key = (len(matched) + len(found), in_title, len(spans), -i)
        if key > best_key:
            best, best_key, best_spans = sec, key, spans
    return best, best_spans


def _densest_start(spans: list[tuple[int, int]], width: int) -> int:
    """The window start (a third of the width before some hit) covering the most whole hits,
    the first such; one pass, since merged spans are sorted by start and by end.

    >>> _densest_start([(0, 2), (50, 52), (60, 62), (70, 72)], width=30)
    50
    """
    best, best_count, first, last = 0, -1, 0, 0
    for s, _ in spans:
        st = max(0, s - width // 3)
        while first < len(spans) and spans[first][0] < st:
            first += 1
        last = max(last, first)
        while last < len(spans) and spans[last][1] <= st + width:
            last += 1
        if last - first > best_count:
            best, best_count = st, last - first
    return best


def snippet(
    text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS
) -> list[tuple[str, bool]]:
    """A window of `text` around the densest group of hits, as (text, is_hit) segments.

    >>> snippet("あいうえおかきくけこ", [(2, 3)], width=5)
    [('…い', False), ('う', True), ('えおか…', False)]
    """
    text = text.replace("\n", " ")
    if not spans:
        cut = text[:width]
        return [(cut + ("…" if len(text) > width else ""), False)] if cut else []
    start = _densest_start(spans, width)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    out: list[tuple[str, bool]] = []
    pos = start
    lo = bisect.bisect_left(spans, (start, -1))
    lo -= 1 if lo and spans[lo - 1][1] > start else 0  # a hit that straddles the start
    shown = 0
    for s, e in spans[lo:]:
        if s >= end or shown >= SNIPPET_MAX_HITS:
            break
        if e <= start:
            continue
        shown += 1
        s, e = max(s, start), min(e, end)
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < end:
        out.append((text[pos:end], False))
    if start > 0:
        out[0] = ("…" + out[0][0], out[0][1]) if not out[0][1] else out[0]
        if out[0][1]:
            out.insert(0, ("…", False))
    if end < len(text):
        if out[-1][1]:
            out.append(("…", False))
        else:
            out[-1] = (out[-1][0] + "…", False)
    return out


# -- the engine --------------------------------------------------------------------------
def bm25f():
    """The weighting of every search (stage 1 scores with it, postings.py): whoosh's BM25F with
    the knobs BM25_B, FIELD_B and BM25_K1."""
    from whoosh.scoring import BM25F

    per_field = {f"{name}_B": b for name, b in FIELD_B.items()}
    return BM25F(B=BM25_B, K1=BM25_K1, **per_field)


def all_pages(stage: Stage1, q, allow: set[int] | None = None) -> list[tuple[int, float]]:
    """Every match of stage 1 as (docnum, score), best first (a tie goes to the first page, as
    whoosh orders them); `allow`: the pages a filter leaves (None: all). The concept check
    (naming) and the rerank need every match in order, and the total comes with them."""
    found = stage.scores(q)
    if allow is not None:
        found = {d: s for d, s in found.items() if d in allow}
    return [(d, -negated) for negated, d in sorted([(-s, d) for d, s in found.items()])]


def term_evidence(stage: Stage1, terms, docnums: list[int], scored: bool = True) -> dict:
    """(field, term) → {docnum: (positions, BM25F score or None)} for the pages `docnums` only
    (postings.evidence: no other page's positions are decoded); the positions stay in the
    stage's cache when scored (stage 2's few pages)."""
    out = {}
    for f in SEARCH_FIELDS:
        for term in terms:
            scores = stage.term(f, term)
            pages = [d for d in docnums if d in scores]
            where = stage.positions(f, term, pages, keep=scored) if pages else {}
            out[(f, term)] = {d: (where[d], scores[d] if scored else None) for d in pages}
    return out


def names_concept(evidence: dict, seq: tuple[str, ...], doc: int) -> bool:
    """Whether page `doc` names the concept of units `seq` (concept_units): the units in order
    (CONCEPT_SLOP) in one field, or each of them in the title or the headings (NAMING_FIELDS)."""

    def at(f, unit):
        found = evidence.get((f, unit), {}).get(doc)
        return found[0] if found else None

    for f in SEARCH_FIELDS:
        where = [at(f, unit) for unit in seq]
        if all(where) and in_order(where, CONCEPT_SLOP):
            return True
    return all(any(at(f, unit) for f in NAMING_FIELDS) for unit in set(seq))


def naming(
    stage: Stage1, ranked: list[tuple[int, float]], concepts: list
) -> list[tuple[int, float]]:
    """The pages of `ranked` that name every concept (names_concept), in the same order; what
    a page names is kept in the stage's cache."""
    named = []
    for seq in concepts:
        known = stage.cache.named.get(seq)
        if known is None:
            known = stage.cache.named.put(seq, {})
        missing = [doc for doc, _ in ranked if doc not in known]
        if missing:
            evidence = term_evidence(stage, set(seq), missing, scored=False)
            known.update((doc, names_concept(evidence, seq, doc)) for doc in missing)
            stage.cache.named.grew(len(missing))
        named.append(known)
    return [(d, s) for d, s in ranked if all(n[d] for n in named)]


def proximity_bonus(evidence: dict, pairs: list[tuple[str, str]], doc: int) -> float:
    """Stage 2: for each pair of neighbouring units of a word and each field where they stand
    at most PROXIMITY_SLOP positions apart in that order, their field scores again ×
    PROXIMITY_BOOST (what AndMaybe(query, Or(Phrase(f, pair, slop)…)) added in one stage)."""
    total = 0.0
    for a, b in pairs:
        for f in SEARCH_FIELDS:
            x, y = evidence.get((f, a), {}).get(doc), evidence.get((f, b), {}).get(doc)
            if x and y and in_order([x[0], y[0]], PROXIMITY_SLOP):
                total += x[1] + y[1]
    return total * PROXIMITY_BOOST


def together_bonus(evidence: dict, wholes: list[dict], seqs: list, doc: int) -> float:
    """Stage 2: for each word of several units and each field where it is written together
    (each unit 1 position after the one before, as a phrase), its units' field scores; for each
    word always written together, its stage-1 score (`wholes`: {docnum: score}); × TOGETHER_BOOST."""
    total = sum(whole.get(doc, 0.0) for whole in wholes)
    for seq in seqs:
        for f in SEARCH_FIELDS:
            found = [evidence.get((f, unit), {}).get(doc) for unit in seq]
            if all(found) and in_order([x[0] for x in found], 1):
                total += sum(x[1] for x in found)
    return total * TOGETHER_BOOST


def rerank(
    stage: Stage1, ranked: list[tuple[int, float]], queries: Queries
) -> list[tuple[int, float]]:
    """Stage 2 on the first RERANK_K of `ranked` (docnum, stage-1 score), best first: the
    proximity and written-together bonuses; the pages after them keep their stage-1 order."""
    head, tail = ranked[:RERANK_K], ranked[RERANK_K:]
    if not (queries.pairs or queries.wholes) or not head:
        return ranked
    terms = {t for pair in queries.pairs for t in pair}
    evidence = term_evidence(stage, terms, [doc for doc, _ in head])
    wholes = [stage.scores(q) for q in queries.wholes]

    def bonus(doc: int) -> float:
        near = proximity_bonus(evidence, queries.pairs, doc)
        return near + together_bonus(evidence, wholes, queries.together, doc)

    scored = [(doc, score + bonus(doc)) for doc, score in head]
    scored.sort(key=lambda x: (-x[1], x[0]))  # whoosh's order: a tie goes to the first page
    return scored + tail


def one_per_case(hits: list[Hit]) -> list[Hit]:
    """A case filed twice (same prefecture, municipality, year: the validator reports it) is
    shown once, from the file that comes first by path, as the site lists it."""
    first: dict[tuple, Hit] = {}
    for hit in hits:
        r = hit.record
        if r["kind"] == "case":
            key = (r["prefecture"], r["municipality"], r["fiscal_year"])
            if key not in first or r["path"] < first[key].record["path"]:
                first[key] = hit
    return [
        h
        for h in hits
        if h.record["kind"] != "case"
        or first[(h.record["prefecture"], h.record["municipality"], h.record["fiscal_year"])] is h
    ]


class Engine:
    """Search over one corpus with its index folder.

    A long-lived engine keeps its whoosh searcher and synonym table between queries and checks
    the corpus for changes at most once per FRESHNESS_INTERVAL seconds, and no more often than
    keeps the check under 1/CHECK_SHARE of its time (stat-ing 10,000 pages takes ~0.25 s: a
    check every 12 s, not before every 16th query)."""

    FRESHNESS_INTERVAL = 1.0
    CHECK_SHARE = 50

    def __init__(self, index_dir: Path, corpus_root: Path, use_synonyms: bool = True):
        self.index = Index(index_dir, corpus_root)
        self.root = Path(corpus_root)
        self.use_synonyms = use_synonyms
        self._generation: Path | None = None
        self._searcher = None
        self._synonyms: Synonyms | None = None
        self._words = WordCache()
        self._cache = Cache()
        self._checked, self._interval = -1e9, self.FRESHNESS_INTERVAL

    def build(self, progress=None):
        return self.index.build(progress)

    def update(self, progress=None):
        return self.index.update(progress)

    def synonyms(self) -> Synonyms:
        from handbook_search.model.corpus import SYNONYMS_FILE
        from handbook_search.search import synonyms

        if not self.use_synonyms:
            return Synonyms.empty()
        return synonyms.load(self.root / SYNONYMS_FILE, self.index.generation())

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher, self._generation = None, None

    def _ready(self, notify):
        """The searcher of a fresh index (building or updating it first when needed)."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < self._interval:
            return self._searcher
        self.index.refresh(notify)
        self._checked = now
        took = getattr(self.index, "checked_in", 0.0)
        self._interval = self.FRESHNESS_INTERVAL and max(
            self.FRESHNESS_INTERVAL, self.CHECK_SHARE * took
        )
        generation = self.index.generation()
        if self._searcher is None or generation != self._generation:
            self.close()
            self._searcher = self.index.open().searcher(weighting=bm25f())
            self._generation = generation
            self._words = WordCache(generation / "query-words.json")
            self._cache = Cache()  # what stage 1 read from this searcher
        self._synonyms = self.synonyms()
        return self._searcher

    def query(
        self, text: str, filters: Filters | None = None, limit: int = 10, notify=None
    ) -> Result:
        """Search; a damaged index is rebuilt once (with a notice), then a clear IndexError_."""
        try:
            return self._query(text, filters, limit, notify)
        except (QueryError, IndexRefused):
            raise
        except Exception as exc:  # whoosh raises many kinds on damaged files
            tell = notify or (lambda m: print(m, file=sys.stderr))
            tell(f"索引を読めません（{type(exc).__name__}: {exc}）。作り直します…")
            self.close()
            report = self.index.build()
            tell(f"索引を作成しました（{report.pages} ページ、{report.seconds:.1f} 秒）")
        try:
            return self._query(text, filters, limit, notify)
        except (QueryError, IndexRefused):
            raise
        except Exception as exc:
            raise IndexError_(
                f"索引を作り直しても読めません（{type(exc).__name__}: {exc}）: {self.index.dir}"
            ) from exc

    def _query(self, text: str, filters: Filters | None, limit: int, notify) -> Result:
        start = time.perf_counter()
        parsed = parse_query(unicodedata.normalize("NFKC", text))
        searcher = self._ready(notify)
        queries = build_queries(parsed, self._synonyms, self._words)
        filter_q = (filters or Filters()).query()
        stage = Stage1(searcher, self._cache)
        allow = stage.docs(filter_q) if filter_q is not None else None
        for tier, q in queries.tiers:
            mode, ranked = tier, all_pages(stage, q, allow)
            if ranked:
                break
        if mode == "and" and queries.concepts:
            ranked = naming(stage, ranked, queries.concepts) or ranked
        ranked = rerank(stage, ranked, queries)
        positive = queries.positive
        terms, phrases = highlight_terms(positive), highlight_phrases(positive)
        hits = []
        for docnum, score in ranked[:limit]:
            record = searcher.stored_fields(docnum)["data"]
            section, spans = best_section(record, terms, phrases)
            hits.append(Hit(record, score, section, snippet(section["text"], spans)))
        shown = one_per_case(hits)
        total = len(ranked) - (len(hits) - len(shown))
        hits = shown
        notices = list(parsed.notices)
        if mode == "or":
            notices.append(
                "すべての語を含むページがないため、いずれかの語を含むページを表示しています。"
            )
        elapsed = (time.perf_counter() - start) * 1000
        self._words.save()
        return Result(text, total, elapsed, hits, mode, notices)
