"""事例一覧's case explorer: the data its facets, sort and results are drawn from.

At build time this module writes ``_static/handbook-cases.js`` (one global, loaded with a
<script> tag only by the page that has ``{case-explorer}``, so it works from file:// and needs
no inline script), from which ``_static/handbook-explorer.js`` draws the facets (都道府県 by
厚生局, 年度, テーマ, 支援の型, 人口規模) and the results. The map and the chart are SVG drawn at
build time (site/charts.py), folded; the script makes them two more buttons of the filter bar
(「地図から選ぶ」), so that the first screen shows the filters and the first cases. Without
JavaScript the page still has the year-by-year list ({case-list}). The page itself does not grow with the corpus: the cases are in the data
file, one row each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from handbook_search.model.schema import as_of
from handbook_search.model.vocab import PREFECTURES, THEMES, wareki
from handbook_search.site.phrases import LONG_PHRASE, shorten, utf16_boundaries

if TYPE_CHECKING:
    from handbook_search.model.corpus import Corpus

DATA_FILE = "handbook-cases.js"
GLOBAL_NAME = "HANDBOOK_CASES"
EXPLORER_ID = "handbook-explorer"
SUMMARY_CHARS = 80  # a card's summary; the case page has the whole text

# 人口規模 bands: (upper bound exclusive or None, label).
POPULATION_BANDS: tuple[tuple[int | None, str], ...] = (
    (10_000, "1万人未満"),
    (50_000, "1万〜5万人未満"),
    (100_000, "5万〜10万人未満"),
    (300_000, "10万〜30万人未満"),
    (None, "30万人以上"),
)
UNKNOWN = "記載なし"


def population_band(population: int | None) -> int:
    """Index into POPULATION_BANDS, or len(POPULATION_BANDS) when the population is unknown.

    >>> [population_band(n) for n in (9_999, 10_000, 172_540, 300_000, None)]
    [0, 1, 3, 4, 5]
    """
    if population is None:
        return len(POPULATION_BANDS)
    return next(
        i for i, (upper, _) in enumerate(POPULATION_BANDS) if upper is None or population < upper
    )


def explorer_data(corpus: Corpus) -> dict:
    """Everything the explorer shows, one row per case (newest year first, north to south)."""
    cases = []
    bureaus: dict[str, list[str]] = {}
    for p in corpus.cases():
        m = p.meta
        bureaus.setdefault(m.bureau, [])
        if m.prefecture not in bureaus[m.bureau]:
            bureaus[m.bureau].append(m.prefecture)
        summary = shorten(m.summary or "", SUMMARY_CHARS)  # at a sentence or phrase end
        cases.append(
            {
                "url": p.url,
                "municipality": m.municipality,
                "prefecture": m.prefecture,
                "bureau": m.bureau,
                "year": m.fiscal_year,
                "wareki": wareki(m.fiscal_year),
                "themes": m.themes,
                "type": m.support_type or UNKNOWN,
                "population": m.population,
                "population_as_of": as_of(m.population_as_of),
                "aging_rate": m.aging_rate,
                "aging_rate_as_of": as_of(m.aging_rate_as_of),
                "size": population_band(m.population),
                "summary": summary,
            }
        )
    order = {name: i for i, name in enumerate(PREFECTURES)}
    return {
        "themes": {str(n): name for n, name in THEMES.items()},
        "bureaus": [[b, sorted(ps, key=order.__getitem__)] for b, ps in bureaus.items()],
        "sizes": [label for _, label in POPULATION_BANDS] + [UNKNOWN],
        "unknown": UNKNOWN,  # an empty value (the table shows 「—」 and says this to screen readers)
        # a 自治体 of at most this many characters stays on one line (a longer one may break)
        "whole_name": LONG_PHRASE,
        # where a 自治体 or 支援の型 may end a line in its cell: between phrases, never in a word
        "breaks": {
            text: b
            for text in sorted({c[key] for c in cases for key in ("municipality", "type")})
            if (b := utf16_boundaries(text))
        },
        "cases": cases,
    }


def write_data(corpus: Corpus, static_dir: Path) -> Path:
    """``static_dir/handbook-cases.js``: ``window.HANDBOOK_CASES = {…};``."""
    target = Path(static_dir) / DATA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(explorer_data(corpus), ensure_ascii=False, separators=(",", ":"))
    target.write_text(
        f"// 事例一覧の絞り込み用データ（handbook_search.site.explorer が生成）\n"
        f"window.{GLOBAL_NAME} = {body};\n",
        encoding="utf-8",
    )
    return target
