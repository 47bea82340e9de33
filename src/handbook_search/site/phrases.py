"""Japanese phrases (文節) from BudouX: where a line or a shortened text may end.

BudouX (Google's segmenter, the Python package, pinned) splits Japanese text into phrases at
build time; the site uses the boundaries so that words are not cut in the middle.
"""

from __future__ import annotations

from functools import cache

import budoux

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
