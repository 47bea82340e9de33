"""The spelling and synonym dictionary (corpus/dictionary.yml) as input to check: it arrives by
pull request like a page, and textlint (prh) and search both read it.

`dictionary_problems` reads it with the bounded YAML loader (no aliases, bounded depth), checks
the prh format with pydantic, and the limits that keep lint and search fast whatever the file
says: words per group, characters per word, regex patterns only of a shape without
catastrophic backtracking, no word listed twice or both corrected and preferred.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from handbook_search.model import safety
from handbook_search.model.page import Problem, loc_line, yaml_error
from handbook_search.model.safety import MAX_GROUP

# The longest word is 24 characters (a body's full name).
MAX_WORD = 40
# A regex longer than this is not a spelling rule.
MAX_REGEX = 100

Word = Annotated[str, Field(min_length=1, max_length=MAX_WORD)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Spec(_Strict):
    from_: str = Field(alias="from")
    to: str


class Rule(_Strict):
    expected: Annotated[str, Field(min_length=1, max_length=MAX_WORD)]
    patterns: Word | Annotated[list[Word], Field(min_length=1, max_length=MAX_GROUP)]
    search: bool | Annotated[list[Word], Field(max_length=MAX_GROUP)] = True
    specs: list[Spec] = []
    options: dict[str, bool] = {}


class LocalName(_Strict):
    name: Word
    local: Annotated[list[Word], Field(min_length=1, max_length=MAX_GROUP)]
    where: str | None = None


class Dictionary(_Strict):
    version: int = 1
    rules: list[Rule] = []
    synonyms: list[Annotated[list[Word], Field(min_length=2, max_length=MAX_GROUP)]] = []
    local_names: list[LocalName] = []


def is_regex(pattern: str) -> bool:
    """A prh pattern written as /regex/flags."""
    return len(pattern) > 1 and pattern.startswith("/") and pattern.rstrip("gimsuy").endswith("/")


# A group that repeats (+, *, {n,}) and itself holds a repetition or an alternative: (a+)+,
# (a|a)*, (\w*)+ … backtrack exponentially on a line that almost matches.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*|}](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,)")


def regex_problem(pattern: str) -> str | None:
    """Why a /regex/ pattern may not be in the dictionary (None when it may)."""
    body = pattern[1 : pattern.rstrip("gimsuy").rindex("/")]
    if len(body) > MAX_REGEX:
        return f"正規表現が長すぎます（{len(body)} 文字、上限 {MAX_REGEX} 文字）"
    if _NESTED_REPEAT.search(body) or re.search(r"\\[1-9]", body):
        return (
            "繰り返しの中に繰り返しや「|」がある正規表現（(a+)+ など）と後方参照は使えません"
            f"（照合に時間がかかりすぎることがあります）: {pattern}"
        )
    try:
        re.compile(body)
    except re.error as exc:
        return f"正規表現として読めません（{exc.msg}）: {pattern}"
    return None


def _message(err: dict) -> str:
    where = " の ".join(str(p + 1) + " 番目" if isinstance(p, int) else str(p) for p in err["loc"])
    typ = err["type"]
    if typ == "string_too_long":
        return f"{where}: 語が長すぎます（上限 {MAX_WORD} 文字）: {str(err['input'])[:50]}…"
    if typ == "too_long":
        return f"{where}: 語が多すぎます（1 つのグループは {MAX_GROUP} 語まで。検索で広げる語の数です）"
    if typ == "extra_forbidden":
        return f"{where}: このキーは辞書では使えません"
    if typ == "missing":
        return f"{where} がありません"
    return f"{where}: 値が正しくありません（{err['msg']}）"


def dictionary_problems(path: Path, shown: str) -> list[Problem]:
    """Everything wrong with the dictionary at `path`, at its file and line."""
    import yaml

    text, found = safety.read_text(path)
    if text is None:
        return [Problem(shown, line, msg) for line, msg in found]
    try:
        data, node = safety.load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return [Problem(shown, line, f"辞書の YAML を読めません: {yaml_error(exc)}")]
    data = {} if data is None else data
    if not isinstance(data, dict):
        return [Problem(shown, 1, "辞書は rules: と synonyms: などのキーで書いてください")]
    strings = safety.front_matter_problems(data, node, 1)  # invisible characters, HTML
    try:
        Dictionary.model_validate(data)
    except ValidationError as exc:
        errors = [(err["loc"], _message(err)) for err in exc.errors(include_url=False)]
        problems = [Problem(shown, loc_line(node, loc, 1), msg) for loc, msg in errors]
        return sorted({*problems, *(Problem(shown, line, msg) for line, msg in strings)})
    problems = [Problem(shown, line, msg) for line, msg in strings]
    expected: dict[str, tuple] = {}
    corrected: dict[str, tuple] = {}
    for i, rule in enumerate(data.get("rules") or []):
        patterns = rule["patterns"] if isinstance(rule["patterns"], list) else [rule["patterns"]]
        expected.setdefault(rule["expected"], ("rules", i, "expected"))
        for pattern in patterns:
            loc = ("rules", i, "patterns")
            if is_regex(pattern):
                msg = regex_problem(pattern)
                if msg:
                    problems.append(Problem(shown, loc_line(node, loc, 1), msg))
            elif pattern in corrected:
                first = loc_line(node, corrected[pattern], 1)
                msg = (
                    f"表記 {pattern} は {first} 行目の項目にもあります（1 か所にまとめてください）"
                )
                problems.append(Problem(shown, loc_line(node, loc, 1), msg))
            else:
                corrected[pattern] = loc
    for word, loc in corrected.items():
        if word in expected:
            msg = (
                f"{word} を直す項目と、{word} に直す項目（{loc_line(node, expected[word], 1)} 行目）"
                "があります。どちらかにしてください"
            )
            problems.append(Problem(shown, loc_line(node, loc, 1), msg))
    for i, group in enumerate(data.get("synonyms") or []):
        twice = sorted({w for w in group if group.count(w) > 1})
        if twice:
            msg = f"同じ語が 2 回あります: {'、'.join(twice)}"
            problems.append(Problem(shown, loc_line(node, ("synonyms", i), 1), msg))
    return sorted(set(problems))
