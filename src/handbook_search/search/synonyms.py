"""Query-time synonyms and spelling variants from corpus/dictionary.yml.

The dictionary is the one list of the project: textlint (textlint-rule-prh) reads its ``rules``
to flag non-preferred spellings in pages, and search reads the same file to expand a query:

- ``rules``: prh rules. The preferred ``expected`` and its plain-string ``patterns`` find each
  other; ``/regex/`` patterns are for the lint only, and ``search: [...]`` names the words a
  regex stands for. ``search: false`` keeps a rule out of search (lint only).
- ``synonyms``: search only (abbreviations, official and informal names: SC ⇔
  生活支援コーディネーター), never flagged in pages. Groups sharing a word are merged into one.
- ``local_names``: search only and one way: a town's name for a body (出雲市の高齢者あんしん支援
  センター) also finds the general name (地域包括支援センター), not the reverse. They come last and
  unmerged, and a word expands to its first group only, so the general name keeps its own group.
 Members are analyzed with the same analyzer as the
index, so a match is made on analyzed units: たすけあい (→ 助け合う) and 助け合い meet even though
Sudachi gives them different normalized forms. The analyzed table is cached next to the index,
keyed by the file's hash, so a cold search does not analyze every member again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from handbook_search.model import safety
from handbook_search.model.safety import MAX_GROUP
from handbook_search.search.analysis import units

Key = tuple[str, ...]


class Synonyms:
    def __init__(self, groups: list[list[Key]]):
        self.groups = groups
        self.lookup: dict[Key, int] = {}
        for i, group in enumerate(groups):
            for key in group:
                self.lookup.setdefault(key, i)
        self.longest = max((len(k) for k in self.lookup), default=0)

    @classmethod
    def empty(cls) -> Synonyms:
        return cls([])

    def match(self, keys: list[str], at: int) -> tuple[int, list[Key]] | None:
        """The longest member starting at keys[at]: (its length, every member of its group)."""
        for n in range(min(self.longest, len(keys) - at), 0, -1):
            group = self.lookup.get(tuple(keys[at : at + n]))
            if group is not None:
                return n, self.groups[group]
        return None


def analyze_groups(raw: list[list[str]]) -> list[list[Key]]:
    groups = []
    for members in raw:
        keys = []
        for word in members:
            key = tuple(u.text for u in units(str(word)))
            if key and key not in keys:
                keys.append(key)
        if len(keys) > 1:
            groups.append(keys)
    return groups


def _rule_words(rule: dict) -> list[str]:
    """The words a prh rule makes equivalent for search (none when it is lint only)."""
    from handbook_search.model.dictionary import is_regex  # pydantic: only on a cache miss

    search = rule.get("search", True)
    if search is False:
        return []
    patterns = rule.get("patterns", rule.get("pattern", []))
    patterns = [patterns] if isinstance(patterns, str) else list(patterns or [])
    expected = str(rule.get("expected", ""))
    words = [expected] if expected and "$" not in expected else []
    words += [str(p) for p in patterns if not is_regex(str(p))]
    if isinstance(search, list):
        words += [str(w) for w in search]
    return words


def merge(groups: list[list[str]]) -> list[list[str]]:
    """Groups that share a word become one, where the first of them stands (duplicates dropped)."""
    merged: list[list[str]] = []
    for group in groups:
        words = list(dict.fromkeys(group))
        hits = [m for m in merged if any(w in m for w in words)]
        if not hits:
            merged.append(words)
            continue
        first = hits[0]
        for other in [*hits[1:], words]:
            first.extend(w for w in other if w not in first)
        merged[:] = [m for m in merged if m is first or all(m is not h for h in hits)]
    return merged


def _read(path: Path) -> dict:
    import yaml

    text, found = safety.read_text(path)  # a regular file, within the page size limit
    if text is None:
        raise ValueError(f"{path}: {found[0][1]}")
    try:
        data = safety.load_yaml(text)[0] or {}  # no aliases, bounded depth
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: YAML として読めません: {e}") from e
    return data if isinstance(data, dict) else {"rules": None}


def entries(path: Path) -> list[tuple[str, list[str], str]]:
    """(preferred, other spellings, how they are used) of every entry, for the glossary's table."""
    from handbook_search.model.dictionary import is_regex

    data = _read(path)
    read_groups(path)  # the same checks
    rows = []
    for rule in data.get("rules") or []:
        patterns = rule.get("patterns", rule.get("pattern", []))
        patterns = [patterns] if isinstance(patterns, str) else list(patterns or [])
        search = rule.get("search")
        words = [str(p) for p in patterns if not is_regex(str(p))]
        words += [str(w) for w in search] if isinstance(search, list) else []
        words = [w for w in dict.fromkeys(words) if w != rule["expected"] and "$" not in w]
        expected = str(rule["expected"])
        if "$" in expected and words:  # a regex rule: its search words name it
            expected, words = words[0], words[1:]
        kind = "直す表記（検索では同じ語）" if search is not False else "直す表記"
        rows.append((expected, words, kind))
    for group in data.get("synonyms") or []:
        rows.append((str(group[0]), [str(w) for w in group[1:]], "略語・別名（検索で同じ語）"))
    for e in data.get("local_names") or []:
        where = f"{e['where']}での呼び方" if e.get("where") else "自治体での呼び方"
        rows.append((str(e["name"]), [str(w) for w in e["local"]], where))
    return rows


def read_groups(path: Path) -> list[list[str]]:
    """The search groups of the dictionary (ValueError with a Japanese message when malformed)."""
    data = _read(path)
    rules = data.get("rules", [])
    synonyms = data.get("synonyms", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ValueError(f"{path}: rules: の下に expected と patterns の組を並べてください")
    if not isinstance(synonyms, list) or not all(isinstance(g, list) for g in synonyms):
        raise ValueError(f"{path}: synonyms: の下に語のリストを並べてください")
    local = data.get("local_names", []) or []
    if not isinstance(local, list) or not all(
        isinstance(e, dict) and e.get("name") and isinstance(e.get("local"), list) for e in local
    ):
        raise ValueError(
            f"{path}: local_names: の下に name と local（語のリスト）の組を並べてください"
        )
    groups = [_rule_words(rule) for rule in rules]
    groups += [[str(w) for w in group] for group in synonyms]
    one_way = [[*map(str, e["local"]), str(e["name"])] for e in local]
    # bounded expansion whatever the file says (validate reports a group over the limit)
    return [g[:MAX_GROUP] for g in merge([g for g in groups if len(g) > 1]) + one_way]


def load(path: Path, cache_dir: Path | None) -> Synonyms:
    """Analyzed synonym groups of `path`, cached in `cache_dir` by content hash."""
    try:
        raw = path.read_bytes()
    except OSError:
        return Synonyms.empty()
    digest = hashlib.sha1(raw).hexdigest()
    cache = cache_dir / "synonyms.json" if cache_dir else None
    if cache is not None:
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached.get("sha1") == digest:
                return Synonyms([[tuple(k) for k in g[:MAX_GROUP]] for g in cached["groups"]])
        except (OSError, ValueError, KeyError):
            pass
    groups = analyze_groups(read_groups(path))
    if cache is not None:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(
                json.dumps({"sha1": digest, "groups": groups}, ensure_ascii=False), encoding="utf-8"
            )
            os.replace(tmp, cache)
        except OSError:  # a read-only index folder: searching still works
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return Synonyms(groups)
