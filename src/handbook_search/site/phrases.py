"""Japanese phrases (文節) from BudouX: where a line or a shortened text may end.

BudouX (Google's segmenter, the Python package, pinned) splits Japanese text into phrases at
build time; the site uses the boundaries so that words are not cut in the middle. Where a
line may end (``boundaries``) is BudouX checked against Sudachi's words (the search's
analyzer) and the handbook's own names: BudouX alone cuts some short labels inside a word.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import accumulate, pairwise

import budoux

from handbook_search.model.vocab import BUREAUS, PREFECTURES, THEMES
from handbook_search.search.analysis import word_spans

ELLIPSIS = "…"
_SENTENCE_ENDS = "。！？"


@cache
def _parser() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


def phrases(text: str) -> list[str]:
    """The text's phrases, in order; joined they are the text again.

    >>> "".join(phrases("住民主体の移動支援を始めました")) == "住民主体の移動支援を始めました"
    True
    """
    return _parser().parse(text) if text else []


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, 「…」 included: cut after the last whole sentence that
    fits, else after the last whole phrase (BudouX); a first phrase longer than the limit is
    cut where the limit falls.

    >>> shorten("住民が担い手です。移動支援を始めました。", 12)
    '住民が担い手です。…'
    >>> shorten("住民主体の移動支援サービスを町全体で始めました", 16)
    '住民主体の移動支援サービスを…'
    >>> shorten("短い文です。", 20)
    '短い文です。'
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[:room]
    sentence = max(head.rfind(end) for end in _SENTENCE_ENDS)
    if sentence > 0:
        return head[: sentence + 1] + ELLIPSIS
    kept = ""
    for phrase in phrases(text):
        if len(kept) + len(phrase) > room:
            break
        kept += phrase
    return (kept or head) + ELLIPSIS


# Names the handbook defines: never cut inside them (BudouX alone splits 生活支援体｜制整備).
NAMES = (*THEMES.values(), *PREFECTURES, *BUREAUS)
_NAMES = re.compile("|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)))


# A phrase longer than this may also break between its words (the site title is one BudouX
# phrase, 「地域づくり支援ハンドブック」, wider than the sidebar): before a content word, not
# after a prefix, and not between two katakana words (ナレッジ｜ベース is one word to a reader).
LONG_PHRASE = 7
_NOT_BEFORE = ("助詞", "助動詞", "接尾辞", "補助記号", "空白")
_NOT_AFTER = ("接頭辞", "補助記号", "空白")
_KATAKANA = re.compile("[\u30a0-\u30ff]+")


def _word_breaks(text: str, words: list[tuple[int, int, str]]) -> set[int]:
    """Where a long phrase may break between two of its Sudachi words (start, end, pos)."""
    out = set()
    for (l_start, l_end, l_pos), (r_start, r_end, r_pos) in pairwise(words):
        katakana = _KATAKANA.fullmatch(text[l_start:l_end]) and _KATAKANA.fullmatch(
            text[r_start:r_end]
        )
        if r_pos not in _NOT_BEFORE and l_pos not in _NOT_AFTER and not katakana:
            out.add(r_start)
    return out


@lru_cache(maxsize=8192)
def boundaries(text: str) -> tuple[int, ...]:
    """Offsets in ``text`` where a line may end: BudouX's phrase boundaries that are also
    word boundaries of Sudachi (mode C, the search's analyzer), and inside a long phrase
    the boundaries of its words (_word_breaks); never inside a name of the handbook (a
    theme, a 都道府県, a 厚生局).

    >>> boundaries("出雲市（島根県）の住民主体の移動支援")
    (3, 9, 14)
    >>> boundaries("生活支援体制整備")  # BudouX alone: 生活支援体｜制整備
    ()
    >>> boundaries("地域づくり支援ハンドブック ナレッジベースの使い方")
    (2, 5, 7, 22)
    """
    ends = list(accumulate(len(p) for p in phrases(text)))
    if len(text) <= LONG_PHRASE and len(ends) < 2:
        return ()  # one short phrase (自治体, 年度 …): no need to ask Sudachi
    words = list(word_spans(text))
    edges = {edge for start, end, _ in words for edge in (start, end)}
    inside = {i for m in _NAMES.finditer(text) for i in range(m.start() + 1, m.end())}
    cuts = {c for c in ends[:-1] if c in edges}
    for start, end in pairwise([0, *ends]):
        if end - start > LONG_PHRASE:
            cuts |= _word_breaks(text, [w for w in words if start <= w[0] and w[1] <= end])
    return tuple(sorted(c for c in cuts if 0 < c < len(text) and c not in inside))


def utf16_boundaries(text: str) -> list[int]:
    """boundaries() counted in UTF-16 units, as JavaScript counts a string's offsets (what the
    browser's search and the explorer read from their data to place <wbr>).

    >>> boundaries("𠮷田町（島根県）の住民主体の移動支援")
    (3, 9, 14)
    >>> utf16_boundaries("𠮷田町（島根県）の住民主体の移動支援")  # 𠮷: two UTF-16 units
    [4, 10, 15]
    """
    return [len(text[:c].encode("utf-16-le")) // 2 for c in boundaries(text)]


def pieces(text: str) -> list[str]:
    """``text`` cut where a line may end (boundaries).

    >>> pieces("出雲市（島根県）の移動支援")
    ['出雲市', '（島根県）の', '移動支援']
    """
    return [text[a:b] for a, b in pairwise((0, *boundaries(text), len(text)))]
