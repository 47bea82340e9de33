"""`make pdf`: check what the print editions need from the system, then run the ``paper`` build.

WeasyPrint (a Python dependency, pinned in pyproject.toml) needs Debian's Pango, and the PDFs use
the Noto CJK fonts of fonts-noto-cjk. When one is missing this says exactly which Debian packages
to install; under CI=true as root it installs them with apt-get, as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from handbook_search.paper.pdf import APT_PACKAGES, FONT_FAMILY, font_file


def missing_requirements() -> list[str]:
    """What is missing, one Japanese line each (empty when `make pdf` can run)."""
    missing = []
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        missing.append(
            "Python パッケージ weasyprint（make が .venv に入れます: make distclean して再実行）"
        )
    except OSError as err:  # WeasyPrint loads Pango with ctypes/cffi
        missing.append(f"Pango ライブラリ（Debian: libpango-1.0-0 libpangoft2-1.0-0）: {err}")
    if font_file(FONT_FAMILY) is None:
        missing.append(
            f"フォント {FONT_FAMILY}（Debian: fonts-noto-cjk、fc-match が要ります: fontconfig）"
        )
    return missing


def apt_install(packages: tuple[str, ...] = APT_PACKAGES) -> subprocess.CompletedProcess:
    """Install Debian packages (CI runs as root)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = f"apt-get update -q && apt-get install -y -q --no-install-recommends {' '.join(packages)}"
    return subprocess.run(
        ["sh", "-c", cmd], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def ensure_requirements() -> list[str]:
    """Install what is missing when allowed (CI=true, root); returns what is still missing."""
    missing = missing_requirements()
    if missing and os.environ.get("CI") == "true" and os.geteuid() == 0:
        done = apt_install()
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
        font_file.cache_clear()  # the font may be there now
        missing = missing_requirements()
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handbook_search.paper",
        description="印刷用 PDF（全体版と事例ごとの A4）を作ります（make pdf）。",
    )
    parser.add_argument("--src", type=Path, default=Path("."), help="リポジトリのフォルダ")
    parser.add_argument(
        "--out", type=Path, default=Path("build/html/pdf"), help="PDF を書くフォルダ"
    )
    parser.add_argument(
        "--doctrees", type=Path, default=Path("build/paper/doctrees"), help="作業用フォルダ"
    )
    parser.add_argument("--cases", default="*", help="A4 を作る事例（ファイル名のパターン）")
    parser.add_argument("--no-cases", action="store_true", help="事例ごとの A4 を作らない")
    parser.add_argument("--no-book", action="store_true", help="全体版を作らない")
    parser.add_argument(
        "--split", type=int, default=200, help="事例がこの件数を超えたら全体版を年度別の分冊にする"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="PDF を並行して作るプロセスの数（既定: CPU のコア数。1 でこのプロセスだけ）",
    )
    parser.add_argument(
        "--check", action="store_true", help="必要なものがそろっているかだけ確かめる"
    )
    args = parser.parse_args(argv)

    missing = ensure_requirements()
    if missing:
        print("PDF を作るのに必要なものがありません:", file=sys.stderr)
        for line in missing:
            print(f"  - {line}", file=sys.stderr)
        print(
            f"  入れ方（Debian/Ubuntu）: sudo apt-get install {' '.join(APT_PACKAGES)}",
            file=sys.stderr,
        )
        return 2
    if args.check:
        return 0

    from sphinx.cmd.build import build_main

    return build_main(
        [
            "-b",
            "paper",
            "-c",
            str(args.src / "docs"),
            "-W",
            "--keep-going",
            "-q",
            "-d",
            str(args.doctrees),
            "-D",
            f"handbook_paper_cases={'' if args.no_cases else args.cases}",
            "-D",
            f"handbook_paper_split={args.split}",
            "-D",
            f"handbook_paper_book={0 if args.no_book else 1}",
            "-D",
            f"handbook_paper_workers={max(args.workers, 1)}",
            str(args.src),
            str(args.out),
        ]
    )
