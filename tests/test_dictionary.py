"""The one spelling dictionary (corpus/dictionary.yml): read by textlint-rule-prh and by search."""

from __future__ import annotations

import shutil
import time
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


# -- the dictionary as input (issue 22) -------------------------------------------------------
HOSTILE = Path(__file__).parent / "fixtures" / "attacks" / "dictionary"


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("alias-bomb", 2, "YAML の別名（& と * で同じ値を繰り返す書き方）は使えません"),
        ("deep", 1, "YAML の入れ子が深すぎます（上限 50 階層）"),
        ("huge-group", 2, "語が多すぎます（1 つのグループは 20 語まで"),
        ("catastrophic-regex", 3, "繰り返しの中に繰り返しや「|」がある正規表現"),
        ("catastrophic-regex", 5, "/(x|xx)*y/"),
        ("conflict", 10, "語が長すぎます（上限 40 文字）"),
        ("conflict", 8, "見えない文字（U+200B）は使えません"),
    ],
)
def test_validate_checks_the_dictionary(run_cli, tmp_path, name, line, message):
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "corpus")
    shutil.copy(HOSTILE / f"{name}.yml", tmp_path / "corpus" / SYNONYMS_FILE)
    start = time.perf_counter()
    status, _, err = run_cli("validate", "--corpus", tmp_path / "corpus", cwd=tmp_path)
    assert time.perf_counter() - start < 60
    assert status == 2, err
    assert any(
        x.startswith(f"corpus/{SYNONYMS_FILE}:{line}: ") and message in x for x in err.splitlines()
    ), err


def test_duplicate_and_conflicting_entries_are_reported(tmp_path: Path):
    from handbook_search.model.dictionary import dictionary_problems

    path = tmp_path / SYNONYMS_FILE
    path.write_text(
        "rules:\n"
        "  - {expected: 仕組み, patterns: [しくみ]}\n"
        "  - {expected: しくみ, patterns: [仕組]}\n"
        "  - {expected: 仕組み, patterns: [しくみ]}\n"
        "synonyms:\n  - [SC, SC]\n",
        encoding="utf-8",
    )
    found = [str(p) for p in dictionary_problems(path, "d.yml")]
    assert any("d.yml:4: 表記 しくみ は 2 行目の項目にもあります" in p for p in found), found
    assert any("d.yml:2: しくみ を直す項目と、しくみ に直す項目（3 行目）" in p for p in found), (
        found
    )
    assert any("d.yml:6: 同じ語が 2 回あります: SC" in p for p in found), found


def test_search_expands_a_huge_group_in_bounded_time(run_cli, tmp_path):
    from handbook_search.model.dictionary import MAX_GROUP

    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "corpus")
    shutil.copy(HOSTILE / "huge-group.yml", tmp_path / "corpus" / SYNONYMS_FILE)
    assert all(len(g) <= MAX_GROUP for g in read_groups(tmp_path / "corpus" / SYNONYMS_FILE))
    start = time.perf_counter()
    status, _, err = run_cli(
        "search", "語17", "--corpus", tmp_path / "corpus", "--index", tmp_path / "i"
    )
    assert status == 0, err
    assert time.perf_counter() - start < 30  # ≈ 1 s with the index build; 8–12 s before the cap
