"""Print HTML → PDF with WeasyPrint, and the checks that keep blank boxes (tofu) out of the PDF.

paper.css names one font family, Noto Sans CJK JP (Debian: fonts-noto-cjk). `font_file` finds it
through fontconfig and `missing_glyphs` lists the characters it cannot draw, so a missing font or
glyph stops the build with a Japanese message instead of printing empty boxes.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

FONT_FAMILY = "Noto Sans CJK JP"
STYLESHEET = Path(__file__).with_name("paper.css")
# What `make pdf` needs from Debian: WeasyPrint's text layout (Pango) and the Japanese font.
APT_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "fontconfig", "fonts-noto-cjk")


@functools.cache  # one fc-match per build, not one per page
def font_file(family: str = FONT_FAMILY) -> tuple[Path, int] | None:
    """(file, index in the collection) of `family` as fontconfig resolves it, None if absent."""
    if not shutil.which("fc-match"):
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}|%{index}", f"{family}:lang=ja"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    families, _, rest = found.partition("|")
    path, _, index = rest.partition("|")
    if family not in families.split(",") or not path:
        return None  # fontconfig fell back to another font
    return Path(path), int(index or 0)


@functools.cache
def _codepoints(path: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap())


def missing_glyphs(text: str, family: str = FONT_FAMILY) -> list[str]:
    """Characters of `text` (besides spaces and controls) that the print font cannot draw."""
    found = font_file(family)
    if found is None:
        raise FileNotFoundError(family)
    have = _codepoints(*found)
    return sorted({c for c in text if not c.isspace() and ord(c) >= 0x20 and ord(c) not in have})


# One WeasyPrint font configuration and one parsed paper.css per process (per worker), for as
# long as paper.css is unchanged: a fresh FontConfiguration loads fontconfig's configuration and
# a new Pango font map (the Noto CJK collection opened again) for every PDF, which was ~17 % of
# a one-case handout's CPU time.
_RENDERER: dict[str, object] = {}


def _renderer() -> dict[str, object]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    key = STYLESHEET.stat().st_mtime_ns
    if _RENDERER.get("key") != key:
        fonts = FontConfiguration()
        css = CSS(filename=str(STYLESHEET), font_config=fonts)
        _RENDERER.update(key=key, fonts=fonts, css=css)
    return _RENDERER


def write_pdf(html: Path, pdf: Path) -> float:
    """Render one print HTML file to PDF (fonts embedded as subsets); returns the CPU seconds."""
    from weasyprint import HTML

    start = time.process_time()
    renderer = _renderer()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_suffix(".pdf.part")
    HTML(filename=str(html)).write_pdf(
        str(tmp), stylesheets=[renderer["css"]], font_config=renderer["fonts"]
    )
    tmp.replace(pdf)
    return time.process_time() - start


def _report(done: int, total: int, pdf: Path, cpu: float, out: TextIO) -> None:
    print(
        f"PDF を作りました（{done}/{total}）: {pdf.name}（CPU {cpu:.1f} 秒）", file=out, flush=True
    )


def largest_first(jobs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """The jobs by the size of their HTML, largest first: a long volume started last would
    finish alone on one core while the other waits."""
    return sorted(jobs, key=lambda job: job[0].stat().st_size, reverse=True)


def render_all(jobs: list[tuple[Path, Path]], workers: int = 1, out: TextIO | None = None) -> None:
    """Render (html, pdf) pairs, largest first, in `workers` processes when there are several
    jobs; one Japanese line on `out` (stderr) for each PDF as it is finished."""
    out = out or sys.stderr
    jobs = largest_first(jobs)
    total = len(jobs)
    if workers <= 1 or total < 2:
        for n, (html, pdf) in enumerate(jobs, 1):
            _report(n, total, pdf, write_pdf(html, pdf), out)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: the parent is a Sphinx process with 1,000 doctrees' environment in
    # memory (and WeasyPrint's Pango, not fork-safe); a worker needs only this module
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=context) as pool:
        futures = {pool.submit(write_pdf, html, pdf): pdf for html, pdf in jobs}
        try:
            for n, future in enumerate(as_completed(futures), 1):
                _report(n, total, futures[future], future.result(), out)
        except BaseException:  # a failed PDF (or Ctrl-C) stops the build: start no other
            pool.shutdown(cancel_futures=True)
            raise
