"""A new case page: valid front matter, the standard headings with a hint under each.

`new_case()` checks what a contributor typed (prefecture, municipality, year, themes), derives
the 厚生局 and the file name, refuses to overwrite a file or to repeat a case, and writes
corpus/cases/<prefecture>-<municipality>-<year>.md. The command line is cli/new.py's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from handbook_search.model.rules import (
    CASE_SECTIONS,
    PLACEHOLDER,  # the validator refuses a page that keeps it
    SLUG,
    expected_case_name,
)
from handbook_search.model.schema import MAX_NAME
from handbook_search.model.vocab import (
    PREFECTURES,
    THEMES,
    bureau_of,
    case_label,
    did_you_mean,
    parse_year,
    wareki,
)

# One line under each standard heading: a MyST comment (`% …`), not shown on the site.
SECTION_HINTS: dict[str, str] = {
    "概要": "3〜5 文で、どんな自治体が、何に悩み、どんな支援を受け、何が変わったかを書きます。",
    "地域の状況": "人口・高齢化率など（出典の数字と時点を添えて）と、地域の特徴を書きます。",
    "支援テーマと課題": "支援のテーマ（出典の言葉のまま）と、取り組む前の課題を書きます。",
    "支援の経過": "現地支援や打合せを、日付（令和N年M月D日）の順に書きます。",
    "主な取組": "実際に行ったことを、具体的に書きます（会議の名前、回数、参加者の立場など）。",
    "成果・気づき": "出典に書かれている成果と気づきだけを書きます（推測で足さないでください）。",
    "今後の展開": "出典に書かれている、次の年度以降の予定を書きます。",
    "関連テーマ": "テーマページへのリンクを置きます（下の例を残し、テーマを合わせてください）。",
    "出典": "ファイル先頭の sources と同じ資料を、タイトル（発行者、日付）の形で挙げます。",
}
assert tuple(SECTION_HINTS) == CASE_SECTIONS

if TYPE_CHECKING:
    from handbook_search.model.corpus import Corpus


class ScaffoldError(ValueError):
    """Input the scaffold cannot use; the message says what to type instead."""


class CaseExists(ScaffoldError):
    """The file, or the same case under another name, is already there."""


@dataclass
class CaseRequest:
    municipality: str
    prefecture: str
    fiscal_year: int
    themes: list[int]
    slug: str


def parse_prefecture(text: str) -> str:
    """長野県, or 長野 (the suffix is added when it makes a prefecture name).

    >>> parse_prefecture("長野"), parse_prefecture("東京都")
    ('長野県', '東京都')
    """
    t = unicodedata.normalize("NFKC", text).strip()
    if t in PREFECTURES:
        return t
    full = [p for p in PREFECTURES if p[:-1] == t or (t == "北海" and p == "北海道")]
    if len(full) == 1:
        return full[0]
    raise ScaffoldError(f"都道府県名が正しくありません: {text}{did_you_mean(t, PREFECTURES)}")


def parse_municipality(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip()
    if not re.fullmatch(r"\S+[市町村区]", t) or len(t) > MAX_NAME:
        raise ScaffoldError(
            f"自治体名は「例示町」のように、市・町・村（東京都の特別区は区）まで書いてください: {text}"
        )
    return t


def parse_fiscal_year(text: str) -> int:
    """The fiscal year as written by people: 2024, ２０２４, R6, 令和6, 令和6年度, 2024年度."""
    try:
        year = parse_year(text)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ScaffoldError(f"年度は 2024、令和6、R6、令和6年度 のように指定してください: {text}")
    return year


def parse_themes(text: str) -> list[int]:
    """'5,6', '５、６', '5 6' → [5, 6] (each 1〜10, once).

    >>> parse_themes("５、６")
    [5, 6]
    """
    parts = [p for p in re.split(r"[,、，\s]+", unicodedata.normalize("NFKC", text)) if p]
    if not parts or not all(p.isdigit() and int(p) in THEMES for p in parts):
        raise ScaffoldError(
            f"テーマは 1〜{len(THEMES)} の番号をカンマで区切って指定してください（例: 5,6）: {text}"
        )
    numbers = [int(p) for p in parts]
    if len(set(numbers)) != len(numbers):
        raise ScaffoldError(f"同じテーマ番号が重複しています: {text}")
    return numbers


def parse_slug(text: str) -> str:
    slug = unicodedata.normalize("NFKC", text).strip().lower()
    if not re.fullmatch(SLUG, slug):
        raise ScaffoldError(
            f"--slug は半角の英小文字・数字・ハイフンで指定してください（例: reiji）: {text}"
        )
    return slug


_KANA_ROWS = """
ア a イ i ウ u エ e オ o カ ka キ ki ク ku ケ ke コ ko ガ ga ギ gi グ gu ゲ ge ゴ go
サ sa シ shi ス su セ se ソ so ザ za ジ ji ズ zu ゼ ze ゾ zo タ ta チ chi ツ tsu テ te ト to
ダ da ヂ ji ヅ zu デ de ド do ナ na ニ ni ヌ nu ネ ne ノ no ハ ha ヒ hi フ fu ヘ he ホ ho
バ ba ビ bi ブ bu ベ be ボ bo パ pa ピ pi プ pu ペ pe ポ po マ ma ミ mi ム mu メ me モ mo
ヤ ya ユ yu ヨ yo ラ ra リ ri ル ru レ re ロ ro ワ wa ヲ o ン n ヴ vu
"""
_KANA = dict(zip(*[iter(_KANA_ROWS.split())] * 2, strict=True))
_SMALL = {"ャ": "a", "ュ": "u", "ョ": "o", "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}


def romaji(kana: str) -> str | None:
    """Hepburn romaji without macrons for a katakana or hiragana reading; None if not kana.

    >>> [romaji(k) for k in ("レイジ", "イズモ", "ミナミオオスミ", "シンジョウ", "みなかみ", "出雲")]
    ['reiji', 'izumo', 'minamiosumi', 'shinjo', 'minakami', None]
    """
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    out, double = "", False
    for c in kana:
        if c == "ッ":
            double = True
            continue
        if c == "ー":
            continue
        if c in _SMALL:
            if not out:
                return None
            if c in "ャュョ" and out[-1] == "i":
                stem = out[:-1]
                out = stem + (_SMALL[c] if stem.endswith(("sh", "ch", "j")) else "y" + _SMALL[c])
            else:
                out = out[:-1] + _SMALL[c]
            continue
        r = _KANA.get(c)
        if r is None:
            return None
        if double:
            r = ("t" if r.startswith("ch") else r[0]) + r
            double = False
        out += r
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        out = out.replace(long, short)
    return out or None


def known_slug(municipality: str, prefecture: str, corpus: Corpus) -> str | None:
    """The municipality part of an existing case file of the same town, if any."""
    for page in corpus.cases():
        m = page.meta
        if (m.prefecture, m.municipality) == (prefecture, municipality):
            parts = re.fullmatch(r"[a-z]+-([a-z0-9-]+)-\d{4}\.md", page.path.name)
            if parts:
                return parts.group(1)
    return None


def reading_slug(municipality: str) -> str | None:
    """Romaji of the dictionary reading of the name without 市/町/村 (Sudachi; may be wrong for
    place names, so the command shows it and --slug overrides it)."""
    from sudachipy import Dictionary, SplitMode

    stem = municipality[:-1]
    tokenizer = Dictionary(dict="core").tokenizer()
    reading = "".join(m.reading_form() for m in tokenizer.tokenize(stem, SplitMode.C))
    slug = romaji(reading)
    return slug if slug and re.fullmatch(r"[a-z0-9]+", slug) else None


def case_path(root: Path, req: CaseRequest) -> Path:
    return Path(root) / "cases" / expected_case_name(req.prefecture, req.slug, req.fiscal_year)


def check_new(corpus: Corpus, req: CaseRequest) -> Path:
    """The path to write; CaseExists when the file or the same case is already there."""
    from handbook_search.model.page import shown_path

    path = case_path(corpus.root, req)
    if path.exists():
        raise CaseExists(f"ファイルがすでにあります（上書きしません）: {shown_path(path)}")
    for page in corpus.cases() + [p for p in corpus.duplicates if p.kind == "case"]:
        m = page.meta
        if (m.prefecture, m.municipality, m.fiscal_year) == (
            req.prefecture,
            req.municipality,
            req.fiscal_year,
        ):
            raise CaseExists(
                f"{req.prefecture}{req.municipality} {wareki(req.fiscal_year)}の事例はすでにあります: "
                f"{shown_path(page.path)}（書き足すときはこのファイルを編集してください）"
            )
    return path


def case_text(req: CaseRequest, corpus: Corpus) -> str:
    """The new page: front matter (valid as written), title, headings with hints."""
    name, pref, year = req.municipality, req.prefecture, req.fiscal_year
    title = f"{case_label(name, pref, year)} ― {PLACEHOLDER}取組を一言で"
    themes = ", ".join(str(n) for n in req.themes)
    lines = [
        "---",
        "kind: case",
        f"title: {title}",
        f"municipality: {name}",
        f"prefecture: {pref}",
        f"bureau: {bureau_of(pref)}",
        f"fiscal_year: {year}",
        f"themes: [{themes}]",
        "# 人口・高齢化率は、出典に数値があるときだけ # を外して書きます（時点も出典のとおりに）",
        "# population: 12345",
        "# population_as_of: 2024-10-31",
        "# aging_rate: 30.5",
        "# aging_rate_as_of: 2024-10-31",
        f"summary: {PLACEHOLDER}一文の要約（例「{name}が〇〇に取り組んだ事例です。」）",
        "sources:",
        f"  - title: {PLACEHOLDER}資料のタイトル",
        f"    publisher: {PLACEHOLDER}発行者（例「{pref}{name} 〇〇課」）",
        f'    date: "{year}"  # 資料の日付。例 2025-03-07、月までなら "2025-03"',
        "---",
        "",
        f"# {title}",
    ]
    for section, hint in SECTION_HINTS.items():
        lines += ["", f"## {section}", "", f"% {hint}"]
        if section == "関連テーマ":
            lines.append("")
            for n in req.themes:
                page = corpus.theme_page(n)
                link = f"[{THEMES[n]}](../{page.relpath})" if page else THEMES[n]
                lines.append(f"- {link}")
        if section == "出典":
            lines += ["", f"- {PLACEHOLDER}資料のタイトル（発行者、令和N年M月D日）"]
    return "\n".join(lines) + "\n"


def new_case(root: Path, req: CaseRequest) -> Path:
    """Write the new case page; refuses to overwrite or to repeat a case (CaseExists)."""
    from handbook_search.model.corpus import load_corpus

    corpus = load_corpus(root)
    path = check_new(corpus, req)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
        f.write(case_text(req, corpus))
    return path
