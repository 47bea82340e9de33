"""事例一覧's case explorer: facets, sort and a tile map over the cases' front matter.

At build time this module writes ``_static/handbook-cases.js`` (one global, loaded with a
<script> tag only by the page that has ``{case-explorer}``, so it works from file:// and needs
no inline script) and gives ``{case-explorer}`` its nodes: a tile map of the 47 prefectures
(coloured by number of cases; each tile is a link ``cases.html?prefecture=…``, so it works as a
shared URL too) and the place where ``_static/handbook-explorer.js`` draws the facets (都道府県 by
厚生局, 年度, テーマ, 支援の型, 人口規模) and the results. Without JavaScript the page still has the
year-by-year list ({case-list}). The page itself does not grow with the corpus: the cases are in
the data file, one row each.

The map is a tile grid, not a drawn map: no shape data of Japan ships with the pinned packages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes

from handbook_search.model.vocab import PREFECTURES, THEMES, wareki

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

# (column, row) of each prefecture on the tile map, roughly where it lies.
TILES: dict[str, tuple[int, int]] = {
    "北海道": (12, 0), "青森県": (12, 1), "秋田県": (11, 2), "岩手県": (12, 2),
    "山形県": (11, 3), "宮城県": (12, 3), "石川県": (9, 4), "富山県": (10, 4),
    "新潟県": (11, 4), "福島県": (12, 4), "島根県": (3, 5), "鳥取県": (4, 5),
    "兵庫県": (5, 5), "京都府": (6, 5), "滋賀県": (7, 5), "福井県": (8, 5),
    "岐阜県": (9, 5), "長野県": (10, 5), "群馬県": (11, 5), "栃木県": (12, 5),
    "山口県": (2, 6), "広島県": (3, 6), "岡山県": (4, 6), "大阪府": (6, 6),
    "奈良県": (7, 6), "三重県": (8, 6), "愛知県": (9, 6), "山梨県": (10, 6),
    "埼玉県": (11, 6), "茨城県": (12, 6), "長崎県": (0, 7), "佐賀県": (1, 7),
    "福岡県": (2, 7), "愛媛県": (3, 7), "香川県": (4, 7), "和歌山県": (6, 7),
    "静岡県": (9, 7), "神奈川県": (10, 7), "東京都": (11, 7), "千葉県": (12, 7),
    "熊本県": (1, 8), "大分県": (2, 8), "高知県": (3, 8), "徳島県": (4, 8),
    "鹿児島県": (1, 9), "宮崎県": (2, 9), "沖縄県": (0, 10),
}  # fmt: skip
assert set(TILES) == set(PREFECTURES) and len(set(TILES.values())) == len(TILES)


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
        summary = m.summary or ""
        if len(summary) > SUMMARY_CHARS:
            summary = summary[: SUMMARY_CHARS - 1] + "…"
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
                "aging_rate": m.aging_rate,
                "size": population_band(m.population),
                "summary": summary,
            }
        )
    order = {name: i for i, name in enumerate(PREFECTURES)}
    return {
        "themes": {str(n): name for n, name in THEMES.items()},
        "bureaus": [[b, sorted(ps, key=order.__getitem__)] for b, ps in bureaus.items()],
        "sizes": [label for _, label in POPULATION_BANDS] + [UNKNOWN],
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


def _level(count: int, most: int) -> int:
    """Colour step 0–4 of a tile (0: no case)."""
    if count == 0:
        return 0
    return 1 + min(3, (count - 1) * 4 // max(most, 1))


def map_nodes(corpus: Corpus, page_uri: str) -> nodes.container:
    """The tile map: one link per prefecture (``page_uri?prefecture=…``) with its case count."""
    counts = {p: 0 for p in PREFECTURES}
    for case in corpus.cases():
        counts[case.meta.prefecture] += 1
    most = max(counts.values())
    box = nodes.container(classes=["handbook-map"])
    box += nodes.rubric("", "地図から選ぶ（タイル地図。数字は事例の件数）")
    tiles = nodes.bullet_list(classes=["handbook-map-tiles"])
    for name in PREFECTURES:
        x, y = TILES[name]
        n = counts[name]
        short = name if name == "北海道" else name[:-1]
        label = f"{short} {n}" if n else short
        classes = [f"hx-x{x}", f"hx-y{y}", f"hx-level{_level(n, most)}"]
        if n:
            link = nodes.reference(
                "", label, refuri=f"{page_uri}?prefecture={name}", reftitle=f"{name}（{n} 件）"
            )
            item = nodes.list_item("", nodes.paragraph("", "", link), classes=classes)
        else:
            item = nodes.list_item("", nodes.paragraph("", label), classes=[*classes, "hx-empty"])
        tiles += item
    box += tiles
    return box
