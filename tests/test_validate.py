"""`handbook-search validate`: real corpus passes; each kind of bad input gets its message."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES

BAD = FIXTURES / "bad"
MINI = FIXTURES / "mini"


def test_real_corpus_validates(run_cli):
    status, out, err = run_cli("validate")
    assert err == ""
    assert status == 0
    assert "問題はありません" in out


def test_mini_corpus_validates(run_cli):
    status, out, _ = run_cli("validate", "--corpus", MINI)
    assert status == 0, out
    assert out.startswith("2 ファイルを検証しました")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("fiscal-year-wareki.md", ':7: fiscal_year は整数（西暦）で指定してください: "令和6"'),
        (
            "unknown-kind.md",
            ':2: kind が不明です: "report"（theme, case, guide, glossary のいずれか）',
        ),
        ("theme-out-of-range.md", ":4: theme は 1〜10 のテーマ番号（整数）で指定してください: 11"),
        ("missing-sources.md", ":2: sources がありません（事例のページには必須です）"),
        (
            "missing-sources.md",
            ':5: prefecture は都道府県名で指定してください: "東京"（もしかして: 東京都）',
        ),
        ("invalid-yaml.md", ":3: フロントマターの YAML を読めません"),
        ("no-front-matter.md", ":1: フロントマター（先頭の --- で囲まれた YAML）がありません"),
    ],
)
def test_bad_file_gets_file_line_message(run_cli, name, expected):
    status, out, err = run_cli("validate", "--corpus", MINI, f"tests/fixtures/bad/{name}")
    assert status == 2
    assert f"tests/fixtures/bad/{name}{expected}" in err
    assert out == ""


def test_all_bad_files_reported_in_one_run(run_cli):
    status, _, err = run_cli("validate", "--corpus", MINI, BAD)
    assert status == 2
    problems = [line for line in err.splitlines() if ".md:" in line]
    assert len(problems) == 7
    assert err.strip().endswith("6 ファイル中 7 件の問題があります。")


def test_duplicate_case_identity_is_reported_on_both_files(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    copy = corpus / "cases" / "shimane-kakuu-2024-copy.md"
    shutil.copy(corpus / "cases" / "shimane-kakuu-2024.md", copy)
    status, _, err = run_cli("validate", "--corpus", corpus, cwd=tmp_path)
    assert status == 2
    assert (
        "corpus/cases/shimane-kakuu-2024.md:1: 島根県架空町 2024年度の事例が重複しています" in err
    )
    assert (
        "corpus/cases/shimane-kakuu-2024-copy.md:1: 島根県架空町 2024年度の事例が重複しています"
        in err
    )


def test_new_file_duplicating_an_existing_case_is_caught_when_given_alone(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    new = corpus / "cases" / "new.md"
    shutil.copy(corpus / "cases" / "shimane-kakuu-2024.md", new)
    status, _, err = run_cli("validate", "--corpus", corpus, new, cwd=tmp_path)
    assert status == 2
    assert (
        "corpus/cases/new.md:1: 島根県架空町 2024年度の事例が重複しています（ほかに: corpus/cases/shimane-kakuu-2024.md）"
        in err
    )
    assert "shimane-kakuu-2024.md:1" not in err  # only the given file's problems


def test_structure_rules(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    case = corpus / "cases" / "shimane-kakuu-2024.md"
    text = case.read_text(encoding="utf-8")
    text = text.replace("## 今後の展開\n", "## その後\n").replace(
        "../themes/07-life-support-system.md", "../themes/99.md"
    )
    text = text.replace("# 架空町（島根県）令和6年度\n", "# 別の見出し\n", 1)
    case.write_text(text, encoding="utf-8")
    theme = corpus / "themes" / "07-life-support-system.md"
    theme.write_text(
        theme.read_text(encoding="utf-8").replace("```{theme-cases}\n```\n", ""), encoding="utf-8"
    )

    status, _, err = run_cli("validate", "--corpus", corpus, cwd=tmp_path)
    assert status == 2
    assert (
        "corpus/cases/shimane-kakuu-2024.md:15: 見出し「# 別の見出し」が title「架空町（島根県）令和6年度」と一致しません"
        in err
    )
    assert "事例ページに必要な見出しがありません: ## 今後の展開" in err
    assert "リンク先のファイルがありません: ../themes/99.md" in err
    assert (
        "corpus/themes/07-life-support-system.md:7: 事例の一覧を出す ```{theme-cases}``` ディレクティブがありません"
        in err
    )


def test_validate_writes_nothing(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BAD, corpus)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    status, _, _ = run_cli("validate", "--corpus", corpus, cwd=tmp_path)
    assert status == 2
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert before == after


def test_missing_path_is_a_usage_error(run_cli):
    status, _, err = run_cli("validate", "--corpus", MINI, "no/such/file.md")
    assert status == 2
    assert "no/such/file.md:0: ファイルまたはフォルダがありません" in err


def test_unknown_option_is_japanese_usage_error(run_cli):
    status, _, err = run_cli("validate", "--nope")
    assert status == 2
    assert "引数が正しくありません" in err
