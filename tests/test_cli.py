"""`handbook-search show`, `list`, `index` and the shorthand, as a user runs them."""

from __future__ import annotations

import io

from conftest import ROOT
from handbook_search.cli.render import Progress
from handbook_search.model.corpus import load_corpus


def test_show_by_municipality_without_suffix(run_cli):
    status, out, _ = run_cli("show", "出雲")
    assert status == 0
    assert out.startswith("出雲市（島根県）令和6年度")
    assert "事例 ｜ 出雲市・島根県・令和6年度（2024）" in out
    assert "\n## 支援の経過\n" in out
    assert "```" not in out and "{term}" not in out  # readable text, not Markdown source


def test_show_by_theme_number_and_by_path(run_cli):
    status, out, _ = run_cli("show", "7")
    assert status == 0 and out.startswith("生活支援体制整備\n")
    status, out2, _ = run_cli("show", "corpus/themes/07-life-support-system.md")
    assert status == 0 and out2 == out


def test_show_refuses_files_outside_the_corpus(run_cli):
    status, _, err = run_cli("show", "README.md")
    assert status == 2
    assert "の外のファイルは表示できません" in err
    status, _, err = run_cli("show", "../shared/design.md")
    assert status == 2


def test_show_unknown_name_suggests(run_cli):
    status, _, err = run_cli("show", "出雲町")
    assert status == 2
    assert "（もしかして: 出雲市）" in err


def test_list_cases(run_cli):
    status, out, _ = run_cli("list", "--kind", "case")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["種別", "テーマ", "自治体", "都道府県", "年度", "タイトル", "パス"]
    rows = [line for line in lines[2:] if line.startswith("事例")]
    cases = load_corpus(ROOT / "corpus").cases()  # newest first, then north to south
    assert len(rows) == len(cases)
    assert all(p.meta.municipality in row for p, row in zip(cases, rows, strict=True))
    assert out.rstrip().endswith(f"{len(cases)} ページ")


def test_list_all_pages(run_cli):
    status, out, _ = run_cli("list")
    assert status == 0
    assert out.rstrip().endswith(f"{len(list((ROOT / 'corpus').rglob('*.md')))} ページ")


def test_index_then_up_to_date(run_cli, tmp_path):
    status, out, _ = run_cli("index", "--index", tmp_path / "ix")
    pages = len(load_corpus(ROOT / "corpus").pages)
    assert status == 0 and out.startswith(f"索引を作成しました: {pages} ページ")
    status, out, _ = run_cli("index", "--index", tmp_path / "ix")
    assert status == 0 and out.strip() == "索引は最新です。"


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress("索引を作成中", stream)
        bar(1, 2)
        bar(2, 2)
    assert "\r索引を作成中 [###############               ] 1/2" in tty.getvalue()
    assert tty.getvalue().endswith("2/2\n")
    assert pipe.getvalue() == ""


def test_no_command_prints_help(run_cli):
    status, out, _ = run_cli()
    assert status == 2
    assert "handbook-search" in out


def test_search_results_name_the_themes(run_cli):
    """「テーマ 7 生活支援体制整備、2 …」, not bare numbers."""
    from handbook_search.model.vocab import THEMES

    case = load_corpus(ROOT / "corpus").cases()[0]
    status, out, _ = run_cli("search", case.meta.municipality, "--kind", "case", "--no-color")
    assert status == 0
    named = "、".join(f"{n} {THEMES[n]}" for n in case.meta.themes)
    assert f"テーマ {named}" in out
