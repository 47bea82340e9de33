"""The `handbook-search` command line.

Start-up time matters (a search is one process), so this module imports only argparse at the
top; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as a Japanese message, exit status 2."""


def default_corpus() -> Path:
    """$HANDBOOK_CORPUS, else ./corpus, else the corpus of the checkout this package lives in."""
    env = os.environ.get("HANDBOOK_CORPUS")
    if env:
        return Path(env)
    here = Path.cwd() / "corpus"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "corpus"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors, in Japanese, exit 2
        self.print_usage(sys.stderr)
        raise UsageError(f"引数が正しくありません: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="handbook-search",
        description="地域づくり支援ハンドブックのページを検証・検索します。",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="コーパス（Markdown ページ）のフォルダ。既定: $HANDBOOK_CORPUS または ./corpus",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="ページのフロントマターと構成を検証します",
        description="ページのフロントマターと構成を検証します。問題があれば「ファイル:行: 内容」で"
        "一つずつ表示し、終了コード 2 で終わります。何も書き込みません。",
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="検証するファイルまたはフォルダ（既定: コーパス全体）",
    )
    p.set_defaults(func=cmd_validate)
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    from .rules import validate_paths

    root = args.corpus or default_corpus()
    paths = args.paths or [root]
    if not args.paths and not Path(root).is_dir():
        raise UsageError(f"コーパスのフォルダがありません: {root}")
    count, problems = validate_paths(paths, root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{count} ファイル中 {len(problems)} 件の問題があります。", file=sys.stderr)
        return EXIT_USAGE
    print(f"{count} ファイルを検証しました。問題はありません。")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return args.func(args)
    except UsageError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
