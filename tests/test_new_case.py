"""`handbook-search new case`: a valid page with the standard headings, or a clear refusal."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from handbook_search.model.page import parse_page
from handbook_search.model.rules import CASE_SECTIONS, PLACEHOLDER
from handbook_search.model.scaffold import parse_fiscal_year, romaji
from handbook_search.model.validate import validate_paths

ARGS = ["--municipality", "例示町", "--prefecture", "長野県", "--year", "令和6", "--themes", "5,6"]


@pytest.fixture
def corpus(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return tmp_path / "corpus"


def test_writes_a_valid_page_with_the_standard_headings(run_cli, corpus):
    status, out, err = run_cli("new", "case", *ARGS, cwd=corpus.parent)
    assert (status, err) == (0, "")
    path = corpus / "cases" / "nagano-reiji-2024.md"
    assert out.startswith("事例のひな形を作りました: corpus/cases/nagano-reiji-2024.md\n")
    assert "handbook-search validate corpus/cases/nagano-reiji-2024.md" in out
    assert "make serve" in out and "git commit" in out and "プルリクエスト" in out

    page, problems = parse_page(path, corpus)
    assert problems == []  # the front matter is valid as written
    m = page.meta
    assert (m.municipality, m.prefecture, m.bureau) == ("例示町", "長野県", "関東信越厚生局")
    assert (m.fiscal_year, m.themes) == (2024, [5, 6])
    assert page.title.startswith("例示町（長野県）令和6年度 ― ")
    assert [s.title for s in page.sections if s.level == 2] == list(CASE_SECTIONS)
    lines = path.read_text(encoding="utf-8").splitlines()
    for name in CASE_SECTIONS:  # a hint under each heading, as a MyST comment
        assert lines[lines.index(f"## {name}") + 2].startswith("% ")
    assert "% " not in page.text  # hints do not reach the site or the index
    assert "- [移動支援サービス](../themes/05-mobility-support.md)" in lines

    # what is left to write is exactly what validate reports
    _, problems = validate_paths([path], corpus)
    assert problems and all(PLACEHOLDER in p.message for p in problems)


@pytest.mark.parametrize("text", ["2024", "２０２４", "R6", "令和6", "令和6年度", "2024年度"])
def test_year_as_people_write_it(text):
    assert parse_fiscal_year(text) == 2024


def test_refuses_to_overwrite_or_repeat_a_case(run_cli, corpus):
    assert run_cli("new", "case", *ARGS, cwd=corpus.parent)[0] == 0
    path = corpus / "cases" / "nagano-reiji-2024.md"
    path.write_text(path.read_text(encoding="utf-8") + "書きかけ\n", encoding="utf-8")
    before = path.read_bytes()
    status, out, err = run_cli("new", "case", *ARGS, cwd=corpus.parent)
    assert status == 2 and out == ""
    assert "ファイルがすでにあります（上書きしません）: corpus/cases/nagano-reiji-2024.md" in err
    status, _, err = run_cli("new", "case", *ARGS, "--slug", "other", cwd=corpus.parent)
    assert status == 2
    assert "長野県例示町 令和6年度の事例はすでにあります: corpus/cases/nagano-reiji-2024.md" in err
    assert not (corpus / "cases" / "nagano-other-2024.md").exists()
    assert path.read_bytes() == before


def test_existing_town_keeps_its_file_name(run_cli, corpus):
    # a town the corpus has (出雲市 today), in a year it has no case of that town yet
    from handbook_search.model.corpus import load_corpus

    town = load_corpus(corpus).cases()[0]
    m = town.meta
    year = 1 + max(p.meta.fiscal_year for p in load_corpus(corpus).cases()
                   if p.meta.municipality == m.municipality)  # fmt: skip
    short = m.prefecture if m.prefecture == "北海道" else m.prefecture[:-1]  # 島根 for 島根県
    args = ["--municipality", m.municipality, "--prefecture", short,
            "--year", f"R{year - 2018}", "--themes", "7"]  # fmt: skip
    status, out, _ = run_cli("new", "case", *args, cwd=corpus.parent)
    assert status == 0
    expected = f"corpus/cases/{town.path.stem.rsplit('-', 1)[0]}-{year}.md"
    assert expected in out and "辞書の読み" not in out


@pytest.mark.parametrize(
    "args, message",
    [
        (ARGS[:6], "--themes を指定してください（端末から実行すると質問に答えて入力できます）"),
        (
            [*ARGS[:6], "--themes", "5,11"],
            "テーマは 1〜10 の番号をカンマで区切って指定してください",
        ),
        ([*ARGS[:4], "--year", "昭和50", *ARGS[6:]], "年度は 2024、令和6、R6、令和6年度 のように"),
        (
            ["--prefecture", "長野", "--municipality", "例示", *ARGS[4:]],
            "自治体名は「例示町」のように",
        ),
        ([*ARGS[:2], "--prefecture", "ながの", *ARGS[4:]], "都道府県名が正しくありません: ながの"),
        ([*ARGS, "--slug", "例示"], "--slug は半角の英小文字・数字・ハイフンで指定してください"),
    ],
)
def test_bad_input_is_a_usage_error(run_cli, corpus, args, message):
    before = sorted((corpus / "cases").iterdir())
    status, _, err = run_cli("new", "case", *args, cwd=corpus.parent)
    assert status == 2
    assert message in err
    assert sorted((corpus / "cases").iterdir()) == before  # nothing written


def test_interactive_mode_asks_for_what_is_missing(run_cli, corpus, monkeypatch):
    answers = iter(["長野県", "令和６年度", "11", "5、6", "reiji-machi"])
    asked = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda q: asked.append(q) or next(answers))
    status, out, err = run_cli("new", "case", "--municipality", "例示町", cwd=corpus.parent)
    assert status == 0, err
    assert [q.split("（")[0].split("［")[0] for q in asked] == [
        "都道府県", "年度", "テーマ番号", "テーマ番号", "ファイル名に使う自治体名のローマ字",
    ]  # fmt: skip
    assert "［reiji］" in asked[-1]  # the dictionary's reading is offered
    assert "テーマは 1〜10 の番号" in err  # a wrong answer is asked again
    assert (corpus / "cases" / "nagano-reiji-machi-2024.md").is_file()


def test_romaji_of_readings():
    assert [romaji(k) for k in ("キョウト", "シャリ", "ハッポウ", "マッチャ")] == [
        "kyoto", "shari", "happo", "matcha",
    ]  # fmt: skip
