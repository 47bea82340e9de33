"""Text and JSON output of the CLI: search results, page text, page tables, progress."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import unicodedata
from pathlib import Path

from handbook_search.model.vocab import KINDS, THEMES, wareki

RESULT_KEYS = (
    "path", "url", "title", "kind", "theme", "themes", "municipality", "prefecture",
    "bureau", "fiscal_year", "section", "anchor", "score", "snippet",
)  # fmt: skip


def clean(text: str) -> str:
    """Text from pages or users made safe for a terminal: control characters (ESC, OSC, CR,
    bidi overrides …) and invisible ones (zero-width space and joiners, bidi marks) removed,
    tab and newline kept."""
    from handbook_search.model.safety import CONTROL, INVISIBLE

    return INVISIBLE.sub("", CONTROL.sub("", text.replace("\r", "")))


def use_color(stream) -> bool:
    """ANSI colour on a terminal that shows it: not when piped, NO_COLOR or TERM=dumb; on Windows
    only in terminals known to show it (Windows Terminal, ConEmu/ANSICON, mintty's TERM), not in
    the old console, which would print the escape codes."""
    if not stream.isatty() or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    if sys.platform == "win32":
        return any(v in os.environ for v in ("WT_SESSION", "ANSICON", "TERM"))
    return True


def console_streams() -> None:
    """stdout/stderr never fail on a character the console's code page lacks (cp932 on a
    Japanese Windows has no ①～ variants of some symbols): such a character is replaced. Windows'
    console itself is written in UTF-16 by Python, so Japanese shows there whatever the code page."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")


def width(text: str) -> int:
    """Display width in a terminal (全角 = 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


def meta_line(record: dict) -> str:
    """自治体・都道府県・年度 for a case, テーマ番号 for a theme, the kind otherwise."""
    kind = KINDS.get(record["kind"], record["kind"])
    if record["kind"] == "case":
        year = record["fiscal_year"]
        place = "・".join(x for x in (record["municipality"], record["prefecture"]) if x)
        themes = "、".join(f"{n} {THEMES.get(n, '')}".strip() for n in record["themes"])
        return f"{kind} ｜ {place}・{wareki(year)}（{year}） ｜ テーマ {themes}"
    if record["kind"] == "theme":
        n = record["theme"]
        return f"{kind} {n} ｜ {THEMES.get(n, '')}"
    return kind


def near(path: Path) -> str:
    """A path relative to the working directory when inside it, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def site_url(record: dict, anchor: str, site: Path | str) -> str:
    """Where the page is in the built site (a folder, or the published site's address for an
    installed snapshot), with the section's #anchor."""
    shown = site + record["url"] if isinstance(site, str) else near(site / record["url"])
    return f"{shown}#{anchor}" if anchor else shown


def snippet_text(segments, color: bool) -> str:
    segments = [(clean(t), hit) for t, hit in segments]
    if color:
        return "".join(f"\033[1;33m{t}\033[0m" if hit else t for t, hit in segments)
    return "".join(f"【{t}】" if hit else t for t, hit in segments)


def result_json(result, site: Path) -> str:
    rows = []
    for hit in result.hits:
        r = hit.record
        row = {k: r.get(k) for k in RESULT_KEYS}
        row.update(
            url=site_url(r, hit.section["anchor"], site),
            section=hit.section["title"],
            anchor=hit.section["anchor"] or None,
            score=round(hit.score, 4),
            snippet=snippet_text(hit.snippet, color=False),
        )
        rows.append(row)
    doc = {
        "query": result.query,
        "total": result.total,
        "elapsed_ms": round(result.elapsed_ms, 1),
        "results": rows,
    }
    return clean(json.dumps(doc, ensure_ascii=False, indent=2))  # C0 are escaped, C1 are not


def result_text(result, site: Path, color: bool, corpus: Path) -> str:
    dim = (lambda s: f"\033[2m{s}\033[0m") if color else (lambda s: s)
    bold = (lambda s: f"\033[1m{s}\033[0m") if color else (lambda s: s)
    lines = []
    for i, hit in enumerate(result.hits, 1):
        r, sec = hit.record, hit.section
        lines.append(f"{i}. {bold(clean(r['title']))}")
        lines.append(f"   {clean(meta_line(r))}")
        if sec["anchor"]:
            lines.append(f"   § {clean(sec['title'])}")
        text = snippet_text(hit.snippet, color)
        if text:
            lines.append(f"   {text}")
        lines.append(dim(f"   {near(corpus / r['path'])}"))
        lines.append(dim(f"   {site_url(r, sec['anchor'], site)}"))
        lines.append("")
    shown = len(result.hits)
    more = f"（上位 {shown} 件を表示）" if result.total > shown else ""
    lines.append(f"{result.total} 件{more}　{result.elapsed_ms:.0f} ms")
    return "\n".join(lines)


def page_text(page) -> str:
    """A page as readable plain text (for `show`)."""
    from handbook_search.search.documents import page_record

    record = page_record(page)
    lines = [page.title, "=" * min(60, width(page.title)), meta_line(record)]
    m = page.meta
    if m.kind == "case":
        lines.append(f"厚生局: {m.bureau}" + (f" ｜ {m.support_type}" if m.support_type else ""))
    lines.append(near(page.path))
    for s in page.sections:
        if s.level > 1:
            lines += ["", f"{'#' * s.level} {s.title}"]
        if s.text:
            lines += ["", s.text]
    return clean("\n".join(lines) + "\n")


def page_table(pages) -> str:
    headers = ["種別", "テーマ", "自治体", "都道府県", "年度", "タイトル", "パス"]
    rows = []
    for p in pages:
        m = p.meta
        year = getattr(m, "fiscal_year", None)
        rows.append(
            [
                KINDS[m.kind],
                ",".join(str(n) for n in p.themes),
                getattr(m, "municipality", "") or "",
                getattr(m, "prefecture", "") or "",
                wareki(year) if year else "",
                m.title,
                near(p.path),
            ]
        )
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    out = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return clean("\n".join(out))


class Progress:
    """A one-line progress bar on a terminal; silent when stderr is piped."""

    def __init__(self, label: str, stream=None):
        stream = stream or sys.stderr  # looked up now, not when the module was imported
        self.label, self.stream = label, stream
        self.active = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total <= 0:
            return
        filled = int(30 * done / total)
        bar = "#" * filled + " " * (30 - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
