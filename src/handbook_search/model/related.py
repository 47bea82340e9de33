"""Related cases: for every case, the few others that share its themes, prefecture or bureau.

Computed once for the whole corpus (the site build asks once, not once per page): a score is
added up per key (each shared theme 2, the same prefecture 2, the same bureau 1) from the lists
of cases per theme, prefecture and bureau, and only the best `limit` become `Related` entries, so
what a page shows stays small however large the corpus grows.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

from handbook_search.model.page import Page

LIMIT = 5
WEIGHTS = {"theme": 2, "prefecture": 2, "bureau": 1}


@dataclass(frozen=True)
class Related:
    page: Page
    themes: tuple[int, ...]  # the themes both cases have
    same_prefecture: bool
    same_bureau: bool


def _keys(page: Page) -> list[tuple[str, object]]:
    m = page.meta
    return [("theme", n) for n in m.themes] + [("prefecture", m.prefecture), ("bureau", m.bureau)]


def related_cases(cases: list[Page], limit: int = LIMIT) -> dict[str, list[Related]]:
    """docname → up to `limit` related cases, best first (then the newer, then by position)."""
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(cases):
        for key in _keys(p):
            by_key[key].append(i)
    out: dict[str, list[Related]] = {}
    for i, p in enumerate(cases):
        score: Counter[int] = Counter()
        for key in _keys(p):
            weight = WEIGHTS[key[0]]
            for j in by_key[key]:
                score[j] += weight
        score.pop(i, None)
        best = heapq.nlargest(limit, score, key=lambda j: (score[j], cases[j].meta.fiscal_year, -j))
        m = p.meta
        out[p.docname] = [
            Related(
                cases[j],
                tuple(n for n in m.themes if n in cases[j].meta.themes),
                cases[j].meta.prefecture == m.prefecture,
                cases[j].meta.bureau == m.bureau,
            )
            for j in best
        ]
    return out
