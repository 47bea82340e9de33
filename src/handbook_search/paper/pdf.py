"""Print HTML → PDF with WeasyPrint, and the checks that keep blank boxes (tofu) out of the PDF.

paper.css names one font family, Noto Sans CJK JP (Debian: fonts-noto-cjk). `font_file` finds it
through fontconfig and `missing_glyphs` lists the characters it cannot draw, so a missing font or
glyph stops the build with a Japanese message instead of printing empty boxes.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

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


def write_pdf(html: Path, pdf: Path) -> None:
    """Render one print HTML file to PDF (fonts embedded as subsets)."""
    from weasyprint import CSS, HTML

    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_suffix(".pdf.part")
    HTML(filename=str(html)).write_pdf(str(tmp), stylesheets=[CSS(filename=str(STYLESHEET))])
    tmp.replace(pdf)


def render_all(jobs: list[tuple[Path, Path]], workers: int = 1) -> None:
    """Render (html, pdf) pairs, in `workers` processes when there are many."""
    if workers <= 1 or len(jobs) < 2:
        for html, pdf in jobs:
            write_pdf(html, pdf)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(write_pdf, *zip(*jobs, strict=True)))
