"""Front-matter schema: one pydantic model per page kind, and Japanese error messages.

`check_meta(data)` returns the validated model or a list of (loc, message) pairs; the page
model turns loc into a file line.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from handbook_search.model.vocab import (
    BUREAU_OF_PREFECTURE,
    BUREAUS,
    KINDS,
    MUNICIPALITY_SUFFIXES,
    PREFECTURES,
    THEMES,
    did_you_mean,
    parse_year,
    wareki,
)

ThemeNo = Annotated[int, Field(ge=1, le=len(THEMES))]
MAX_NAME = 20  # characters of a municipality's name (the longest real ones have about 8)
MAX_POPULATION = 5_000_000  # more than any municipality: a typo (an extra 0) is caught
Loc = tuple[str | int, ...]


def show(value: Any) -> str:
    """A value as the user wrote it, for error messages (strings quoted)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def partial_date(value: Any) -> dt.date | str:
    """A YAML date, or "YYYY-MM" / "YYYY" when only the month or year is known. Also taken: a
    whole date in quotes ("2024-10-31" → the date) and a bare year (2024 → "2024").

    >>> partial_date("2024-10-31"), partial_date(2024), partial_date("2024-03")
    (datetime.date(2024, 10, 31), '2024', '2024-03')
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        value = str(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):  # 2024-02-30: refused below, as written
            value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date) and not (
        isinstance(value, str) and re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", value)
    ):
        raise PydanticCustomError(
            "partial_date",
            "YYYY-MM-DD、YYYY-MM または YYYY で指定してください: {value}",
            {"value": show(value)},
        )
    return value


# A date as the sources and people write it: 令和6年10月末現在, R6.10.1, 2024年10月31日,
# 2024/10/31, 2024.10 …
_WRITTEN_DATE = re.compile(
    r"(?:(令和|平成|R|H)(\d{1,2}|元)|(\d{4}))[年./]?"
    r"(?:(\d{1,2})[月./]?(?:(\d{1,2})日?|(末))?)?(?:現在|時点)?"
)


def date_hint(value: Any) -> str:
    """How to write a date given as the sources or people write it, or ''.

    >>> date_hint("令和6年10月末現在"), date_hint("R6年4月1日"), date_hint("令和元年")
    ('（2024-10-31 と書いてください）', '（2024-04-01 と書いてください）', '（"2019" と書いてください）')
    >>> date_hint("R6.10.1"), date_hint("2024/10/31"), date_hint("2024年10月")
    ('（2024-10-01 と書いてください）', '（2024-10-31 と書いてください）', '（"2024-10" と書いてください）')
    >>> date_hint("10月末"), date_hint("2024-13")
    ('', '')
    """
    if not isinstance(value, str):
        return ""
    m = _WRITTEN_DATE.fullmatch(unicodedata.normalize("NFKC", value).strip().upper())
    if not m:
        return ""
    era, n, western, month, day, month_end = m.groups()
    year = int(western) if western else parse_year(f"{era}{n}")
    if not month:
        return f'（"{year}" と書いてください）'
    if not 1 <= int(month) <= 12:
        return ""
    if month_end:
        day = calendar.monthrange(year, int(month))[1]
    if not day:
        return f'（"{year}-{int(month):02d}" と書いてください）'
    try:
        return f"（{dt.date(year, int(month), int(day)).isoformat()} と書いてください）"
    except ValueError:
        return ""


def date_label(value: dt.date | str) -> str:
    """A (partial) date as Japanese readers write it.

    >>> date_label(dt.date(2024, 10, 31)), date_label("2024-03"), date_label("2024")
    ('2024年10月31日', '2024年3月', '2024年')
    """
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    year, _, month = value.partition("-")
    return f"{year}年{int(month)}月" if month else f"{year}年"


def percent(value: float) -> str:
    """A rate as the sources write it (no trailing .0).

    >>> percent(30.34), percent(40.0), percent(0)
    ('30.34%', '40%', '0%')
    """
    return f"{value:g}%"


def as_of(value: dt.date | str | None) -> str:
    """'（2024年10月31日時点）' after a figure, or '' when its date is not known."""
    return f"（{date_label(value)}時点）" if value else ""


PartialDate = Annotated[Any, AfterValidator(partial_date)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    title: Annotated[str, Field(min_length=1)]
    publisher: Annotated[str, Field(min_length=1)]
    date: PartialDate
    url: str | None = None  # where the source is published, only when the source gives it

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"'`]+", value):
            raise PydanticCustomError(
                "source_url",
                "http:// または https:// で始まる資料の URL を指定してください: {value}",
                {"value": show(value)},
            )
        return value


class _Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: str
    title: Annotated[str, Field(min_length=1)]
    summary: str | None = None
    sources: list[Source] = []


class ThemeMeta(_Meta):
    kind: Literal["theme"]
    theme: ThemeNo


class CaseMeta(_Meta):
    kind: Literal["case"]
    municipality: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    prefecture: str
    bureau: str
    fiscal_year: Annotated[int, Field(ge=2000, le=2100)]
    themes: Annotated[list[ThemeNo], Field(min_length=1)]
    sources: Annotated[list[Source], Field(min_length=1)]
    support_type: str | None = None
    population: Annotated[int, Field(gt=0, le=MAX_POPULATION)] | None = None
    population_as_of: PartialDate | None = None  # the date the source gives for the figure
    aging_rate: Annotated[float, Field(ge=0, le=100)] | None = None
    aging_rate_as_of: PartialDate | None = None

    @field_validator("prefecture")
    @classmethod
    def _known_prefecture(cls, value: str) -> str:
        if value not in PREFECTURES:
            raise PydanticCustomError(
                "prefecture",
                "prefecture は都道府県名で指定してください: {value}{hint}",
                {"value": show(value), "hint": did_you_mean(value, PREFECTURES)},
            )
        return value

    @field_validator("bureau")
    @classmethod
    def _known_bureau(cls, value: str) -> str:
        if value not in BUREAUS:
            raise PydanticCustomError(
                "bureau",
                "bureau は厚生局名で指定してください: {value}{hint}",
                {"value": show(value), "hint": did_you_mean(value, BUREAUS)},
            )
        return value

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise PydanticCustomError(
                "themes_unique",
                "themes に同じテーマ番号が重複しています: {value}",
                {"value": value},
            )
        return value


class GuideMeta(_Meta):
    kind: Literal["guide"]


class GlossaryMeta(_Meta):
    kind: Literal["glossary"]


Meta = ThemeMeta | CaseMeta | GuideMeta | GlossaryMeta
MODELS: dict[str, type[_Meta]] = {
    "theme": ThemeMeta,
    "case": CaseMeta,
    "guide": GuideMeta,
    "glossary": GlossaryMeta,
}

_INT_HINT = {"fiscal_year": "整数（西暦）", "population": "整数（人）"}


def field_name(loc: Loc) -> str:
    """A field's place as users count it: list items from 1.

    >>> field_name(("themes", 1)), field_name(("sources", 0, "date"))
    ('themes の 2 番目', 'sources の 1 番目の date')
    """
    out = str(loc[0]) if loc else ""
    for part in loc[1:]:
        out += f" の {part + 1} 番目" if isinstance(part, int) else f"の {part}"
    return out


def year_hint(value: Any) -> str:
    """'（2024 と書いてください）' for a year written as 令和6年度, R6, ２０２４ …; else ''."""
    try:
        return f"（{parse_year(value)} と書いてください）" if isinstance(value, str) else ""
    except ValueError:
        return ""


def _message(err: dict[str, Any], kind: str) -> str:
    """A Japanese message for one pydantic error."""
    loc = err["loc"]
    field = field_name(loc)
    top = str(loc[0]) if loc else ""
    typ, value = err["type"], err.get("input")
    if typ == "missing":
        return f"{field} がありません（{KINDS[kind]}のページには必須です）"
    if typ == "extra_forbidden":
        model = MODELS[kind] if len(loc) == 1 else Source
        allowed = ", ".join(model.model_fields)
        return f"{field} は使えないキーです（使えるキー: {allowed}）"
    if top in ("theme", "themes") and typ.startswith(("int", "greater", "less")):
        return f"{field} は 1〜{len(THEMES)} のテーマ番号（整数）で指定してください: {show(value)}"
    if top == "population" and typ == "less_than_equal":
        return (
            f"population が市町村の人口として大きすぎます（{MAX_POPULATION:,} 以下）: {show(value)}"
        )
    if typ == "string_too_long":
        return f"{field} が長すぎます（{err['ctx']['max_length']} 文字まで）: {show(value)}"
    if typ.startswith("int_") or (
        typ in ("greater_than_equal", "less_than_equal") and top in _INT_HINT
    ):
        what = _INT_HINT.get(top, "整数")
        if top == "fiscal_year" and isinstance(value, int):
            return f"fiscal_year は西暦の年で指定してください（令和6年度 → 2024）: {show(value)}"
        hint = year_hint(value) if top == "fiscal_year" else ""
        return f"{field} は{what}で指定してください: {show(value)}{hint}"
    if typ in ("float_type", "float_parsing"):
        return f"{field} は数値で指定してください: {show(value)}"
    if typ == "string_type":
        return f"{field} は文字列で指定してください: {show(value)}"
    if typ == "string_too_short":
        return f"{field} が空です"
    if typ == "list_type":
        return f"{field} はリストで指定してください（例: [7]）: {show(value)}"
    if typ == "too_short":
        return f"{field} には 1 つ以上の項目が必要です"
    if typ in ("model_type", "dict_type"):
        return f"{field} は title, publisher, date を持つ項目で指定してください: {show(value)}"
    if typ == "partial_date":
        return f"{field} は {err['msg']}{date_hint(value)}"
    if typ == "source_url":
        return f"{field} は{err['msg']}"
    if typ in ("prefecture", "bureau", "themes_unique"):
        return err["msg"]
    if typ in ("greater_than", "greater_than_equal", "less_than_equal"):
        return f"{field} の値が範囲外です: {show(value)}"
    return f"{field} の値が正しくありません: {show(value)}（{err['msg']}）"


def _iso(value: Any) -> str | None:
    """A (partial) date as ISO text, or None when it is not one (its own message says so)."""
    try:
        return str(partial_date(value))
    except PydanticCustomError:
        return None


def _newest_source(data: dict[str, Any]) -> str | None:
    sources = data.get("sources")
    dates = (
        [_iso(s.get("date")) for s in sources if isinstance(s, dict)]
        if isinstance(sources, list)
        else []
    )
    dates = [d for d in dates if d]
    return max(dates) if dates else None


def _after(date: str | None, newest: str) -> bool:
    """Whether `date` is surely later than `newest` (both ISO, either may be partial).

    >>> _after("2025-04", "2025-03-07"), _after("2025", "2025-03-07"), _after("2024-10-31", "2025")
    (True, False, False)
    """
    if not date:
        return False
    n = min(len(date), len(newest))
    return date[:n] > newest[:n]


_YEAR_IN_TITLE = re.compile(r"(?:令和|平成|R|H)(?:\d{1,2}|元)年度?|\d{4}年度")


def case_consistency(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """What must agree between a case's fields: 厚生局 and prefecture, title and municipality,
    title and fiscal year. Runs on the raw front matter, so it speaks even when other fields
    are wrong; a field with a bad value is left to its own message."""
    out: list[tuple[Loc, str]] = []
    pref, bureau = data.get("prefecture"), data.get("bureau")
    expected = BUREAU_OF_PREFECTURE.get(pref) if isinstance(pref, str) else None
    if expected and isinstance(bureau, str) and bureau in BUREAUS and bureau != expected:
        out.append(
            (
                ("bureau",),
                f"bureau「{bureau}」は{pref}の担当ではありません。"
                f"{pref}の厚生局は「{expected}」です",
            )
        )
    newest = _newest_source(data)
    for figure, example in (("population", "2024-10-31"), ("aging_rate", "2024-10")):
        has_figure = data.get(figure) is not None
        has_date = data.get(f"{figure}_as_of") is not None
        when = _iso(data.get(f"{figure}_as_of"))
        if has_figure and not has_date:
            msg = (
                f"{figure}_as_of がありません: {figure} には出典にある時点を添えてください"
                f"（例: {figure}_as_of: {example}。出典に時点がなければ {figure} は書きません）"
            )
            out.append(((figure,), msg))
        elif has_date and not has_figure:
            msg = f"{figure}_as_of は {figure} と一緒に書きます（{figure} がありません）"
            out.append(((f"{figure}_as_of",), msg))
        elif has_date and newest and _after(when, newest):
            msg = (
                f"{figure}_as_of {when} が、いちばん新しい出典の日付 "
                f"{newest} より後です（数値の時点は出典に書かれているとおりにします）"
            )
            out.append(((f"{figure}_as_of",), msg))
    title, name = data.get("title"), data.get("municipality")
    if not isinstance(title, str) or not title:
        return out
    title_n = unicodedata.normalize("NFKC", title)
    if isinstance(name, str) and name:
        stem, suffix = name[:-1], name[-1]
        if name not in title_n:
            other = next(
                (
                    stem + s
                    for s in MUNICIPALITY_SUFFIXES
                    if s != suffix and stem and stem + s in title_n
                ),
                None,
            )
            if suffix in MUNICIPALITY_SUFFIXES and other:
                msg = (
                    f"municipality「{name}」と title の「{other}」で市・町・村が違います"
                    "（どちらかに合わせてください）"
                )
                out.append((("municipality",), msg))
            else:
                where = pref if pref in PREFECTURES else "都道府県"
                msg = f"title に自治体名「{name}」がありません（例: {name}（{where}）令和6年度 ― 取組）"
                out.append((("title",), msg))
    year = data.get("fiscal_year")
    if isinstance(year, int) and not isinstance(year, bool):
        for written in _YEAR_IN_TITLE.findall(title_n):
            try:
                said = parse_year(written)
            except ValueError:
                continue
            if said != year:
                msg = (
                    f"title の年度「{written}」が fiscal_year {year}（{wareki(year)}）と"
                    "一致しません"
                )
                out.append((("title",), msg))
                break
    return out


def check_meta(data: Any) -> tuple[Meta | None, list[tuple[Loc, str]]]:
    """Validate front matter. Returns (model, problems): the model is None when a field is
    wrong; a valid model can still come with problems of consistency between fields."""
    if not isinstance(data, dict):
        return None, [((), "フロントマターは「キー: 値」の形式で書いてください")]
    kind = data.get("kind")
    if kind is None:
        return None, [((), "kind がありません（theme, case, glossary, guide のいずれか）")]
    if kind not in MODELS:
        choices = ", ".join(MODELS)
        return None, [(("kind",), f"kind が不明です: {show(kind)}（{choices} のいずれか）")]
    extra = case_consistency(data) if kind == "case" else []
    try:
        return MODELS[kind].model_validate(data), extra
    except ValidationError as exc:
        errors = [(err["loc"], _message(err, kind)) for err in exc.errors(include_url=False)]
        return None, errors + extra
