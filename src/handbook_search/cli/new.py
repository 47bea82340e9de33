"""`handbook-search new case`: asks for (or takes from options) what a new case page needs and
writes it with model/scaffold.py; prints the next steps of a contribution."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from handbook_search.cli.common import EXIT_OK, UsageError, default_corpus

FIELDS = (  # option, question, example
    ("municipality", "自治体名（市・町・村まで）", "例示町"),
    ("prefecture", "都道府県", "長野県"),
    ("year", "年度", "令和6、R6、2024"),
    ("themes", "テーマ番号（カンマ区切り。1 介護予防ケアマネジメント … 10 他省庁との連動）", "5,6"),
)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "new",
        help="新しい事例ページのひな形を作ります（new case）",
        description="新しい事例ページのひな形を corpus/cases/ に作ります。"
        "足りない項目は、端末から実行したときは質問します。"
        "同じ自治体・年度の事例やファイルがすでにあるときは何も書かずに終了コード 2 で終わります。",
    )
    p.add_argument("what", choices=["case"], help="作るページの種類（いまは case のみ）")
    p.add_argument("--municipality", help="自治体名（例: 例示町）")
    p.add_argument("--prefecture", help="都道府県（例: 長野県）")
    p.add_argument("--year", help="年度（例: 令和6、令和6年度、R6、2024、2024年度）")
    p.add_argument("--themes", help="テーマ番号（例: 5,6）")
    p.add_argument(
        "--slug",
        help="ファイル名に使う自治体名のローマ字（例: reiji）。既定: 既存の事例か辞書の読み",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="コーパスのフォルダ。既定: $HANDBOOK_CORPUS または ./corpus",
    )
    p.set_defaults(func=cmd_new)


def _ask(question: str, example: str, parse: Callable, default: str | None = None):
    """Ask on the terminal until the answer parses."""
    from handbook_search.model.scaffold import ScaffoldError

    while True:
        hint = f"［{default}］" if default else f"（例: {example}）"
        try:
            answer = input(f"{question}{hint}: ").strip() or (default or "")
        except EOFError:
            raise UsageError("入力が終わりました。") from None
        try:
            return parse(answer)
        except ScaffoldError as exc:
            print(f"  {exc}", file=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from handbook_search.model import scaffold as sc
    from handbook_search.model.corpus import load_corpus
    from handbook_search.model.page import shown_path

    root = Path(args.corpus or default_corpus())
    if not root.is_dir():
        raise UsageError(f"コーパスのフォルダがありません: {root}")
    parsers = {
        "municipality": sc.parse_municipality,
        "prefecture": sc.parse_prefecture,
        "year": sc.parse_fiscal_year,
        "themes": sc.parse_themes,
    }
    interactive = sys.stdin.isatty()
    missing = [f"--{name}" for name, _, _ in FIELDS if not getattr(args, name)]
    if missing and not interactive:
        raise UsageError(
            f"{'、'.join(missing)} を指定してください（端末から実行すると質問に答えて入力できます）。"
            "例: handbook-search new case --municipality 例示町 --prefecture 長野県 "
            "--year 令和6 --themes 5,6"
        )
    values = {}
    try:
        for name, question, example in FIELDS:
            given = getattr(args, name)
            if given:
                values[name] = parsers[name](given)
            else:
                values[name] = _ask(question, example, parsers[name])
        corpus = load_corpus(root)
        slug, guessed = args.slug and sc.parse_slug(args.slug), False
        if not slug:
            slug = sc.known_slug(values["municipality"], values["prefecture"], corpus)
        if not slug:
            slug, guessed = sc.reading_slug(values["municipality"]), True
        if missing and (guessed or not slug):  # a session of questions: confirm the reading
            question = "ファイル名に使う自治体名のローマ字（半角英小文字）"
            slug, guessed = _ask(question, "reiji", sc.parse_slug, default=slug), False
        if not slug:
            raise UsageError(
                f"「{values['municipality']}」の読みが分かりません。--slug でローマ字を指定してください（例: --slug reiji）"
            )
        request = sc.CaseRequest(
            values["municipality"], values["prefecture"], values["year"], values["themes"], slug
        )
        path = sc.new_case(root, request)
    except sc.ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    shown = shown_path(path)
    print(f"事例のひな形を作りました: {shown}")
    if guessed:
        print(
            f"  ファイル名の「{slug}」は辞書の読みから作りました。違うときはファイル名を直すか、"
            "ファイルを消して --slug を付けて作り直してください。"
        )
    print(
        f"""
次の手順:
  1. {shown} を開き、「{sc.PLACEHOLDER}」の所と、各見出しの下を書きます。
     % で始まる行は書き方のヒントで、サイトには表示されません（消してもかまいません）。
     数字・日付・名称は出典にあるものだけを書きます（CONTRIBUTING.md の「書き方のルール」）。
  2. 確かめる:           .venv/bin/handbook-search validate {shown}
  3. サイトで見る:       make serve（保存するたびに http://127.0.0.1:8000/ が更新されます）
  4. コミットする:       git add {shown} && git commit -m "事例を追加: {request.municipality}（{request.prefecture}）"
  5. プルリクエストを作り、テンプレートの確認項目にチェックを入れます。"""
    )
    return EXIT_OK
