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
import threading
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


class Renderer:
    """Renders (html, pdf) jobs in `workers` spawned processes while the caller goes on writing
    print HTML: `submit` a batch when it is ready (largest first within it), `finish` waits for
    all. One Japanese line on `out` (stderr) for each PDF as it is finished. With one worker
    each batch is rendered in this process as it is submitted."""

    def __init__(self, workers: int = 1, out: TextIO | None = None) -> None:
        self.workers, self.out = workers, out or sys.stderr
        self.submitted = self.done = 0
        self._pool = None
        self._futures: list = []
        self._lock = threading.Lock()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.finish()
        elif self._pool is not None:  # a failure (or Ctrl-C) stops the build: start no other
            self._pool.shutdown(cancel_futures=True)

    def _finished(self, pdf: Path, cpu: float) -> None:
        with self._lock:
            self.done += 1
            _report(self.done, self.submitted, pdf, cpu, self.out)

    def submit(self, jobs: list[tuple[Path, Path]]) -> None:
        jobs = largest_first(jobs)
        self.submitted += len(jobs)
        if self.workers <= 1:
            for html, pdf in jobs:
                self._finished(pdf, write_pdf(html, pdf))
            return
        if self._pool is None and jobs:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the parent is a Sphinx process with 1,000 doctrees' environment
            # in memory (and WeasyPrint's Pango, not fork-safe); a worker needs only this module
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        for html, pdf in jobs:
            future = self._pool.submit(write_pdf, html, pdf)
            future.add_done_callback(
                lambda f, pdf=pdf: f.exception() is None and self._finished(pdf, f.result())
            )
            self._futures.append(future)

    def finish(self) -> None:
        """Wait for every PDF; raises the first failure."""
        if self._pool is None:
            return
        try:
            for future in self._futures:
                future.result()
        except BaseException:
            self._pool.shutdown(cancel_futures=True)
            raise
        self._pool.shutdown()
        self._pool = None


def render_all(jobs: list[tuple[Path, Path]], workers: int = 1, out: TextIO | None = None) -> None:
    """Render (html, pdf) pairs, largest first, in `workers` processes (see Renderer)."""
    with Renderer(workers if len(jobs) > 1 else 1, out) as renderer:
        renderer.submit(jobs)
