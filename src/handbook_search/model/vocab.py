"""Fixed vocabularies of the handbook: themes, prefectures, regional bureaus, Japanese eras.

Pure data and tiny helpers, no imports beyond the standard library, so that every part
(page model, CLI filters, search) can use them without start-up cost.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

# The handbook's own numbering of its 10 themes (地域づくり支援ハンドブック 各論).
THEMES: dict[int, str] = {
    1: "介護予防ケアマネジメント",
    2: "民間活用サービス",
    3: "住民主体サービス",
    4: "短期集中予防サービス",
    5: "移動支援サービス",
    6: "通いの場",
    7: "生活支援体制整備",
    8: "認知症施策",
    9: "地域ケア会議",
    10: "他省庁との連動",
}

KINDS: dict[str, str] = {
    "theme": "テーマ",
    "case": "事例",
    "glossary": "用語集",
    "guide": "解説",
}

# In JIS X 0401 order, so lists sort north to south.
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
    "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
    "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
    "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
    "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
    "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip

# 地方厚生（支）局: the eight bureaus that run the 厚生局主導型 support.
BUREAUS: tuple[str, ...] = (
    "北海道厚生局",
    "東北厚生局",
    "関東信越厚生局",
    "東海北陸厚生局",
    "近畿厚生局",
    "中国四国厚生局",
    "四国厚生支局",
    "九州厚生局",
)


# Romaji of each prefecture, without the 都/道/府/県 suffix, for ASCII file names.
PREFECTURE_ROMAJI: dict[str, str] = dict(zip(PREFECTURES, (
    "hokkaido", "aomori", "iwate", "miyagi", "akita", "yamagata", "fukushima",
    "ibaraki", "tochigi", "gunma", "saitama", "chiba", "tokyo", "kanagawa",
    "niigata", "toyama", "ishikawa", "fukui", "yamanashi", "nagano", "gifu",
    "shizuoka", "aichi", "mie", "shiga", "kyoto", "osaka", "hyogo",
    "nara", "wakayama", "tottori", "shimane", "okayama", "hiroshima", "yamaguchi",
    "tokushima", "kagawa", "ehime", "kochi", "fukuoka", "saga", "nagasaki",
    "kumamoto", "oita", "miyazaki", "kagoshima", "okinawa",
), strict=True))  # fmt: skip

# Which 地方厚生（支）局 covers which prefecture (the 厚生局名 / 都道府県名 columns of the
# 加速化事業's list of target municipalities agree: 福井県 → 近畿, 徳島県・香川県・高知県 → 四国).
_PREFECTURES_OF_BUREAU: dict[str, tuple[str, ...]] = {
    "北海道厚生局": PREFECTURES[:1],
    "東北厚生局": PREFECTURES[1:7],
    "関東信越厚生局": PREFECTURES[7:15] + PREFECTURES[18:20],
    "東海北陸厚生局": PREFECTURES[15:17] + PREFECTURES[20:24],
    "近畿厚生局": PREFECTURES[17:18] + PREFECTURES[24:30],
    "中国四国厚生局": PREFECTURES[30:35],
    "四国厚生支局": PREFECTURES[35:39],
    "九州厚生局": PREFECTURES[39:],
}
BUREAU_OF_PREFECTURE: dict[str, str] = {
    p: b for b, ps in _PREFECTURES_OF_BUREAU.items() for p in ps
}

MUNICIPALITY_SUFFIXES = ("市", "町", "村")


def bureau_of(prefecture: str) -> str:
    """The 厚生局 that covers a prefecture.

    >>> bureau_of("長野県"), bureau_of("福井県"), bureau_of("高知県")
    ('関東信越厚生局', '近畿厚生局', '四国厚生支局')
    """
    return BUREAU_OF_PREFECTURE[prefecture]


def prefecture_order(name: str | None) -> int:
    """Sort key for prefectures (JIS order; unknown last)."""
    try:
        return PREFECTURES.index(name or "")
    except ValueError:
        return len(PREFECTURES)


def wareki(year: int) -> str:
    """The Japanese era name of a fiscal year that starts in the Western `year`.

    >>> wareki(2024)
    '令和6年度'
    >>> wareki(2019)
    '令和元年度'
    >>> wareki(2018)
    '平成30年度'
    """
    if year >= 2019:
        era, n = "令和", year - 2018
    elif year >= 1989:
        era, n = "平成", year - 1988
    else:
        return f"{year}年度"
    return f"{era}{'元' if n == 1 else n}年度"


def did_you_mean(value: str, choices: tuple[str, ...] | list[str]) -> str:
    """'（もしかして: 東京都）' for the closest choice, or '' when nothing is close."""
    prefixed = [c for c in choices if c.startswith(value)] if value else []
    close = prefixed or difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    return f"（もしかして: {close[0]}）" if close else ""


def case_label(municipality: str, prefecture: str, year: int) -> str:
    """How lists, links and running heads name a case.

    >>> case_label("出雲市", "島根県", 2024)
    '出雲市（島根県）令和6年度'
    """
    return f"{municipality}（{prefecture}）{wareki(year)}"


def parse_year(text: str) -> int:
    """2024, ２０２４, 2024年度, 令和6, 令和6年度, R6, 令和元年度, 平成30 → the Western year;
    ValueError for anything else.

    >>> [parse_year(t) for t in ("2024", "令和6年度", "R6", "令和元", "H30", "２０２４年度")]
    [2024, 2024, 2024, 2019, 2018, 2024]
    """
    t = unicodedata.normalize("NFKC", str(text)).strip().upper()
    m = re.fullmatch(r"(\d{4})(年度?)?", t)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(令和|R|平成|H)(\d{1,2}|元)(年度?)?", t)
    if m:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return n + (2018 if m.group(1) in ("令和", "R") else 1988)
    raise ValueError(text)
