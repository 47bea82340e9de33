"""The one spelling dictionary (corpus/dictionary.yml): read by textlint-rule-prh and by search."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from handbook_search.model.corpus import SYNONYMS_FILE
from handbook_search.search.synonyms import Synonyms, analyze_groups, read_groups

DICTIONARY = ROOT / "corpus" / SYNONYMS_FILE


def group_of(groups: list[list[str]], word: str) -> list[str]:
    return next(g for g in groups if word in g)


def test_lint_variants_abbreviations_and_local_names_reach_search():
    groups = read_groups(DICTIONARY)
    assert "たすけあい団体" in group_of(groups, "たすけあい活動団体")  # rules: lint + search
    assert "コーディネータ" in group_of(groups, "コーディネーター")  # a regex rule's search words
    assert "SC" in group_of(groups, "生活支援コーディネーター")  # synonyms: search only
    assert not any(w.startswith("/") for g in groups for w in g)  # no regex in search


def test_a_local_name_finds_the_general_one_not_the_reverse():
    synonyms = Synonyms(analyze_groups(read_groups(DICTIONARY)))

    def expands(word: str) -> set[tuple[str, ...]]:
        key = analyze_groups([[word, word + "x"]])[0][0]
        found = synonyms.match(list(key), 0)
        return set(found[1]) if found else set()

    general = analyze_groups([["地域包括支援センター", "x"]])[0][0]
    local = analyze_groups([["高齢者あんしん支援センター", "x"]])[0][0]
    assert general in expands("高齢者あんしん支援センター")
    assert local not in expands("地域包括支援センター")


def test_lint_only_rules_stay_out_of_search(tmp_path: Path):
    path = tmp_path / SYNONYMS_FILE
    path.write_text(
        "rules:\n"
        "  - {expected: 下さい, patterns: [ください], search: false}\n"
        "  - {expected: 分か$1, patterns: '/わか([らりるれろっ])/'}\n"
        "synonyms:\n  - [SC, 生活支援コーディネーター]\n",
        encoding="utf-8",
    )
    assert read_groups(path) == [["SC", "生活支援コーディネーター"]]


def test_a_malformed_dictionary_says_so_in_japanese(tmp_path: Path):
    path = tmp_path / SYNONYMS_FILE
    path.write_text("synonyms: SC\n", encoding="utf-8")
    with pytest.raises(ValueError, match="synonyms: の下に語のリスト"):
        read_groups(path)
