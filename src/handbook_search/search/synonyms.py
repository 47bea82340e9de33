"""Query-time synonyms and spelling variants from corpus/synonyms.yaml.

Each group lists words that should find each other (SC ⇔ 生活支援コーディネーター,
たすけあい ⇔ 助け合い …). Members are analyzed with the same analyzer as the index, so a match is
made on analyzed units: たすけあい (→ 助け合う) and 助け合い meet even though Sudachi gives them
different normalized forms. The analyzed table is cached next to the index, keyed by the
file's hash, so a cold search does not analyze every member again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

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


def read_groups(path: Path) -> list[list[str]]:
    """The raw groups of a synonyms file (ValueError with a Japanese message when malformed)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise ValueError(f"{path}: groups: の下に語のリストを並べてください")
    return groups


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
                return Synonyms([[tuple(k) for k in g] for g in cached["groups"]])
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
