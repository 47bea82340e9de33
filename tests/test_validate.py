"""`handbook-search validate`: real corpus passes; each kind of bad input gets its message."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES
from handbook_search.model.corpus import load_corpus
from handbook_search.model.validate import validate_paths

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


# Every file of tests/fixtures/bad/ and exactly the problems it must get (after "path").
EXPECTED = {
    "fiscal-year-wareki.md": [
        ':7: fiscal_year は整数（西暦）で指定してください: "令和6"（2024 と書いてください）'
    ],
    "unknown-kind.md": [':2: kind が不明です: "report"（theme, case, guide, glossary のいずれか）'],
    "theme-out-of-range.md": [":4: theme は 1〜10 のテーマ番号（整数）で指定してください: 11"],
    "missing-sources.md": [
        ":2: sources がありません（事例のページには必須です）",
        ':5: prefecture は都道府県名で指定してください: "東京"（もしかして: 東京都）',
    ],
    "invalid-yaml.md": [":3: フロントマターの YAML を読めません: 「[」に対応する「]」がありません"],
    "no-front-matter.md": [":1: フロントマター（先頭の --- で囲まれた YAML）がありません"],
    # contributors' mistakes
    "nagano-wrong-bureau-2024.md": [
        ":6: bureau「九州厚生局」は長野県の担当ではありません。長野県の厚生局は「関東信越厚生局」です"
    ],
    "nagano-missing-heading-2024.md": [
        ":29: 事例ページに必要な見出しがありません: ## 支援の経過（「## 支援テーマと課題」と「## 主な取組」の間に置いてください）"
    ],
    "nagano-heading-order-2024.md": [
        ":33: 見出し「## 支援の経過」の位置が違います（「## 支援テーマと課題」の後に移してください）"
    ],
    "reiji-2024.md": [
        ":1: 事例のファイル名は <都道府県>-<自治体>-<年度>.md の形にします（半角英小文字・数字・-）: nagano-reiji-2024.md にしてください"
    ],
    "nagano-reiji-2023.md": [
        ":1: ファイル名の年度 2023 が fiscal_year 2024 と一致しません: nagano-reiji-2024.md にしてください"
    ],
    "nagano-fiscal-year-r6-2024.md": [
        ':7: fiscal_year は整数（西暦）で指定してください: "R6"（2024 と書いてください）'
    ],
    "nagano-title-year-2024.md": [
        ":3: title の年度「令和5年度」が fiscal_year 2024（令和6年度）と一致しません"
    ],
    "nagano-title-town-2024.md": [
        ":3: title に自治体名「例示七町」がありません（例: 例示七町（長野県）令和6年度 ― 取組）"
    ],
    "nagano-town-suffix-2024.md": [
        ":4: municipality「例示九市」と title の「例示九町」で市・町・村が違います（どちらかに合わせてください）"
    ],
    "yaml-tab.md": [
        ":4: フロントマターの YAML を読めません: タブ文字は使えません。空白で字下げしてください"
    ],
    "unclosed-front-matter.md": [
        ":1: フロントマターが閉じていません（YAML の終わりに --- だけの行を置いてください）"
    ],
    "nagano-second-theme-2024.md": [
        ":8: themes の 2 番目 は 1〜10 のテーマ番号（整数）で指定してください: 11"
    ],
    "nagano-figure-date-2024.md": [
        ":9: population_as_of がありません: population には出典にある時点を添えてください（例: population_as_of: 2024-10-31。出典に時点がなければ population は書きません）",
        ":10: aging_rate_as_of は aging_rate と一緒に書きます（aging_rate がありません）",
    ],
    "nagano-figure-wareki-2024.md": [
        ':10: population_as_of は YYYY-MM-DD、YYYY-MM または YYYY で指定してください: "2024-13"',
        ':12: aging_rate_as_of は YYYY-MM-DD、YYYY-MM または YYYY で指定してください: "令和6年10月末"（2024-10-31 と書いてください）',
    ],
    "nagano-figure-limits-2024.md": [
        ":9: population が市町村の人口として大きすぎます（5,000,000 以下）: 12345678",
        ":10: population_as_of 2026-01-01 が、いちばん新しい出典の日付 2025-03-07 より後です（数値の時点は出典に書かれているとおりにします）",
        ":12: aging_rate_as_of 2025-04 が、いちばん新しい出典の日付 2025-03-07 より後です（数値の時点は出典に書かれているとおりにします）",
    ],
    "nagano-long-name-2024.md": [
        ':4: municipality が長すぎます（20 文字まで）: "例示の町名がとても長くて二十文字を超えてしまう町"'
    ],
    "nagano-missing-image-2024.md": [
        ":21: 参照しているファイルがありません: img/map.png",
        ":23: 参照しているファイルがありません: files/report.pdf",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gets_exactly_its_file_line_messages(run_cli, name):
    status, out, err = run_cli("validate", "--corpus", MINI, f"tests/fixtures/bad/{name}")
    assert status == 2
    problems = [line for line in err.splitlines() if ".md:" in line]
    assert problems == [f"tests/fixtures/bad/{name}{e}" for e in EXPECTED[name]]
    assert out == ""


def test_every_bad_fixture_is_tested_and_all_are_reported_in_one_run(run_cli):
    assert sorted(p.name for p in BAD.glob("*.md")) == sorted(EXPECTED)
    status, _, err = run_cli("validate", "--corpus", MINI, BAD)
    assert status == 2
    problems = [line for line in err.splitlines() if ".md:" in line]
    assert len(problems) == sum(len(e) for e in EXPECTED.values())
    assert err.strip().endswith(f"{len(EXPECTED)} ファイル中 {len(problems)} 件の問題があります。")


@pytest.mark.parametrize("written", ["令和6年度", "R6", "２０２４", "2024年度"])
def test_fiscal_year_as_people_write_it_gets_the_value_to_write(tmp_path, written):
    page = BAD / "nagano-fiscal-year-r6-2024.md"
    copy = tmp_path / page.name
    copy.write_text(
        page.read_text(encoding="utf-8").replace("fiscal_year: R6", f"fiscal_year: {written}"),
        encoding="utf-8",
    )
    _, problems = validate_paths([copy], MINI)
    assert [p.message for p in problems] == [
        f'fiscal_year は整数（西暦）で指定してください: "{written}"（2024 と書いてください）'
    ]


def test_problems_are_github_annotations_under_actions(run_cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    name = "tests/fixtures/bad/nagano-wrong-bureau-2024.md"
    status, out, err = run_cli("validate", "--corpus", MINI, name)
    assert status == 2
    assert out.splitlines() == [
        f"::error file={name},line=6,title=handbook-search validate::"
        "bureau「九州厚生局」は長野県の担当ではありません。長野県の厚生局は「関東信越厚生局」です"
    ]
    assert f"{name}:6: bureau「九州厚生局」" in err  # the readable line stays
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert run_cli("validate", "--corpus", MINI, name)[1] == ""


def test_duplicate_case_names_the_other_file_once_and_is_left_out(run_cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI, corpus)
    copy = corpus / "cases" / "shimane-kakuu-2024-copy.md"
    shutil.copy(corpus / "cases" / "shimane-kakuu-2024.md", copy)
    status, _, err = run_cli("validate", "--corpus", corpus, cwd=tmp_path)
    assert status == 2
    first, second = "corpus/cases/shimane-kakuu-2024-copy.md", "corpus/cases/shimane-kakuu-2024.md"
    assert f"{first}:1: 島根県架空町 2024年度の事例が重複しています（ほかに: {second}）\n" in err
    assert (
        f"{second}:1: 島根県架空町 2024年度の事例が重複しています（ほかに: {first}）。"
        "このファイルは索引と一覧に入れません\n" in err
    )
    assert err.count(f"（ほかに: {first}") == 1 and err.count(f"（ほかに: {second}") == 1

    loaded = load_corpus(corpus)  # what the site and its search index are made from
    assert [p.relpath for p in loaded.cases()] == ["cases/shimane-kakuu-2024-copy.md"]
    assert [p.relpath for p in loaded.duplicates] == ["cases/shimane-kakuu-2024.md"]
    status, out, _ = run_cli("search", "担い手", "--kind", "case", "--json", "--corpus", corpus,
                             "--index", tmp_path / "ix", cwd=tmp_path)  # fmt: skip
    assert [r["path"] for r in json.loads(out)["results"]] == ["cases/shimane-kakuu-2024-copy.md"]


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
    assert (
        "事例ページに必要な見出しがありません: ## 今後の展開（「## 成果・気づき」と「## 関連テーマ」の間に置いてください）"
        in err
    )
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
