"""Site search comparison: the judged queries typed into each site search, in Chromium.

    .venv/bin/python -m handbook_search.lab.compare_site_search [--doc docs/site-search.md]

Systems, all driven in headless Chromium on the same site served on localhost:
- sphinx: Sphinx's own search page and searchtools.js (the site built with
  ``-D handbook_site_search=0``; its index is made with TinySegmenter, the query split on
  non-letters);
- pagefind: Pagefind's extended build (npm package ``pagefind``, installed with npm into the
  work folder), indexing the main content (``article``) of every page of the same build;
- ours: this site's search page (handbook_search.site.searchindex + handbook-search.js);
- cli: ``handbook-search search`` (the reference the site search mirrors), without a browser.

For each query of tests/eval/queries.yaml the table gives the relevant pages (grade ≥ 1) found
among the first 5 distinct pages, out of all relevant pages; a page outside corpus/ (the home
page, 事例一覧 …) takes a place without counting. The pages that print these queries
(MEASUREMENT_PAGES) are left out of the Sphinx and Pagefind builds. With --doc the generated part of the document
(between the site-search-compare markers) is rewritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

SYSTEMS = ("sphinx", "pagefind", "ours", "cli")
LABELS = {
    "sphinx": "Sphinx 標準",
    "pagefind": "Pagefind（extended）",
    "ours": "本サイト",
    "cli": "CLI（参考）",
}
PAGEFIND_VERSION = "1.6.0"
TOP = 5
BEGIN, END = "% site-search-compare:begin", "% site-search-compare:end"  # MyST comments
ROOT = Path(__file__).resolve().parents[3]


def build_site(src: Path, out: Path, *options: str) -> None:
    cmd = [sys.executable, "-m", "sphinx", "-c", str(src / "docs"), "-b", "html", "-q"]
    result = subprocess.run(
        [*cmd, *options, str(src), str(out)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"サイトを作れませんでした:\n{result.stderr}")


# Pages that quote the judged queries themselves (the tables of this comparison and of
# `make eval`): left out of the sites that Sphinx and Pagefind index, so that they do not answer
# every query. Our search indexes corpus/ only.
MEASUREMENT_PAGES = ("docs/site-search.md", "docs/evaluation.md")


def excluded() -> str:
    """docs/conf.py's exclude_patterns plus MEASUREMENT_PAGES, as a -D value."""
    conf: dict = {}
    exec(compile((ROOT / "docs" / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), conf)
    return ",".join([*conf.get("exclude_patterns", []), *MEASUREMENT_PAGES])


def install_pagefind(work: Path) -> tuple[Path | None, str]:
    """Pagefind's extended binary from the npm registry (npm install into `work`)."""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm が見つかりません（Node.js の npm で pagefind を入れます）"
    prefix = work / "npm"
    prefix.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(prefix),
         f"pagefind@{PAGEFIND_VERSION}"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    found = sorted(prefix.glob("node_modules/@pagefind/*/bin/pagefind_extended"))
    if result.returncode != 0 or not found:
        return None, (result.stderr or result.stdout).strip()[-1500:] or "pagefind_extended なし"
    return found[0], ""


def run_pagefind(binary: Path, site: Path) -> str:
    """Index `site` into site/pagefind; returns an error message or ''."""
    result = subprocess.run(
        [str(binary), "--site", str(site), "--root-selector", "article", "--quiet"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return "" if result.returncode == 0 else (result.stderr or result.stdout)[-1500:]


# -- one ranker per system: query → site paths (corpus/…/x.html), best first --------------------
def _distinct(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out


def _site_path(url: str, base: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.removeprefix(urlsplit(base).path).lstrip("/")


def rank_sphinx(session, base: str, query: str) -> tuple[list[str], float, float]:
    from selenium.webdriver.support.ui import WebDriverWait

    from handbook_search.lab.browser import WAIT_SECONDS

    started = time.perf_counter()
    session.get(f"{base}search.html?q={quote(query)}")
    WebDriverWait(session, WAIT_SECONDS).until(
        # _finishSearch() retitles "Searching" as "Search Results" (its Japanese status line is
        # empty and its dots keep pulsing, so neither tells that the search is over)
        lambda s: s.execute_script(
            "return typeof Search !== 'undefined' && !!Search.title"
            " && Search.title.textContent === Documentation.gettext('Search Results');"
        )
    )
    page_ms = (time.perf_counter() - started) * 1000
    hrefs, search_ms = session.execute_script(
        """
        const hrefs = [...document.querySelectorAll('#search-results ul.search > li > a')]
          .map(a => a.href);
        const t = performance.now();  // the search again, without drawing the results
        Search._performSearch(...Search._parseQuery(arguments[0]));
        return [hrefs, performance.now() - t];
        """,
        query,
    )
    return _distinct([_site_path(h, base) for h in hrefs]), search_ms, page_ms


def rank_pagefind(session, base: str, query: str) -> tuple[list[str], float, float]:
    if not session.current_url.startswith(base):
        session.get(base + "docs/index.html")
    started = time.perf_counter()
    found = session.execute_async_script(
        """
        const [url, query, done] = arguments;
        (async () => {
          window.__pagefind = window.__pagefind || await import(url);
          const t = performance.now();
          const search = await window.__pagefind.search(query);
          const data = await Promise.all(search.results.slice(0, 20).map(r => r.data()));
          done({urls: data.map(d => d.url), ms: performance.now() - t});
        })().catch(e => done({error: String(e)}));
        """,
        base + "pagefind/pagefind.js",
        query,
    )
    page_ms = (time.perf_counter() - started) * 1000  # the first one loads Pagefind
    if "error" in found:
        raise RuntimeError(found["error"])
    return _distinct([_site_path(u, base) for u in found["urls"]]), found["ms"], page_ms


def rank_ours(session, base: str, query: str) -> tuple[list[str], float, float]:
    from handbook_search.lab.browser import results, wait_for_search

    started = time.perf_counter()
    session.get(f"{base}search.html?q={quote(query)}")
    wait_for_search(session)
    page_ms = (time.perf_counter() - started) * 1000
    search_ms = float(
        session.execute_script(
            "return document.getElementById('handbook-search').dataset.elapsed || 0;"
        )
    )
    return _distinct([r["url"] for r in results(session)]), search_ms, page_ms


# -- measuring ----------------------------------------------------------------------------------
def file_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 9))


def sizes(ours: Path, sphinx: Path, pagefind: bool) -> dict[str, dict]:
    out: dict[str, dict] = {
        "ours": {
            name: file_size(ours / "_static" / name)
            for name in ("handbook-search-index.js", "handbook-search.js")
        },
        "sphinx": {
            name: file_size(sphinx / name)
            for name in ("searchindex.js", "_static/searchtools.js", "_static/language_data.js")
        },
    }
    bundle = sphinx / "pagefind"
    if pagefind and bundle.is_dir():
        files = [p for p in bundle.rglob("*") if p.is_file()]
        ui = [p for p in files if "-ui." in p.name or p.name == "pagefind-highlight.js"]
        core = [p for p in files if p not in ui]
        out["pagefind"] = {
            "files": len(core),
            "core": sum(p.stat().st_size for p in core),  # what pagefind.search() may load
            "ui": sum(p.stat().st_size for p in ui),  # the optional ready-made interfaces
            "wasm": sum(p.stat().st_size for p in core if p.name.startswith("wasm.")),
            "index": sum(p.stat().st_size for p in core if p.parent.name in ("index", "fragment")),
        }
    return out


def measure(work: Path, use_pagefind: bool = True, log=print) -> dict:
    from handbook_search.lab.browser import chromium, serve
    from handbook_search.lab.evaluate import load_queries
    from handbook_search.model.corpus import load_corpus
    from handbook_search.search.engine import Engine

    work.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(ROOT / "corpus")
    relpath = {p.url: p.relpath for p in corpus.pages}
    queries = load_queries(ROOT / "tests" / "eval" / "queries.yaml", corpus.pages)

    log("サイトを作っています（本サイトの検索 / Sphinx 標準の検索）…")
    ours_site, sphinx_site = work / "site-ours", work / "site-sphinx"
    for site in (ours_site, sphinx_site):
        shutil.rmtree(site, ignore_errors=True)
    build_site(ROOT, ours_site)
    build_site(
        ROOT, sphinx_site, "-D", "handbook_site_search=0", "-D", f"exclude_patterns={excluded()}"
    )

    pagefind_error = "（--no-pagefind で省略）"
    if use_pagefind:
        log(f"Pagefind {PAGEFIND_VERSION} を npm で入れて索引を作っています…")
        binary, pagefind_error = install_pagefind(work)
        if binary is not None:
            pagefind_error = run_pagefind(binary, sphinx_site)

    engine = Engine(Path(tempfile.mkdtemp(prefix="cli-index-", dir=work)), ROOT / "corpus")
    engine.build()

    rankings: dict[str, dict[str, list[str]]] = {s: {} for s in SYSTEMS}
    errors: dict[str, str] = {}
    if pagefind_error:
        errors["pagefind"] = pagefind_error
    timing: dict[str, dict[str, float]] = {}
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=work))
    session = chromium(profile)
    try:
        with serve(ours_site) as ours_url, serve(sphinx_site) as sphinx_url:
            plan = [("sphinx", rank_sphinx, sphinx_url), ("ours", rank_ours, ours_url)]
            if "pagefind" not in errors:
                plan.insert(1, ("pagefind", rank_pagefind, sphinx_url))
            for system, rank, base in plan:
                log(f"{LABELS[system]}: {len(queries)} 件の検索…")
                search_ms, page_ms = [], []
                for q in queries:
                    try:
                        rankings[system][q.query], ms, page = rank(session, base, q.query)
                        search_ms.append(ms)
                        page_ms.append(page)
                    except Exception as exc:  # one failing query must not hide the others
                        rankings[system][q.query] = []
                        errors.setdefault(system, f"「{q.query}」: {type(exc).__name__} {exc}")
                if search_ms:
                    timing[system] = {
                        "search": statistics.median(search_ms),
                        # Pagefind: the first search, which loads pagefind.js and its wasm
                        "page": page_ms[0] if system == "pagefind" else statistics.median(page_ms),
                    }
    finally:
        session.quit()
    cli_ms = []
    for q in queries:
        result = engine.query(q.query, limit=10, notify=lambda m: None)
        rankings["cli"][q.query] = [h.record["url"] for h in result.hits]
        cli_ms.append(result.elapsed_ms)
    timing["cli"] = {"search": statistics.median(cli_ms)}

    rows = []
    for q in queries:
        row = {"query": q.query, "type": q.type, "relevant": len(q.grades), "systems": {}}
        for system in SYSTEMS:
            if system == "pagefind" and "pagefind" not in plan_systems(errors):
                continue
            ranked = [relpath.get(u, u) for u in rankings[system].get(q.query, [])]
            top = ranked[:TOP]
            row["systems"][system] = {
                "found": sum(1 for p in top if p in q.grades),
                "answer": any(q.grades.get(p) == 2 for p in top),
                "returned": len(ranked),
                "top": top,
            }
        rows.append(row)
    return {
        "date": dt.date.today().isoformat(),
        "queries": len(queries),
        "rows": rows,
        "errors": errors,
        "timing_ms": timing,
        "sizes": sizes(ours_site, sphinx_site, "pagefind" not in errors),
    }


def plan_systems(errors: dict[str, str]) -> list[str]:
    return [s for s in SYSTEMS if not (s == "pagefind" and "pagefind" in errors)]


# -- the document -------------------------------------------------------------------------------
def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def markdown(report: dict) -> str:
    systems = [s for s in SYSTEMS if any(s in r["systems"] for r in report["rows"])]
    rows = report["rows"]
    lines = [
        f"測定日: {report['date']}（{report['queries']} 件の判定付きクエリ、"
        "`tests/eval/queries.yaml`。`python -m handbook_search.lab.compare_site_search --doc "
        "docs/site-search.md` が書き出した部分です）",
        "",
        "### まとめ",
        "",
        "| 方式 | 上位 5 件の関連ページ | 答え（grade 2）が上位 5 件にある | 0 件だったクエリ "
        "| 検索の処理 | 検索ページを開いて結果まで |",
        "|---|---|---|---|---|---|",
    ]
    total_relevant = sum(r["relevant"] for r in rows)
    for s in systems:
        found = sum(r["systems"][s]["found"] for r in rows)
        answers = sum(r["systems"][s]["answer"] for r in rows)
        empty = sum(r["systems"][s]["returned"] == 0 for r in rows)
        ms = report["timing_ms"].get(s, {})
        search = f"{ms['search']:.1f} ms" if "search" in ms else "—"
        page = f"{ms['page']:.0f} ms" if "page" in ms else "—"
        if s == "pagefind" and "page" in ms:
            page = f"初回 {page}"
        lines.append(
            f"| {LABELS[s]} | {found} / {total_relevant}（{found / total_relevant:.0%}） | "
            f"{answers} / {len(rows)} | {empty} | {search} | {page} |"
        )
    lines += [
        "",
        "時間はクエリごとの中央値です。「検索の処理」はページの中で検索そのものにかかった時間（Sphinx 標準は "
        "`Search._performSearch`、Pagefind は `pagefind.search()` と結果データの読み込み、本サイトは検索処理、"
        "CLI は `Engine.query`）。「検索ページを開いて結果まで」は `search.html?q=…` を開いてから結果が出るまで"
        "（ローカルの HTTP サーバー、索引の読み込みを含む）で、Pagefind は最初の検索（`pagefind.js` と WebAssembly の"
        "読み込みを含む）の時間です。",
        "",
        "### クエリごとの結果（上位 5 件に入った関連ページ / 関連ページの数）",
        "",
        "「0 件」はその方式が何も返さなかったことを、太字は答え（grade 2）のページが上位 5 件にあることを示します。",
        "",
        "| クエリ | 種類 | " + " | ".join(LABELS[s] for s in systems) + " |",
        "|---|---|" + "---|" * len(systems),
    ]
    for r in rows:
        cells = []
        for s in systems:
            c = r["systems"][s]
            text = f"{c['found']}/{r['relevant']}"
            if c["answer"]:
                text = f"**{text}**"
            if c["returned"] == 0:
                text += "（0 件）"
            cells.append(text)
        query = r["query"].replace("|", "\\|")
        lines.append(f"| {query} | {r['type']} | " + " | ".join(cells) + " |")
    sz = report["sizes"]
    lines += [
        "",
        "### 検索のためのファイルの大きさ",
        "",
        "| 方式 | ファイル | 大きさ | gzip 後 |",
        "|---|---|---|---|",
    ]
    for name, (raw, packed) in sz["ours"].items():
        lines.append(f"| 本サイト | `_static/{name}` | {_kb(raw)} | {_kb(packed)} |")
    for name, (raw, packed) in sz["sphinx"].items():
        lines.append(f"| Sphinx 標準 | `{name}` | {_kb(raw)} | {_kb(packed)} |")
    if "pagefind" in sz:
        p = sz["pagefind"]
        lines.append(
            f"| Pagefind | `pagefind/` の検索部分（{p['files']} ファイル。うち WebAssembly "
            f"{_kb(p['wasm'])}、索引と断片 {_kb(p['index'])}。索引と断片は圧縮済みで、"
            f"検索語に応じて一部だけを読み込みます） | {_kb(p['core'])} | — |"
        )
        lines.append(
            f"| Pagefind | `pagefind/` の既製の検索画面（使わなければ不要） | {_kb(p['ui'])} | — |"
        )
    if report["errors"]:
        lines += ["", "### 測定できなかったもの", ""]
        for s, message in report["errors"].items():
            lines.append(f"- {LABELS[s]}:")
            lines += [
                "",
                "  ```text",
                *(f"  {m}" for m in message.strip().splitlines()),
                "  ```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(doc: Path, generated: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{BEGIN}\n\n{generated}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handbook_search.lab.compare_site_search",
        description="サイト内検索（Sphinx 標準・Pagefind・本サイト）を同じクエリで比べます。",
    )
    parser.add_argument(
        "--doc", type=Path, help="結果を書き込む Markdown（例: docs/site-search.md）"
    )
    parser.add_argument("--json", type=Path, help="測定結果を JSON でも保存します")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "site-search-compare")
    parser.add_argument("--no-pagefind", action="store_true", help="Pagefind を測りません")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = measure(args.work, use_pagefind=not args.no_pagefind)
    generated = markdown(report)
    print(generated)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.doc:
        write_doc(args.doc, generated)
        print(f"{args.doc} を更新しました")
    print(f"所要時間 {time.perf_counter() - started:.0f} 秒", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
