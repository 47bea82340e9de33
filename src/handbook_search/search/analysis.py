"""Japanese text analysis for the index and for queries, built the whoosh way:

    SudachiTokenizer() | PartOfSpeechStopFilter() | CompoundFilter() | LowercaseFilter()

- SudachiTokenizer: Sudachi mode C morphemes, as their normalized form (Sudachi already folds
  全角/半角 and some spelling variants: ＳＣ → SC, ｻｰﾋﾞｽ → サービス, ２ → 2). Long text is cut into
  lines (and lines into pieces) below SudachiPy's 49,149-byte limit, and each line's morphemes are
  cached, so indexing the same text for several fields tokenizes it once.
- PartOfSpeechStopFilter: drops particles, auxiliaries, punctuation, whitespace and a few
  function words.
- CompoundFilter: a compound is indexed whole *and* by its mode A parts, so 熊本県美里町 also
  meets 熊本 and 美里町 meets 美里. Positions count mode A units and skip dropped words, so
  担い手の確保 and 担い手確保 are the same phrase.

The Sudachi tokenizer lives at module level, created on first use: whoosh pickles the schema
(analyzers included) into the index, and a sudachipy Tokenizer cannot be pickled.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from array import array
from typing import NamedTuple

from handbook_search.search._startup import import_whoosh

import_whoosh()

from whoosh.analysis import (  # noqa: E402
    Analyzer,
    Composable,
    Filter,
    LowercaseFilter,
    Token,
    Tokenizer,
)

# Bump when the analysis changes: an index built with another version is rebuilt.
ANALYZER_VERSION = 3

MAX_BYTES = 49_149  # SudachiPy's limit per tokenize() call
_CHUNK_CHARS = 4_000  # a line longer than this is cut (4,000 chars ≤ 16,000 bytes in UTF-8)

STOP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号", "代名詞", "連体詞"}
BOUNDARY_POS = {"補助記号", "空白", "記号"}  # dropped, but they keep the words around apart
# Function words by their Sudachi normalized form (する → 為る, こと → こと, ため → 為 …).
STOP_WORDS = {
    "為る", "有る", "居る", "成る", "出来る", "れる", "られる", "せる", "させる", "おる",
    "こと", "事", "物", "為", "よう", "様", "等", "など",
}  # fmt: skip


class Morpheme(NamedTuple):
    """What the filters need of a Sudachi morpheme (plain data, cacheable)."""

    text: str  # normalized form
    pos: str  # first part-of-speech field (名詞, 助詞 …)
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...]  # mode A parts (normalized, start, end) if > 1


@functools.cache
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(), SplitMode


def _pieces(text: str):
    """(offset, piece) with every piece safely below SudachiPy's byte limit."""
    offset = 0
    for line in text.splitlines(keepends=True):
        for i in range(0, len(line), _CHUNK_CHARS):
            yield offset + i, line[i : i + _CHUNK_CHARS]
        offset += len(line)


@functools.lru_cache(maxsize=512)
def _analyze_piece(piece: str, offset: int) -> tuple[tuple, ...]:
    """Sudachi on one piece: (normalized, pos, start, end, parts) with offsets added (cached:
    the site-search index analyzes a page's lines more than once; a few pages' worth is
    enough, 4,096 pieces were about 80 MB in each indexing worker)."""
    tokenizer, mode = _sudachi()
    out = []
    for m in tokenizer.tokenize(piece, mode.C):
        start, end = m.begin() + offset, m.end() + offset
        parts: tuple = ()
        if end - start > 1:
            split = m.split(mode.A)
            if len(split) > 1:
                parts = tuple(
                    (a.normalized_form(), a.begin() + offset, a.end() + offset) for a in split
                )
        out.append((m.normalized_form(), m.part_of_speech()[0], start, end, parts))
    return tuple(out)


def morphemes(text: str):
    """Mode C morphemes of `text` with offsets into `text`."""
    for offset, piece in _pieces(text):
        if piece.strip():
            for m in _analyze_piece(piece, offset):
                yield Morpheme(*m)


def word_spans(text: str):
    """(start, end, first part-of-speech field) of the mode C words of `text`: what the site's
    line breaks need (site/phrases.py), without the normalized forms and mode A parts."""
    tokenizer, mode = _sudachi()
    for offset, piece in _pieces(text):
        if piece.strip():
            for m in tokenizer.tokenize(piece, mode.C):
                yield m.begin() + offset, m.end() + offset, m.part_of_speech()[0]


def reading(text: str) -> str:
    """How `text` is read, in katakana (Sudachi's reading; words it does not know as written).

    >>> reading("総合事業")
    'ソウゴウジギョウ'
    """
    tokenizer, mode = _sudachi()
    return "".join(m.reading_form() or m.surface() for m in tokenizer.tokenize(text, mode.C))


class SudachiTokenizer(Tokenizer):
    """Sudachi mode C morphemes as whoosh tokens (normalized form; `pos` and `parts` attached).

    >>> [t.text for t in SudachiTokenizer()("ＳＣの担い手確保")]
    ['SC', 'の', '担い手', '確保']
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        i = 0
        for offset, piece in _pieces(value):
            if not piece.strip():
                continue
            for text, tag, start, end, parts in _analyze_piece(piece, offset):
                t.text, t.tag, t.parts = text, tag, parts
                t.boost, t.stopped = 1.0, False
                if keeporiginal:
                    t.original = value[start:end]
                if positions:
                    t.pos = start_pos + i
                if chars:
                    t.startchar, t.endchar = start_char + start, start_char + end
                i += 1
                yield t


def stopped(text: str, pos: str) -> bool:
    """Whether a morpheme (normalized form, first POS field) is dropped from the index."""
    return pos in STOP_POS or text in STOP_WORDS or not text.strip()


class PartOfSpeechStopFilter(Filter):
    """Drops particles, auxiliaries, punctuation, whitespace and function words.

    >>> tokens = (SudachiTokenizer() | PartOfSpeechStopFilter())("通いの場などをすることがある。")
    >>> [t.text for t in tokens]
    ['通い', '場']
    """

    def __call__(self, tokens):
        gap = False  # punctuation between two words: they are not adjacent in a phrase
        for t in tokens:
            if stopped(t.text, t.tag):
                gap = gap or t.tag in BOUNDARY_POS or not t.text.strip()
                continue
            t.gap, gap = gap, False
            yield t


class CompoundFilter(Filter):
    """Emits each compound whole and then its mode A parts; numbers positions by mode A unit.
    Dropped particles take no position; punctuation leaves a gap of one.

    >>> analyzer = SudachiTokenizer() | PartOfSpeechStopFilter() | CompoundFilter()
    >>> [(t.text, t.pos) for t in analyzer("熊本県美里町の担い手。確保", positions=True)]
    [('熊本県', 0), ('熊本', 0), ('県', 1), ('美里町', 2), ('美里', 2), ('町', 3), ('担い手', 4), ('確保', 6)]
    """

    def __call__(self, tokens):
        pos = 0
        for t in tokens:
            if getattr(t, "gap", False) and pos:
                pos += 1
            parts, start = t.parts, t.startchar if t.chars else 0
            t.compound = False
            if t.positions:
                t.pos = pos
            yield t
            if not parts:
                pos += 1
                continue
            whole = (t.text, getattr(t, "startchar", 0), getattr(t, "endchar", 0))
            for i, (text, s, e) in enumerate(parts):
                t.text, t.compound = text, True
                if t.positions:
                    t.pos = pos + i
                if t.chars:
                    t.startchar, t.endchar = start + (s - parts[0][1]), start + (e - parts[0][1])
                yield t
            t.text = whole[0]
            pos += len(parts)


def _chain() -> Composable:
    return SudachiTokenizer() | PartOfSpeechStopFilter() | CompoundFilter() | LowercaseFilter()


# Final tokens of each line seen: their texts (interned: a word's string is kept once) and their
# positions and offsets relative to the line (array("i")s: 12 bytes a token, not three int
# objects in a tuple). Indexing a page analyzes the same lines for several fields and for the
# snippet data; with this cache each line is analyzed once. Bounded: as tuples of tuples,
# 16,384 lines were ~200 MB of each indexing worker's ~600 MB at 10,000 pages.
_LINE_CACHE: dict[str, tuple[tuple[str, ...], array, array, array]] = {}
_LINE_CACHE_MAX = 16_384


class LineCachedAnalyzer(Analyzer):
    """Runs `chain` once per distinct line and replays the tokens (a line break is a boundary
    for phrases, like punctuation)."""

    def __init__(self, chain: Composable):
        self.chain = chain

    def line_tokens(self, line: str) -> tuple[tuple[str, ...], array, array, array]:
        """(texts, positions, start offsets, end offsets) of the line's final tokens."""
        found = _LINE_CACHE.get(line)
        if found is None:
            texts, poss, starts, ends = [], array("i"), array("i"), array("i")
            for t in self.chain(line, positions=True, chars=True):
                texts.append(sys.intern(t.text))
                poss.append(t.pos)
                starts.append(t.startchar)
                ends.append(t.endchar)
            if len(_LINE_CACHE) >= _LINE_CACHE_MAX:
                _LINE_CACHE.clear()
            found = _LINE_CACHE[line] = (tuple(texts), poss, starts, ends)
        return found

    def __call__(
        self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
        start_pos=0, start_char=0, mode="", **kwargs,
    ):  # fmt: skip
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        base, offset = start_pos, start_char
        for line in value.splitlines(keepends=True):
            texts, poss, starts, ends = self.line_tokens(line.rstrip("\r\n"))
            for text, pos, start, end in zip(texts, poss, starts, ends, strict=True):
                t.text, t.boost, t.stopped = text, 1.0, False
                if keeporiginal:
                    t.original = line[start:end]
                if positions:
                    t.pos = base + pos
                if chars:
                    t.startchar, t.endchar = offset + start, offset + end
                yield t
            if texts:
                base += poss[-1] + 2
            offset += len(line)


def line_tokens(line: str) -> list[tuple[str, int, int, int]]:
    """The cached final tokens of one line (analyzing it if needed): (text, position, start,
    end), relative to the line.

    >>> line_tokens("担い手確保")
    [('担い手', 0, 0, 3), ('確保', 1, 3, 5)]
    """
    return list(zip(*JapaneseAnalyzer().line_tokens(line), strict=True))


def JapaneseAnalyzer() -> Analyzer:
    """The analyzer for documents and queries alike.

    >>> [t.text for t in JapaneseAnalyzer()("ｻｰﾋﾞｽＢと日常生活")]
    ['サービス', 'b', '日常生活', '日常', '生活']
    """
    return LineCachedAnalyzer(_chain())


class Unit(NamedTuple):
    """One mode C word of a query, with its mode A parts when it is a compound."""

    text: str
    parts: tuple[str, ...]
    surface: str


def units(text: str) -> list[Unit]:
    """Query words as units: what the query builder turns into terms.

    >>> units("熊本県の担い手")
    [Unit(text='熊本県', parts=('熊本', '県'), surface='熊本県'), Unit(text='担い手', parts=(), surface='担い手')]
    """
    out: list[Unit] = []
    for t in _chain()(text, chars=True, keeporiginal=True):
        if t.compound:
            out[-1] = out[-1]._replace(parts=(*out[-1].parts, t.text))
        else:
            out.append(Unit(t.text, (), t.original))
    return out


def normalize_width(text: str) -> str:
    """NFKC (full/half width) and lower case, for comparing spellings.

    >>> normalize_width("ＳＣとｻｰﾋﾞｽ")
    'scとサービス'
    """
    return unicodedata.normalize("NFKC", text).lower()


def surfaces(text: str) -> dict[str, set[str]]:
    """Index-time data for snippets: each indexed term → the spellings it has in `text`.

    >>> sorted(surfaces("たすけあい、ＳＣ")["助け合う"])
    ['たすけあい']
    """
    out: dict[str, set[str]] = {}
    for t in JapaneseAnalyzer()(text, chars=True):
        out.setdefault(t.text, set()).add(text[t.startchar : t.endchar])
    return out
