"""The `handbook-search` command line.

Start-up time matters (a search is one process), so this module imports only argparse at the
top; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from handbook_search.cli.common import (  # noqa: F401 (the CLI's public names)
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    default_corpus,
    default_index,
    is_snapshot,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors, in Japanese, exit 2
        self.print_usage(sys.stderr)
        raise UsageError(f"引数が正しくありません: {message}")


def site_dir(corpus: Path) -> Path | str:
    """The built site next to the corpus; for an installed snapshot, the published site."""
    if is_snapshot(corpus):
        from handbook_search.model.project import site_url

        return site_url()
    return corpus.resolve().parent / "build" / "html"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="handbook-search",
        description="地域づくり支援ハンドブックのページを検索・表示・検証します。"
        "「handbook-search 担い手確保」のように、コマンド名を省くと search になります。",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="コーパス（Markdown ページ）のフォルダ。既定: $HANDBOOK_CORPUS または ./corpus",
    )
    with_index = argparse.ArgumentParser(add_help=False)
    with_index.add_argument(
        "--index",
        type=Path,
        default=None,
        help="索引のフォルダ。既定: $HANDBOOK_INDEX またはコーパスの隣の build/index"
        "（インストール版ではユーザーのキャッシュフォルダ）",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "search",
        parents=[common, with_index],
        help="ページを検索します（既定のコマンド）",
        description="ページを検索します。空白で区切った語はすべて含むページ（AND）を探し、"
        "見つからなければいずれかを含むページ（OR）を表示します。"
        '"引用符" で囲むとフレーズ、-語 でその語を含むページを除外します。'
        "索引が古ければ自動で更新します。",
    )
    p.add_argument("words", nargs="*", metavar="QUERY", help="検索語")
    p.add_argument(
        "--kind",
        help="種別で絞り込み: theme（テーマ）, case（事例）, glossary（用語集）, guide（解説）",
    )
    p.add_argument("--theme", help="テーマ番号（1〜10）で絞り込み")
    p.add_argument("--prefecture", help="都道府県で絞り込み（例: 島根県）")
    p.add_argument("--year", help="年度で絞り込み（例: 2024、令和6、R6）")
    p.add_argument("--limit", default="10", help="表示する件数（1〜100、既定 10）")
    p.add_argument("--json", action="store_true", help="結果を JSON で出力します")
    p.add_argument(
        "--no-color", action="store_true", help="色を付けません（パイプ先では常に【】で強調）"
    )
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "index",
        parents=[common, with_index],
        help="検索用の索引を作ります",
        description="検索用の索引を作ります。変更のあったページだけを更新し、--rebuild で作り直します。"
        "作成中に中断しても、それまでの索引はそのまま使えます。",
    )
    p.add_argument("--rebuild", action="store_true", help="索引をはじめから作り直します")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser(
        "show",
        parents=[common],
        help="ページを読みやすいテキストで表示します",
        description="ページを読みやすいテキストで表示します。ファイルのパス、自治体名（例: 出雲市、出雲）"
        "またはテーマ番号（1〜10）で指定します。",
    )
    p.add_argument("target", metavar="PATH|自治体|テーマ番号")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "list",
        parents=[common],
        help="ページの一覧を表示します",
        description="ページの一覧を、種別・テーマ・自治体・年度とともに表示します。",
    )
    p.add_argument(
        "--kind",
        help="種別で絞り込み: theme（テーマ）, case（事例）, glossary（用語集）, guide（解説）",
    )
    p.set_defaults(func=cmd_list)

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

    from handbook_search.cli import new

    new.add_parser(sub)
    return parser


def _corpus(args) -> Path:
    root = args.corpus or default_corpus()
    if not Path(root).is_dir():
        raise UsageError(f"コーパスのフォルダがありません: {root}")
    return Path(root)


def _engine(args):
    from handbook_search.search.engine import Engine

    root = _corpus(args)
    return Engine(args.index or default_index(root), root), root


def parse_year(text: str) -> int:
    """A year as users type it (2024, 令和6, R6 …), or a usage error."""
    from handbook_search.model.vocab import parse_year as parse

    try:
        return parse(text)
    except ValueError:
        raise UsageError(f"年度は 2024、令和6、R6 のように指定してください: {text}") from None


def parse_kind(value: str) -> str:
    """theme / case / glossary / guide, or their Japanese names (テーマ, 事例, 用語集, 解説)."""
    from handbook_search.model.vocab import KINDS

    kind = {label: k for k, label in KINDS.items()}.get(value, value)
    if kind not in KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in KINDS.items())
        raise UsageError(f"--kind は {choices} のいずれかです: {value}")
    return kind


def parse_filters(args):
    from handbook_search.model.vocab import PREFECTURES, THEMES, did_you_mean
    from handbook_search.search.engine import Filters

    filters = Filters()
    if args.kind:
        filters.kind = parse_kind(args.kind)
    if args.theme:
        try:
            theme = int(args.theme)
        except ValueError:
            theme = 0
        if theme not in THEMES:
            raise UsageError(
                f"--theme はテーマ番号 1〜{len(THEMES)} で指定してください: {args.theme}"
            )
        filters.theme = theme
    if args.prefecture:
        if args.prefecture not in PREFECTURES:
            hint = did_you_mean(args.prefecture, PREFECTURES)
            raise UsageError(
                f"--prefecture の都道府県名が正しくありません: {args.prefecture}{hint}"
            )
        filters.prefecture = args.prefecture
    if args.year:
        filters.year = parse_year(args.year)
    return filters


def _limit(text: str) -> int:
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise UsageError(f"--limit は 1〜100 の整数で指定してください: {text}")
    return limit


def cmd_search(args: argparse.Namespace) -> int:
    from handbook_search.cli import render
    from handbook_search.search.engine import QueryError

    query = " ".join(args.words).strip()
    filters = parse_filters(args)
    limit = _limit(args.limit)
    engine, root = _engine(args)
    if not query:
        raise UsageError("検索語を入力してください（例: handbook-search 担い手確保）")
    try:
        result = engine.query(query, filters, limit)
    except QueryError as exc:
        raise UsageError(str(exc)) from exc
    for notice in result.notices:
        print(render.clean(f"お知らせ: {notice}"), file=sys.stderr)
    if args.json:
        print(render.result_json(result, site_dir(root)))
    else:
        color = not args.no_color and render.use_color(sys.stdout)
        if result.hits:
            print(render.result_text(result, site_dir(root), color, root))
        else:
            print(render.clean(no_hits_message(query, filters)))
    return EXIT_OK


def no_hits_message(query: str, filters) -> str:
    lines = [f"「{query}」に一致するページは見つかりませんでした。"]
    if any(vars(filters).values()):
        lines.append("・絞り込み（--kind, --theme, --prefecture, --year）を外してみてください。")
    lines.append(
        "・語を短くするか、別の言い方（例: 担い手 → ボランティア、SC → 生活支援コーディネーター）を試してください。"
    )
    lines.append("・ページの一覧は handbook-search list で見られます。")
    return "\n".join(lines)


def cmd_index(args: argparse.Namespace) -> int:
    from handbook_search.cli.render import Progress
    from handbook_search.search.index import Index

    root = _corpus(args)  # the index alone: importing the query side costs ~0.1 s per update
    index = Index(args.index or default_index(root), root)
    progress = Progress("索引を作成中")
    report = None
    if not args.rebuild:
        from handbook_search.search.index import IndexError_

        try:
            report = index.update(progress)
        except IndexError_:
            report = None
        else:
            if report is None:
                print("索引は最新です。")
                return EXIT_OK
    if report is None:
        report = index.build(progress)
        print(f"索引を作成しました: {report.pages} ページ（{report.seconds:.1f} 秒）{index.dir}")
    else:
        print(f"索引を更新しました: {report.changes.describe()}（{report.seconds:.1f} 秒）")
    for problem in report.skipped:
        print(f"索引に入れられないページがあります: {problem}", file=sys.stderr)
    return EXIT_OK


def find_page(target: str, root: Path):
    """The page for a path, a municipality (with or without 市町村) or a theme number."""
    import unicodedata

    from handbook_search.model.corpus import load_corpus
    from handbook_search.model.page import parse_page

    t = unicodedata.normalize("NFKC", target).strip()
    if t.endswith(".md") or "/" in t:
        path = Path(target)
        if not path.is_absolute() and not path.exists() and (root / path).exists():
            path = root / path
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise UsageError(
                f"コーパス（{root}）の外のファイルは表示できません: {target}"
            ) from None
        if not path.is_file():
            raise UsageError(f"ファイルがありません: {target}")
        page, problems = parse_page(path, root)
        if page is None:
            raise UsageError("ページを読めません: " + "; ".join(str(p) for p in problems))
        return page, []
    corpus = load_corpus(root)
    if t.isdigit():
        page = corpus.theme_page(int(t))
        if page is None:
            raise UsageError(f"テーマ {t} のページはありません（テーマ番号は 1〜10）")
        return page, []
    cases = [p for p in corpus.cases() if p.meta.municipality in (t, t + "市", t + "町", t + "村")]
    if not cases:
        names = sorted({p.meta.municipality for p in corpus.cases()})
        from handbook_search.model.vocab import did_you_mean

        raise UsageError(
            f"「{target}」のページが見つかりません{did_you_mean(t, names)}。事例のある自治体: {'、'.join(names)}"
        )
    others = [
        f"{p.meta.municipality} {p.meta.fiscal_year}年度: corpus/{p.relpath}" for p in cases[1:]
    ]
    return cases[0], others


def cmd_show(args: argparse.Namespace) -> int:
    from handbook_search.cli.render import page_text

    page, others = find_page(args.target, _corpus(args))
    print(page_text(page), end="")
    for other in others:
        print(f"お知らせ: ほかの年度の事例もあります: {other}", file=sys.stderr)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from handbook_search.cli.render import page_table
    from handbook_search.model.corpus import load_corpus

    kind = parse_kind(args.kind) if args.kind else None
    corpus = load_corpus(_corpus(args))
    groups = {
        "guide": sorted(corpus.by_kind("guide"), key=lambda p: p.relpath),
        "theme": sorted(corpus.by_kind("theme"), key=lambda p: p.meta.theme),
        "case": corpus.cases(),  # newest first, then north to south
        "glossary": corpus.by_kind("glossary"),
    }
    pages = [p for k in ([kind] if kind else groups) for p in groups[k]]
    print(page_table(pages))
    print(f"\n{len(pages)} ページ")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from handbook_search.cli import render
    from handbook_search.model.validate import validate_paths

    root = args.corpus or default_corpus()
    paths = args.paths or [root]
    if not args.paths and not Path(root).is_dir():
        raise UsageError(f"コーパスのフォルダがありません: {root}")
    count, problems = validate_paths(paths, root)
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:  # a message may quote the page: no control character printed
        print(render.clean(str(problem)), file=sys.stderr)
        if annotate:  # GitHub shows these on the pull request's changed lines
            print(render.clean(problem.annotation()))
    if problems:
        print(f"{count} ファイル中 {len(problems)} 件の問題があります。", file=sys.stderr)
        return EXIT_USAGE
    print(f"{count} ファイルを検証しました。問題はありません。")
    return EXIT_OK


COMMANDS = {"search", "index", "show", "list", "validate", "new"}


def main(argv: list[str] | None = None) -> int:
    from handbook_search.cli.render import console_streams

    console_streams()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(
            0, "search"
        )  # `handbook-search 担い手確保` is `handbook-search search 担い手確保`
    status, message = _run(parser, argv)
    if message is not None:
        from handbook_search.cli.render import clean

        message = clean(message)
        print(message, file=sys.stderr)
        if "--json" in argv:  # scripts read stdout: the error is a JSON object there too
            import json

            error = {"error": message.removeprefix("エラー: "), "exit": status}
            print(json.dumps(error, ensure_ascii=False))
    return status


def _run(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[int, str | None]:
    """(exit status, error message or None) of one command."""
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE, None
        return args.func(args), None
    except UsageError as exc:
        return EXIT_USAGE, f"エラー: {exc}"
    except KeyboardInterrupt:
        return 130, "中断しました。"
    except BrokenPipeError:
        sys.stderr.close()  # `handbook-search … | head`
        return EXIT_OK, None
    except Exception as exc:
        if os.environ.get("HANDBOOK_DEBUG"):
            raise
        status = getattr(exc, "exit_status", None)  # the index's own errors (search/index.py)
        if status is not None:
            return status, f"エラー: {exc}"
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            where = f": {exc.filename}" if exc.filename else ""
            return (
                EXIT_FAILURE,
                f"エラー: ディスクの空きがありません{where}。空きを作ってから実行してください",
            )
        if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return EXIT_FAILURE, f"エラー: 書き込めません: {exc.filename or ''}（{exc.strerror}）"
        return EXIT_FAILURE, (
            f"予期しないエラーが起きました: {type(exc).__name__}: {exc}\n"
            "（HANDBOOK_DEBUG=1 を付けて実行すると詳細を表示します）"
        )


if __name__ == "__main__":
    sys.exit(main())
