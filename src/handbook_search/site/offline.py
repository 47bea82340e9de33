"""The offline copy: the built site as one zip that works wherever it is unzipped.

`make offline` (python -m handbook_search.site.offline build/html build/handbook-site.zip) packs
build/html, PDFs included when `make pdf` made them, under one folder ``handbook-site/``. A reader
unzips it and double-clicks ``handbook-site/index.html``: every link is relative and the site
search loads its shards by ``<script>`` tags, which work from file:// (fetch() would not). Left
out: Sphinx's build state (.doctrees, .buildinfo) and an offline zip of an earlier build.
The published site links the zip (``{offline-copy}`` on the home page: OFFLINE_ZIP next to it).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

OFFLINE_ZIP = "handbook-site.zip"
FOLDER = "handbook-site"


def _files(site: Path):
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == OFFLINE_ZIP:
            continue
        if path.is_file() and not path.is_symlink():
            yield path, rel


def write_zip(site: Path, out: Path) -> int:
    """Write the zip (atomically: a half-written zip never replaces a good one); the file count."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"サイトがありません（先に make html）: {site / 'index.html'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path, rel in _files(site):
            # PDFs and images are compressed already
            kind = zipfile.ZIP_STORED if path.suffix in (".pdf", ".png", ".jpg") else None
            zf.write(path, f"{FOLDER}/{rel.as_posix()}", compress_type=kind)
            count += 1
    tmp.replace(out)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="サイト一式をオフライン版の zip にまとめます。")
    parser.add_argument("site", type=Path, help="作ったサイトのフォルダ（build/html）")
    parser.add_argument("out", type=Path, help="書き出す zip（build/handbook-site.zip）")
    args = parser.parse_args(argv)
    try:
        count = write_zip(args.site, args.out)
    except FileNotFoundError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    size = args.out.stat().st_size / 1e6
    print(
        f"オフライン版を作りました: {args.out}（{count} ファイル、{size:.1f} MB）。"
        f"展開して {FOLDER}/index.html を開いてください"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
