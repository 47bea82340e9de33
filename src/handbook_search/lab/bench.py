"""Performance benchmarks (`make bench`): synthetic corpora of N pages, whole processes timed.

For each N: full index (time, pages/s, peak memory), one-page re-index (a whole `index`
process), index size, warm query p50/p95 over the judged queries (in one process, snippets
included), cold CLI query (process start to exit) against ripgrep on the same corpus and
query; beside them the peer SQLite FTS5 (lab/fts5.py) on the same corpus and queries: index time
and memory, warm p50/p95, and success@1/MRR of both on the real corpus, with ours / FTS5 per
figure. Once: `make html` for the real corpus. Results go to docs/benchmarks.md, with a chart
(docs/_static/benchmarks.svg) and the raw numbers (docs/benchmarks.json).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from handbook_search.lab.synth import SYNTH_GLOB, generate
from handbook_search.model.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "handbook_search.cli"]
COLD_QUERY = "担い手確保"

# Targets of the search issue (seconds or milliseconds as named).
TARGETS = {
    1000: {"cold_s": 0.25, "warm_p95_ms": 30, "index_s": 10, "reindex_s": 0.5},
    10000: {
        "cold_s": 0.35,
        "warm_p95_ms": 150,
        "index_s": 90,
        "reindex_s": 0.5,
        "index_peak_mib": 1024,
    },
}


def installed_env() -> dict[str, str]:
    """The environment of a timed process, as an installed copy runs: with bytecode caches
    (pip writes them on install; PYTHONDONTWRITEBYTECODE in a developer's shell would make every
    cold start compile whoosh and ours from source, about 0.1 s)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_timed(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS in MiB, result) of one process. Output goes to temporary files,
    not pipes: a pipe that nobody reads would stall a process that prints a lot (rg on 10,000
    files)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        kwargs.setdefault("env", installed_env())
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, **kwargs)
        sampler = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed: {result.stderr.decode(errors='replace')[-2000:]}"
        )
    # the largest process (wait4) or, when larger, the sum over the process and its workers
    return seconds, max(usage.ru_maxrss // 1024, sampler.peak_mib), result


class TreeMemory:
    """The peak of the summed RSS of a process and all its descendants, sampled every 50 ms in
    a thread (Linux /proc; 0 elsewhere): wait4's ru_maxrss is the largest single process, so
    two indexing workers of 600 MB each showed as 600 MB."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.peak_mib, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        out = [pid]
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                for child in (task / "children").read_text().split():
                    out += self._tree(int(child))
        except OSError:
            pass
        return out

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        while not self._done.wait(0.05):
            total = 0
            for pid in self._tree(self.pid):
                with contextlib.suppress(OSError, IndexError, ValueError):
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
            self.peak_mib = max(self.peak_mib, total // 2**20)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def spread(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "min": values[0],
        "max": values[-1],
        "runs": len(values),
    }


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.date.today().isoformat(),
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def eval_queries() -> list[str]:
    data = yaml.safe_load((ROOT / "tests/eval/queries.yaml").read_text(encoding="utf-8"))
    return [q["query"] for q in data["queries"]]


def timed_rounds(search, rounds: int = 5) -> list[float]:
    """Milliseconds per judged query of `search(query)` in one warm process; a query that
    raises ValueError (ours: QueryError) is not counted."""
    queries = eval_queries()
    times = []
    for r in range(rounds + 1):
        for q in queries:
            start = time.perf_counter()
            try:
                search(q)
            except ValueError:
                continue
            if r:  # the first round warms caches and is not counted
                times.append((time.perf_counter() - start) * 1000)
    return times


def warm_queries(corpus: Path, index: Path, rounds: int = 5, fresh: bool = False) -> list[float]:
    """Milliseconds per query in one warm process (snippets included); `fresh`: stage 1's cache
    (postings.Cache) emptied before each query, as for words the process has not searched yet."""
    from handbook_search.search.engine import Engine
    from handbook_search.search.postings import Cache

    engine = Engine(index, corpus)

    def search(q):
        if fresh:
            engine._cache = Cache()
        return engine.query(q, limit=10, notify=lambda m: None)

    return timed_rounds(search, rounds)


def warm_stats(times: list[float]) -> dict:
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "queries": len(times)}


def bench_fts5(corpus: Path, work: Path, repeats: int) -> dict:
    """The peer on the same corpus: SQLite FTS5 (lab/fts5.py), index in a process of its own
    (as ours), then the judged queries warm in this process (snippets included)."""
    from handbook_search.lab.fts5 import Fts5Search

    db = work / f"{corpus.name}.fts5.sqlite"
    full, mem = [], 0
    for _ in range(repeats):
        cmd = [sys.executable, "-m", "handbook_search.lab.fts5", "index", str(corpus), str(db)]
        seconds, rss, _ = run_timed(cmd)
        full.append(seconds)
        mem = max(mem, rss)
    peer = Fts5Search(db)
    warm = timed_rounds(lambda q: peer.query(q, limit=10))
    print(f"  FTS5: 索引作成 {statistics.median(full):.1f} s", file=sys.stderr)
    return {"index_s": spread(full), "index_peak_mib": mem, "index_mb": db.stat().st_size / 2**20,
            "warm_ms": warm_stats(warm)}  # fmt: skip


def bench_quality(work: Path) -> dict:
    """success@1 and MRR of ours and of the FTS5 peer on the real corpus (judged queries)."""
    from handbook_search.lab import evaluate
    from handbook_search.lab.fts5 import Fts5Search, build

    corpus_root = ROOT / "corpus"
    queries = evaluate.load_queries(
        ROOT / "tests/eval/queries.yaml", load_corpus(corpus_root).pages
    )
    (work / "quality-ours").mkdir()
    build(corpus_root, work / "quality.fts5.sqlite")
    peer = Fts5Search(work / "quality.fts5.sqlite")
    rankers = {
        "ours": evaluate.product_ranker(corpus_root, work / "quality-ours"),
        "fts5": lambda q: [path for path, _ in peer.query(q, limit=10)],
    }
    out = {}
    for name, ranker in rankers.items():
        metrics = evaluate.evaluate(ranker, queries)["all"]
        out[name] = {m: metrics[m] for m in ("success@1", "MRR")}
    out["queries"] = len(queries)
    return out


def bench_size(n: int, work: Path, repeats: int) -> dict:
    corpus = work / f"corpus-{n}"
    index = work / f"index-{n}"
    generate(n, corpus, ROOT / "corpus")
    pages = sum(1 for _ in corpus.rglob("*.md"))
    print(f"N={n}: {pages} ページ", file=sys.stderr)
    load = os.getloadavg()  # the machine is shared: how busy it was when this size began

    full, mem = [], 0
    for _ in range(repeats):
        seconds, rss, _ = run_timed(
            [*CLI, "index", "--rebuild", "--corpus", str(corpus), "--index", str(index)]
        )
        full.append(seconds)
        mem = max(mem, rss)
    print(f"  全体の索引作成 {statistics.median(full):.1f} s", file=sys.stderr)

    reindex = []
    page = next(iter(sorted((corpus / "cases").glob(SYNTH_GLOB))))
    for i in range(5):
        with page.open("a", encoding="utf-8") as f:
            f.write(f"\n追記 {i} 回目。\n")
        seconds, _, result = run_timed(
            [*CLI, "index", "--corpus", str(corpus), "--index", str(index)]
        )
        assert "変更 1 件" in result.stdout.decode(), result.stdout
        reindex.append(seconds)

    cold, cold_mem = [], 0
    for _ in range(11):
        seconds, rss, _ = run_timed(
            [*CLI, "search", COLD_QUERY, "--corpus", str(corpus), "--index", str(index)]
        )
        cold.append(seconds)
        cold_mem = max(cold_mem, rss)
    rg = shutil.which("rg")
    ripgrep = [run_timed([rg, "-c", COLD_QUERY, str(corpus)])[0] for _ in range(11)] if rg else []

    warm = warm_queries(corpus, index)
    gen = index / (index / "CURRENT").read_text().strip()
    return {
        "n": n,
        "pages": pages,
        "load": load,
        "corpus_mb": du(corpus) / 2**20,
        "index_s": spread(full),
        "pages_per_s": pages / statistics.median(full),
        "index_peak_mib": mem,
        "reindex_s": spread(reindex),
        "index_mb": du(gen) / 2**20,
        "cold_s": spread(cold),
        "cold_peak_mib": cold_mem,
        "ripgrep_s": spread(ripgrep) if ripgrep else None,
        "warm_ms": warm_stats(warm),
        "warm_fresh_ms": warm_stats(warm_queries(corpus, index, fresh=True)),
        "fts5": bench_fts5(corpus, work, repeats),
    }


def bench_html(work: Path, repeats: int = 3) -> dict:
    times = []
    for i in range(repeats):
        out = work / f"html-{i}"
        cmd = [
            sys.executable,
            "-m",
            "sphinx",
            "-c",
            "docs",
            "-b",
            "html",
            "-W",
            "--keep-going",
            "-q",
            ".",
            str(out),
        ]
        times.append(run_timed(cmd, cwd=ROOT)[0])
    return spread(times)


SITE_TARGETS = {
    1000: {"clean_s": 120, "incremental_s": 20, "largest_kb": 80, "site_mb": 60,
           "transfer_kb": 300, "query_ms": 100},
}  # fmt: skip
# As `make html` runs it: no -j (on 2 cores `-j auto` measured slower, docs/benchmarks.md).
SPHINX_JOBS: list[str] = []


def sphinx(src: Path, out: Path) -> float:
    """Seconds of one `make html`-like build of `src` (docs/ + corpus/) into `out`."""
    cmd = [sys.executable, "-m", "sphinx", "-c", str(src / "docs"), "-b", "html",
           *SPHINX_JOBS, "-W", "--keep-going", "-q", str(src), str(out)]  # fmt: skip
    return run_timed(cmd)[0]


def gzip_size(path: Path) -> int:
    import gzip

    return len(gzip.compress(path.read_bytes(), 6))


def site_pages(out: Path) -> dict:
    """Largest page, internal links per page (max and median) and the site's size."""
    import re

    pages = [p for p in out.rglob("*.html") if ".doctrees" not in p.parts]
    largest = max(pages, key=lambda p: p.stat().st_size)
    link = re.compile(r'<a\s[^>]*href="(?!https?:|mailto:|#)')
    links = [len(link.findall(p.read_text(encoding="utf-8"))) for p in pages]
    published = [f for f in out.rglob("*") if f.is_file() and ".doctrees" not in f.parts]
    return {
        "pages": len(pages),
        "largest_kb": largest.stat().st_size / 1024,
        "largest": largest.relative_to(out).as_posix(),
        "links_max": max(links),
        "links_median": statistics.median(links),
        "site_mb": sum(f.stat().st_size for f in published) / 2**20,
    }


def browser_search(out: Path) -> dict | None:
    """Headless Chromium on the built site (served over HTTP): per judged query, a fresh search
    page with `?q=` — the bytes it transferred (every file the Performance API lists, counted
    gzip-compressed, as a server would send them) and the query's time once its shards are
    loaded (a second search in the same page)."""
    from urllib.parse import quote, unquote, urlsplit

    from handbook_search.lab.browser import chromium, find_chromium, serve, wait_for_search

    if not all(find_chromium()):
        print("  Chromium がないため、ブラウザの測定を省きます", file=sys.stderr)
        return None
    transfer, query_ms, sizes = [], [], {}
    with tempfile.TemporaryDirectory() as profile, serve(out) as base:
        driver = chromium(Path(profile))
        try:
            for q in eval_queries():
                driver.get(f"{base}search.html?q={quote(q)}")
                wait_for_search(driver)
                urls = driver.execute_script(
                    "return [location.href, ...performance.getEntriesByType('resource')"
                    ".map(e => e.name)];"
                )
                total = 0
                for url in dict.fromkeys(urls):
                    path = out / unquote(urlsplit(url).path).lstrip("/")
                    if path.is_file():
                        if path not in sizes:
                            sizes[path] = gzip_size(path)
                        total += sizes[path]
                transfer.append(total / 1024)
                ms = driver.execute_async_script(
                    "const [q, done] = arguments;"
                    "HandbookSearch.search(q, {}).then(r => done(r.elapsed), () => done(null));",
                    q,
                )
                if ms is not None:
                    query_ms.append(ms)
            text = "担い手の確保、" * 43_000  # a ~300 KB page with a hit every 7 characters
            snippet_ms = driver.execute_script(
                "const t0 = performance.now(); HandbookSearch.snippet(arguments[0], ['担い手']);"
                "return performance.now() - t0;",
                text,
            )
        finally:
            driver.quit()
    return {
        "transfer_kb": {"median": statistics.median(transfer), "max": max(transfer)},
        "query_ms": {
            "p50": percentile(query_ms, 50),
            "p95": percentile(query_ms, 95),
            "max": max(query_ms),
        },  # fmt: skip
        "snippet_300kb_ms": snippet_ms,
    }


def bench_site(n: int, work: Path) -> dict:
    """`make html` on docs/ + N synthetic cases: clean, then after editing one case; the pages,
    the site and the search in a browser."""
    src = work / f"site-{n}"
    shutil.copytree(ROOT / "docs", src / "docs")
    generate(n, src / "corpus", ROOT / "corpus")
    out = work / f"site-{n}-html"
    load = os.getloadavg()[0]  # the machine is shared: how busy it was when the build began
    clean = sphinx(src, out)
    page = next(iter(sorted((src / "corpus" / "cases").glob(SYNTH_GLOB))))
    with page.open("a", encoding="utf-8") as f:
        f.write("\n追記した一文です。\n")
    incremental = sphinx(src, out)
    print(f"  N={n}: make html {clean:.0f} s、1 事例の変更後 {incremental:.1f} s", file=sys.stderr)
    return {"n": n, "clean_s": clean, "incremental_s": incremental, "load": load, **site_pages(out),
            "search": browser_search(out)}  # fmt: skip


SITE_NOTES = """
- **ナビゲーション**: furo は全ページに目次（toctree）全体を描くので、事例を toctree に入れると 1 ページの
  大きさとビルド時間が事例の数に比例し、サイト全体では事例数の 2 乗で増えます（事例 1,000 件で 1 ページ 172 KB、
  ビルド 27 分）。事例ページはどの toctree にも入れず（孤立ページとして警告なし）、事例一覧（年度別の件数と
  年度ごとのページ）、テーマのページ、トップページの新しい事例、検索からたどります。サイドバーは事例の数に
  よらず同じです。テーマのページは、そのテーマの新しい事例 20 件と、テーマで絞り込んだ事例一覧
  （`cases.html?theme=N`、JavaScript がなければ年度ごとの一覧）へのリンクだけを載せるので、事例が増えても
  大きくなりません（以前はテーマの全事例を載せ、N=1,000 でテーマ 7 のページが 68 KB でした）。
- **変更後のビルド**: 事例を 1 件変えると、そのページ、一覧を含むページ（トップ、事例一覧、テーマ）、年度別の
  ページと検索の索引（変わったページだけ解析し直し、入口と中身の変わったシャードを書き直す）を作り直します。
  ページの解析結果とコーパスの読み込み結果は `build/html/.doctrees/` に残します。すべてを作り直すのは、
  `docs/conf.py` や設定（`-D`）を変えたとき、テンプレート（`docs/_templates/`、拡張の `templates/`）を変えたとき、
  Sphinx・furo・拡張の版が変わったとき、`make clean` の後です。検索の索引は、解析（`search/analysis.py`）や
  `site/searchindex.py` が変わったときに全ページを解析し直します。
- **`-j auto`**: 2 コアのマシンで N=100 のサイトを `-j 1` と `-j auto` で作り比べると、`-j auto` のほうが遅く
  （48.5 s と 57.4 s、2026-11-27、ほかの作業で負荷の高い状態）、`make html` では使っていません。Sphinx は
  書き出しを「並列数 − 1」のプロセスで行うので、2 コアでは読み込みしか並列になりません。検索の索引の解析は、
  ページが多いときに自分でプロセスを分けて並列に行います。
- **1 事例の変更後**: 以前は N=1,000 で約 21 秒かかり、その約半分が検索の索引でした（1,000 ページぶんの
  解析結果のキャッシュ約 50 MB の読み書き、全ページの集計、すべてのシャードの書き出し）。いまは索引の状態
  （`.doctrees/handbook-search-state.pickle`）と 1 ページ 1 ファイルの解析結果を残し、変わったページの分だけを
  差し替えて、変わった語を含むシャードだけを書き直します。索引の部分は、プロファイラーの下で約 16 秒から
  約 0.4 秒になりました（2026-11-27）。残りは Sphinx の読み込みと書き出し（一覧を含むページ）と環境の保存です。
- 測定したマシンはほかの作業と共有しています。負荷の高いとき（load average 6〜10）には N=1,000 の
  クリーンなビルドが 345〜366 s、変更後が 36〜39 s かかりました（索引の解析を Sphinx と並行させる前のコード、2026-11-27）。
"""


def measured(info: dict, sites: list[dict]) -> str:
    """When the site rows were measured: one date, or each size's own (merged runs)."""
    dates = [s.get("machine", info)["date"] for s in sites]
    if len(set(dates)) <= 1:
        return f"{dates[0] if dates else info['date']} "
    return "、".join(f"N={s['n']:,} は {d}" for s, d in zip(sites, dates, strict=True)) + " "


def site_report(info: dict, sites: list[dict]) -> list[str]:
    where = sites[-1].get("machine", info) if sites else info
    lines = [
        "",
        "## サイト（`make html`）と検索ページ",
        "",
        f"{measured(info, sites)}に測定（{where['cpu']}、{where['cores']} コア）。`make html` と同じ "
        f"`sphinx-build {' '.join([*SPHINX_JOBS, '-W'])}` で、docs/ と合成の事例 N 件（と実際のページ）を作りました。"
        "検索の転送量は、判定付きクエリごとに `search.html?q=…` を新しく開いて読み込まれたすべての"
        "ファイル（Performance API）の gzip 後の大きさの合計、検索時間はシャードを読み込んだ後の"
        "検索処理（ページ内の計測）です。",
        "",
        "| 指標 | " + " | ".join(f"N={s['n']:,}" for s in sites) + " |",
        "|---" * (len(sites) + 1) + "|",
    ]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in sites) + " |")

    def search(key, fmt):
        return lambda s: fmt(s["search"][key]) if s.get("search") else "―"

    row("`make html`（クリーン）", lambda s: f"{s['clean_s']:.1f} s")
    row("1 事例を変更した後の `make html`", lambda s: f"{s['incremental_s']:.1f} s")
    if any("load" in s for s in sites):
        row("測り始めたときの負荷（load average、1 分）",
            lambda s: f"{s['load']:.1f}" if "load" in s else "―")  # fmt: skip
    row("いちばん大きいページ", lambda s: f"{s['largest_kb']:.0f} KB（`{s['largest']}`）")
    row("ページ内のサイト内リンク（最大 / 中央値）",
        lambda s: f"{s['links_max']} / {s['links_median']:.0f}")  # fmt: skip
    row("サイトの大きさ（.doctrees を除く）", lambda s: f"{s['site_mb']:.1f} MB")
    row("検索ページ + 最初の検索の転送量（gzip、中央値 / 最大）",
        search("transfer_kb", lambda v: f"{v['median']:.0f} / {v['max']:.0f} KB"))  # fmt: skip
    row("検索時間（シャード読み込み後、p50 / p95 / 最大）",
        search("query_ms", lambda v: f"{v['p50']:.1f} / {v['p95']:.1f} / {v['max']:.1f} ms"))  # fmt: skip
    row("約 300 KB のページの抜粋", search("snippet_300kb_ms", lambda v: f"{v:.1f} ms"))
    lines += SITE_NOTES.splitlines()
    lines += ["", "### 目標との比較（N=1,000）", ""]
    values = {
        "clean_s": ("make html（クリーン、秒）", lambda s: s["clean_s"]),
        "incremental_s": ("1 事例の変更後（秒）", lambda s: s["incremental_s"]),
        "largest_kb": ("いちばん大きいページ（KB）", lambda s: s["largest_kb"]),
        "site_mb": ("サイトの大きさ（MB）", lambda s: s["site_mb"]),
        "transfer_kb": ("検索の転送量の最大（KB、gzip）",
                        lambda s: s["search"] and s["search"]["transfer_kb"]["max"]),
        "query_ms": ("検索時間の最大（ミリ秒）", lambda s: s["search"] and s["search"]["query_ms"]["max"]),
    }  # fmt: skip
    for s in sites:
        for key, target in SITE_TARGETS.get(s["n"], {}).items():
            label, fn = values[key]
            value = fn(s)
            if value is not None:
                lines.append(f"- {label} {value:.1f} → {verdict(value, target)}")
    return lines


def ratio(ours: float, peer: float) -> str:
    """ours / peer, as the peer table states it (below 1: ours is faster or smaller)."""
    return f"{ours / peer:.2f}" if peer else "―"


def peer_report(results: list[dict], quality: dict | None) -> list[str]:
    """Ours beside SQLite FTS5 (and ripgrep) from the same run, with ours / FTS5 per figure."""
    measured = [r for r in results if r.get("fts5")]
    if not measured and not quality:
        return []
    lines = [
        "",
        "## 同じ実行での比較: SQLite FTS5（trigram、bm25）と ripgrep",
        "",
        "FTS5 は Python 標準の sqlite3 で、同じ合成コーパス・同じ判定付きクエリ（`tests/eval/queries.yaml`）を使います"
        "（`handbook_search.lab.fts5`: 1 ページ 1 行、ours と同じフィールドと重み、trigram トークナイザー、bm25()。"
        "3 文字以上の語は MATCH（すべて、なければいずれか）、2 文字以下の語は LIKE）。索引作成はどちらもプロセス全体"
        "（ページモデルでのコーパスの読み込みを含む）、検索はどちらも抜粋込みで、同じプロセスで 5 回ずつ測りました。"
        "比は ours / FTS5 です（時間とメモリは 1 未満なら ours が速い・小さい、品質は 1 を超えれば ours が良い）。"
        "マシンは共有しているので、絶対値よりも同じ実行の中での比を見てください。",
        "",
        "| 指標 | N | ours | FTS5 | ours / FTS5 | ripgrep |",
        "|---|---|---|---|---|---|",
    ]
    for r in measured:
        f, n = r["fts5"], f"{r['n']:,}"
        rows = [
            ("全体の索引作成（s）", r["index_s"]["median"], f["index_s"]["median"]),
            (
                "索引作成のピークメモリ（MiB、ワーカーを含む合計）",
                r["index_peak_mib"],
                f["index_peak_mib"],
            ),
            ("索引の大きさ（MiB）", r["index_mb"], f["index_mb"]),
            ("検索 p50（ms、温まった状態）", r["warm_ms"]["p50"], f["warm_ms"]["p50"]),
            ("検索 p95（ms、温まった状態）", r["warm_ms"]["p95"], f["warm_ms"]["p95"]),
        ]
        for label, ours, peer in rows:
            lines.append(f"| {label} | {n} | {ours:.1f} | {peer:.1f} | {ratio(ours, peer)} | ― |")
        if r.get("load"):
            one, five, _ = r["load"]
            lines.append(f"| 測り始めたときの負荷（load average、1 分 / 5 分） | {n} | "
                         f"{one:.1f} / {five:.1f} | （同じ実行） | ― | ― |")  # fmt: skip
        rg = f"{r['ripgrep_s']['median']:.3f}" if r.get("ripgrep_s") else "（rg なし）"
        lines.append(f"| コールド検索 `{COLD_QUERY}`（s、プロセス全体） | {n} | "
                     f"{r['cold_s']['median']:.3f} | ― | ― | {rg} |")  # fmt: skip
    if quality:
        for metric in ("success@1", "MRR"):
            ours, peer = quality["ours"][metric], quality["fts5"][metric]
            lines.append(f"| {metric}（実際のコーパス、{quality['queries']} クエリ） | ― | "
                         f"{ours:.3f} | {peer:.3f} | {ratio(ours, peer)} | ― |")  # fmt: skip
    return lines


def pdf_pages(path: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return next((int(x.split()[-1]) for x in info.splitlines() if x.startswith("Pages:")), None)


def bench_pdf(n: int, work: Path, sample: str = "*-synth0000*") -> dict:
    """`make pdf` on N synthetic cases: the whole book (split by 年度 past 200 cases) in one
    process, then the A4 handouts of a sample of cases (all N would dominate the run)."""
    src = work / f"pdf-{n}"
    shutil.copytree(ROOT / "docs", src / "docs")
    generate(n, src / "corpus", ROOT / "corpus")
    out = src / "out"
    cmd = [sys.executable, "-m", "handbook_search.paper", "--src", str(src)]
    cmd += ["--out", str(out / "pdf"), "--doctrees", str(out / "doctrees")]
    load_start = os.getloadavg()[0]  # the machine is shared: the load goes with the figure
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    book_s, book_mib, _ = run_timed([*cmd, "--no-cases"], cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_end = os.getloadavg()[0]
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    volumes = sorted((out / "pdf").glob("handbook*.pdf"))
    pages = [pdf_pages(v) for v in volumes]
    handout_s, _, _ = run_timed([*cmd, "--no-book", "--cases", sample], cwd=ROOT)
    handouts = sorted((out / "pdf" / "cases").glob("*.pdf"))
    return {
        "n": n,
        "date": dt.date.today().isoformat(),
        "cpu": machine()["cpu"],
        "book_s": book_s,
        "book_cpu_s": cpu_s,
        "book_load": [round(load_start, 2), round(load_end, 2)],
        "book_peak_mib": book_mib,
        "volumes": len(volumes),
        "book_mb": sum(v.stat().st_size for v in volumes) / 2**20,
        "book_pages": sum(p or 0 for p in pages),
        "largest_volume_pages": max((p or 0 for p in pages), default=0),
        "handouts": len(handouts),
        "handout_s": handout_s,
        "handout_kb": statistics.median(h.stat().st_size for h in handouts) / 1024,
    }


def chart(results: list[dict], path: Path) -> None:
    """Two small line charts (index time, warm p95) against N on log axes, as SVG."""
    import math

    w, h, pad = 300, 200, 40
    panels = [("全体の索引作成（秒）", [r["index_s"]["median"] for r in results]),
              ("検索 p95（ミリ秒、温まった状態）", [r["warm_ms"]["p95"] for r in results])]  # fmt: skip
    ns = [r["pages"] for r in results]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w + 20}" height="{h + 20}" '
             'font-family="sans-serif" font-size="11">']  # fmt: skip
    for i, (title, ys) in enumerate(panels):
        x0 = i * (w + 20)
        lx = [math.log10(n) for n in ns]
        ly = [math.log10(max(y, 1e-3)) for y in ys]
        xmin, xmax = min(lx), max(lx) if max(lx) > min(lx) else min(lx) + 1
        ymin, ymax = min(ly) - 0.2, max(ly) + 0.2

        def px(v, x0=x0, xmin=xmin, xmax=xmax):
            return x0 + pad + (v - xmin) / (xmax - xmin) * (w - 2 * pad)

        def py(v, ymin=ymin, ymax=ymax):
            return h - pad + 10 - (v - ymin) / (ymax - ymin) * (h - 2 * pad)

        parts.append(f'<text x="{x0 + pad}" y="14" font-weight="bold">{title}</text>')
        parts.append(
            f'<line x1="{x0 + pad}" y1="{h - pad + 10}" x2="{x0 + w - pad}" y2="{h - pad + 10}" stroke="#888"/>'
        )
        parts.append(
            f'<line x1="{x0 + pad}" y1="30" x2="{x0 + pad}" y2="{h - pad + 10}" stroke="#888"/>'
        )
        pts = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(lx, ly, strict=True))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#2962ff" stroke-width="2"/>')
        for a, b, n, y in zip(lx, ly, ns, ys, strict=True):
            parts.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3" fill="#2962ff"/>')
            parts.append(
                f'<text x="{px(a):.1f}" y="{py(b) - 6:.1f}" text-anchor="middle">{y:.3g}</text>'
            )
            parts.append(
                f'<text x="{px(a):.1f}" y="{h - pad + 24}" text-anchor="middle">N={n:,}</text>'
            )
    parts.append("</svg>")
    path.write_text("\n".join(parts), encoding="utf-8")


def verdict(value: float, target: float) -> str:
    return f"{'達成' if value <= target else '未達'}（目標 ≤ {target:g}）"


def report(
    info: dict,
    results: list[dict],
    html: dict | None,
    sites: list[dict] = (),
    pdf: dict | None = None,
    quality: dict | None = None,
) -> str:
    lines = [
        "% textlint-disable",  # generated: the writing rules (textlint) are not applied
        "",
        "# 性能ベンチマーク",
        "",
        f"`make bench` が {info['date']} に測定した結果です。マシン: {info['cpu']}（{info['cores']} コア）、"
        f"Python {info['python']}、{info['platform']}。",
        "コーパスは実際のページの文と実在の自治体名から決まった手順で作った合成データです"
        "（`handbook_search.lab.synth`、事例 N 件 + 実際のテーマ・解説・事例ページ）。時間は中央値（最小〜最大、回数）です。",
        "",
        "![索引作成時間と検索時間（対数軸）](_static/benchmarks.svg)",
        "",
        "| 指標 | " + " | ".join(f"N={r['n']:,}（{r['pages']:,} ページ）" for r in results) + " |",
        "|---" * (len(results) + 1) + "|",
    ]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(r) for r in results) + " |")

    def s(x):
        return f"{x['median']:.3f} s（{x['min']:.3f}〜{x['max']:.3f}、{x['runs']} 回）"

    row("コーパスの大きさ", lambda r: f"{r['corpus_mb']:.1f} MiB")
    row("全体の索引作成", lambda r: s(r["index_s"]))
    row("ページ/秒", lambda r: f"{r['pages_per_s']:.0f}")
    row("索引作成のピークメモリ（ワーカーを含む合計）", lambda r: f"{r['index_peak_mib']} MiB")
    row("1 ページ変更の再索引（プロセス全体）", lambda r: s(r["reindex_s"]))
    row("索引の大きさ", lambda r: f"{r['index_mb']:.1f} MiB")
    row(
        "検索 p50 / p95（温まった状態、抜粋込み）",
        lambda r: (
            f"{r['warm_ms']['p50']:.1f} / {r['warm_ms']['p95']:.1f} ms（{r['warm_ms']['queries']} 回）"
        ),
    )
    row(
        "検索 p50 / p95（温まった状態、語のキャッシュを毎回空にして）",
        lambda r: (
            f"{r['warm_fresh_ms']['p50']:.1f} / {r['warm_fresh_ms']['p95']:.1f} ms"
            f"（{r['warm_fresh_ms']['queries']} 回）"
            if r.get("warm_fresh_ms")
            else "―"
        ),
    )
    row(f"コールド検索 `handbook-search {COLD_QUERY}`", lambda r: s(r["cold_s"]))
    row("コールド検索のピークメモリ", lambda r: f"{r['cold_peak_mib']} MiB")
    row(
        f"ripgrep `rg -c {COLD_QUERY}`",
        lambda r: s(r["ripgrep_s"]) if r["ripgrep_s"] else "（rg なし）",
    )
    row(
        "コールド検索 / ripgrep",
        lambda r: (
            f"{r['cold_s']['median'] / r['ripgrep_s']['median']:.0f} 倍" if r["ripgrep_s"] else "―"
        ),
    )
    if html:
        lines += [
            "",
            f"実際のコーパスの `make html`: {s(html)} → {verdict(html['median'], 30)}",
        ]
    if pdf:
        lines += [
            "",
            f"印刷用 PDF（`make pdf`、N={pdf['n']:,}、`--pdf`、{pdf.get('date', '')} に"
            f"{pdf.get('cpu', '')} で測定）: 全体版 {pdf['book_s']:.0f} s"
            + (
                f"（CPU 時間 {pdf['book_cpu_s']:.0f} s = 平均 {pdf['book_cpu_s'] / pdf['book_s']:.1f}"
                " コア分。2 コアを使い切れば約 CPU 時間の半分）"
                if pdf.get("book_cpu_s")
                else ""
            )
            + (
                f"（load average {pdf['book_load'][0]:.1f} → {pdf['book_load'][1]:.1f}）"
                if pdf.get("book_load")
                else ""
            )
            + f"、{pdf['volumes']} 冊に分冊: 本編 + 年度別の事例編、計 {pdf['book_pages']:,} ページ、"
            f"最大 {pdf['largest_volume_pages']} ページ、{pdf['book_mb']:.1f} MiB、"
            f"ピークメモリ {pdf['book_peak_mib']} MiB → {verdict(pdf['book_s'], 300)}（経過時間）。"
            f"事例ごとの A4: {pdf['handouts']} 件で {pdf['handout_s']:.1f} s"
            f"（Sphinx の起動を含む、1 件 {pdf['handout_kb']:.0f} KB）。",
        ]
    lines += peer_report(results, quality)
    lines += ["", "## 目標との比較", ""]
    labels = {
        "cold_s": ("コールド検索（秒）", lambda r: r["cold_s"]["median"]),
        "warm_p95_ms": ("検索 p95（ミリ秒）", lambda r: r["warm_ms"]["p95"]),
        "index_s": ("全体の索引作成（秒）", lambda r: r["index_s"]["median"]),
        "reindex_s": ("1 ページの再索引（秒）", lambda r: r["reindex_s"]["median"]),
        "index_peak_mib": (
            "索引作成のピークメモリ（MiB、ワーカーを含む合計）",
            lambda r: r["index_peak_mib"],
        ),
    }
    for r in results:
        for key, target in TARGETS.get(r["n"], {}).items():
            label, value = labels[key][0], labels[key][1](r)
            lines.append(f"- N={r['n']:,}: {label} {value:.3f} → {verdict(value, target)}")
    if sites:
        lines += site_report(sites[0].get("machine", info), list(sites))
    return "\n".join(lines) + "\n" + FINDINGS


FINDINGS = """
## 2026-12-07 の測定について

検索の 3 つの大きさ（N=100、1,000、10,000）と FTS5 との比較は、2026-12-07 の夜に
`--sizes 100,1000,10000 --merge --no-html --site-sizes ""` で測りました。ほかの 2 人の作業と共有したマシンで、
各大きさの測り始めの load average は 3.6〜6.5（1 分）でした。絶対値は負荷で大きく動く（N=1,000 の索引作成は静かな
ときに約 13 秒、この実行で 22.9 秒）ので、同じ実行の中の比を見てください。この実行は第 2 段階の「続けて書かれた語」の
加点（ランキングの担当、同じ日）を入れる前のコードです。入れた後のコードで、同じ負荷のもと交互に測った温まった検索
（65 件 × 3 回）は N=1,000 で p50 / p95 9.3 / 15.8 → 10.9 / 24.2 ms、N=10,000 で 24.8 / 68.8 → 20.6 / 49.7 ms と、
誤差の範囲でした。ripgrep の行と success@1 / MRR の行は、その後に同じ日に測り直しました（ripgrep はこの実行のときに
入っていませんでした）。`make html`、PDF、サイトの表は、それぞれの行に書いた日の値です。

## プロファイル: 索引作成（N=1,000、2026-12-07）

`cProfile` で、合成コーパス N=1,000（1,016 ページ）の全体の索引作成を 1 プロセスで（ワーカーなしで）測りました
（load average 約 8、プロファイラーの下で合計 218 秒。比を見てください）。

| 部分 | 累積（秒） | 割合 |
|---|---|---|
| ページモデルの読み込み（`parse_page`: YAML 17 秒、markdown-it 18 秒） | 43.6 | 20 % |
| 解析（`line_tokens`: Sudachi の `tokenize` 32 秒、モード A への分割 2 秒、フィルターと行のキャッシュ約 54 秒） | 88.0 | 40 % |
| whoosh `add_document`（位置の符号化。whoosh は語と文書ごとに位置を pickle します: 5.7 秒） | 33.9 | 16 % |
| whoosh `commit`（`add_postings` 34.5 秒、うちブロックごとの `doc_field_length` 14 秒） | 37.6 | 17 % |

- **以前の並列化の無駄**: 解析はワーカーで並列でしたが、whoosh への書き込み（全体の約 3 分の 1）は親プロセス
  だけで行い、ワーカーは文書と解析した行（語の列）を pickle して親に送っていました（同じ負荷で CPU 時間の合計が
  1 プロセスのときより 17 % 多い: 53.6 秒と 45.9 秒）。いまはコーパスをコアの数だけ連続した範囲に分け、各ワーカーが
  読み込み・解析・書き込みまでを行って自分の範囲を whoosh のセグメント 1 つにし（ロックを取らない
  `SegmentWriter`。whoosh の `MpWriter(multisegment=True)` と同じ組み立て）、親はセグメントをページの順に
  目次（TOC）へ並べるだけです。解析した行も文書もプロセスの間を移りません。CPU 時間の合計は 48.6 秒になりました。
- **whoosh の書き込みの設定**: `procs`（`MpWriter`）は文書の束を空いたサブプロセスに配るため文書の順番が実行ごとに
  変わり（同点の順位が変わる）、サブプロセスの結果を親で 1 つに併合し直すので使いません。`multisegment`: 使います
  （2 コアで 2 セグメント）。最後に 1 つへ併合（`optimize`）すると全ポスティングを 1 プロセスで読み直すので、
  しません。whoosh は BM25F の統計（文書数、平均の長さ、文書頻度）を索引全体（`searcher.get_parent()`）から
  取るので、判定付きクエリとその他の 105 クエリの上位 10 件・スコア・節・抜粋は 1 セグメントのときと同一でした
  （温まった検索は 1 セグメント p50 / p95 149 / 570 と 140 / 521 ms、2 セグメント 142 / 510 と 90 / 369 ms。交互に測定、
  負荷 8 前後で誤差が大きく、遅くはなっていません）。`limitmb`: 256 から 48（ワーカーごと）に下げました。
- **解析**: 同じ行は一度だけ解析します（N=1,000 で 51,471 回の行の解析のうち異なる行は 11,181）。Sudachi の呼び出しを
  ページごとにまとめる（49,149 バイト以内）案は、1,994 行で 1.62 秒が 28 回の呼び出しで 1.51 秒（−7 %）と小さく、
  行ごとのキャッシュと合わないので採りませんでした。品詞を `part_of_speech()` でなく品詞 ID から引く案も差がありません
  （2.0 秒と 2.1 秒）。モード C の語をモード A に分ける `split` は全体の 1 % です。Sudachi 自体が 1 行約 0.8 ms です。
- **保存するもの**: 保存するのは、結果と抜粋に要るページの記録（メタ情報、節の見出し・アンカー・本文、語ごとの表記）
  だけです。whoosh の pickle の大半は保存データではなく、位置の符号化（whoosh の内部）です。
- **メモリ**: ワーカーの解析キャッシュが大きくなっていました（`tracemalloc`、300 ページ: Sudachi の結果の
  キャッシュ 4,096 件で約 80 MB。行のキャッシュの上限 200,000 行は、段落 1 行が数 KB なので 1 GB を超えます）。
  上限を 512 件と 16,384 行にしました。文書はページごとに読み込んで書き、コーパス全体の語の列は持ちません。
- **1 ページの再索引**: プロセスの CPU 時間（負荷 8 前後、`time.process_time`）は、ページモデルの import（pydantic を含む
  `model.schema` 180〜230 ms）、最初のページの読み込み（markdown-it の準備と正規表現、ページの解析 135〜165 ms）、
  Sudachi の辞書 50〜65 ms、filelock の import 約 100 ms（書くときだけ import するようにしました）、whoosh の
  `delete_by_term` が import する `whoosh.query`（英語の語形変化の正規表現を含み約 280 ms。`path` のポスティングから
  文書番号を読んで消すようにしました）、検索エンジンの import 約 140 ms（`index` コマンドは索引だけを開くように
  しました）でした。変更の確認（`changes()`、1,016 ファイルの stat）は 17 ms で、コーパスの大きさにはほとんど
  よりません。

## 第 1 段階を語ごとに計算する（2026-12-07、`search/postings.py`）

上の 2 段階のあとも、時間の大半は whoosh のマッチャーの木（ポスティング 1 件ごと・木の節ごとに Python の
呼び出しが数回）でした。第 1 段階はどのみち全ページのスコアが要る（件数、概念の絞り込み、再ランキング）ので、
同じ値を別の順で計算するようにしました。

- **語ごと**: 語のポスティングをブロック単位（whoosh の W3 形式が持つ文書番号と重みの配列）で読み、whoosh 自身の
  BM25F のスコア計算（索引全体の idf と平均の長さ、セグメントのフィールド長）で採点し、クエリの And / Or /
  AndMaybe / AndNot / Phrase を whoosh のマッチャーと同じく「一致した部分の和 × ブースト」で組み合わせます。
  フレーズは、すべての語がそのフィールドにあるページについてだけ位置を確かめます。
- **同じ答え**: `make eval` は所要時間を除いてバイト単位で同じでした。テスト（`tests/test_postings.py`）は、複数の
  セグメントで 1 ページを変更し 1 ページを削除した索引で、判定付きクエリ（両方のセット）と追加のクエリすべてについて、
  ページ・スコア・順番が whoosh のマッチャーと同じことと、位置が同じことを確かめます。違いが 1 つだけ見つかりました。
  whoosh 2.7.4 の `AndNotMatcher` は、除外する語の最初のページが対象の最初のページより前にあると、対象の最初のページを
  除外し忘れます（`-協議体 通いの場` で、協議体を含むページが 1 件残りました）。新しい計算では除外されます。
- **温まったプロセスのキャッシュ**（`postings.Cache`、検索器と一緒に捨てます）: 語と言い換えのフレーズのスコアを
  配列で（1 ページ 12 バイト、ガベージコレクターの対象外）、第 2 段階のページの位置、概念の絞り込みの答えを持ちます。
  それぞれ最も長く使っていない語から捨てて、上限（スコア 200 万ページ分、位置 30 万ページ分、約 60 MB）を超えません。
  位置をリストで持っていたときは、キャッシュが育つほど世代別 GC の完全な回収（25〜60 ms、回収 0 件）が遅くなって
  p95 を押し上げたので、タプルにしました。保存した記録（抜粋用）をキャッシュする案は、記録の中のリストが GC の対象に
  なって p95 が 26 → 39 ms と悪くなったので、採りませんでした。
- **測定**（CPU 時間、判定付きクエリ 65 件 × 3 回、温まった 1 プロセス、同じ索引、load average 1〜4）:

  | | N=1,000 p50 / p95 | N=10,000 p50 / p95 |
  |---|---|---|
  | whoosh のマッチャー（2 段階） | 91〜95 / 217〜231 ms | ― |
  | 語ごと、キャッシュなし（クエリごとに空） | 50 / 120 ms | ― |
  | 語ごと、キャッシュあり | 10〜14 / 26〜29 ms | 33〜43 / 93〜134 ms |

  キャッシュを毎回空にした値（その語を初めて検索するとき）も、上の表の「語のキャッシュを毎回空にして」の行に
  載せています。コマンドラインの検索は 1 回ごとにプロセスが変わるので、その値はコールド検索のほうに近いものです。
- **長く動くエンジンの鮮度の確認**: 変更の確認（コーパスの全ページの stat）は N=10,000 で約 0.25 秒かかり、
  1 秒ごとに行っていたため、16 回に 1 回ほどのクエリに 0.25 秒が加わっていました。いまは確認にかかった時間の
  50 倍（`CHECK_SHARE`）が過ぎるまで次の確認をしません（時間の 2 % 以下）。
- **mmap を使わない**: whoosh 2.7.4 は mmap した索引のファイルを開くとき、各部分を `BytesIO` にコピーします
  （`BufferFile`）。N=10,000 ではコールド検索が 180 MB の索引を丸ごと読んでいました。mmap なしで開くと、
  コールド検索のピークメモリは 384 → 37 MB、時間は 0.74〜0.82 → 0.56〜0.71 秒になりました（温まった状態の p95 は
  N=10,000 で 93 → 134 ms。ファイルの読み出しになるため。N=1,000 では変わりません）。
- **残り**: コールド検索の時間は、import（約 0.3 秒）、変更の確認（N=10,000 で約 0.25 秒）、初めての語の計算です
  （その後の変更は次の節）。

## 起動・1 ページの再索引・メモリ（2026-12-07 の後半）

- **N=10,000 の温まった検索**: BM25F のフィールド長を、セグメントの長さの列から一度に読むようにしました
  （`postings.field_lengths`。それまでは whoosh の `doc_field_length` をページごとに呼び、結果を辞書に覚えていました）。
  同じ索引・同じ負荷（load average 約 4）で交互に測ると、判定付きクエリ 65 件 × 3 回の p50 / p95 は
  36 / 89 → 16 / 43 ms（CPU 時間の合計 18.5 → 12.1 秒）でした。
- **コールド検索**: 上の変更で、初めての語について 9,551 ページの長さを 1 件ずつ読んでいた分（プロファイラーの下で
  約 50 ms）がなくなりました。静かなとき（load average 0.1〜0.4）の N=10,000 のコールド検索は
  0.29〜0.38 → 0.26〜0.34 秒です。残りは import（whoosh、検索エンジン、Sudachi の辞書）と変更の確認
  （10,016 ファイルの stat、CPU 約 50 ms）です。
- **1 ページの再索引**: 書き込み側も mmap なしで索引を開くようにしました。whoosh 2.7.4 は削除する文書を探すために
  開いたセグメントの各部分を `BytesIO` にコピーするので、N=10,000 では 90 MB のセグメント 2 つを読んでいました。
  静かなときの N=10,000 の 1 ページの再索引は 0.70〜0.77 → 0.42〜0.52 秒です。命令数（valgrind の callgrind、
  負荷によらない）で見ると、N=1,000 の 1 ページの再索引 17.8 億命令のうち、`model.schema` の import（pydantic を含む）が
  約 6 億、Sudachi の辞書の読み込みが約 4.1 億（SudachiPy 0.7.0 は辞書を開くときに 163 万語の項目をすべてたどります:
  `BinaryLexicon::load`）、Python の起動が 0.4 億、残り（markdown-it と myst の準備、whoosh、ページの解析と書き込み）
  が約 7 億でした。pydantic のプラグイン探索を止める（`PYDANTIC_DISABLE_PLUGINS`）案と、モデルの組み立てを
  遅らせる（`defer_build`）案は、命令数が減らなかったので採りませんでした。
- **索引作成のメモリ**: ワーカーの行のキャッシュ（同じ行を一度だけ解析するため、上限 16,384 行）が、語ごとに
  4 つ組のタプル（1 語約 148 バイト）を持っていました。語の文字列を intern し、位置と文字位置を int の配列で持つと
  1 語約 20 バイトで、N=10,000 のコーパスの 1,200 ページを追加した時点の確保量（`tracemalloc`）は 961 → 448 MB に
  なりました（命令数は同じ: 60 ページで 84.6 → 84.3 億）。ピークメモリの行は、ワーカーを含むプロセス全体の合計
  （/proc から 50 ms ごと）になりました。以前の値は wait4 の「最も大きい 1 プロセス」でした。
- **索引作成の時間**: 1 ページの CPU 時間は、1 プロセスで約 18 ms です（300 ページ: Sudachi の `tokenize` 約 6 ms
  （異なる行 3,029 行、43 万語、1 語約 2.9 µs）、フィルター約 1.7 ms、ページモデル約 2.9 ms、whoosh の追加と書き出し
  約 5.4 ms）。2 つのワーカーを同時に動かすと、それぞれ約 35 % 遅くなります（このマシンの 2 コアで 1 ワーカー 500 ページ
  12.5 秒、1 プロセスなら 9 秒）。そのため静かなときの N=1,000 は約 13 秒で、目標の 10 秒には、Sudachi と whoosh の
  書き込み（どちらも語の数に比例）を減らさない限り届きません。

以前の所見（2026-11-26）と、whoosh のマッチャーでの温まった検索のプロファイル（2026-12-07 の前半）は、
このページの git の履歴にあります（どちらも上の節で置き換えました）。

## プロファイル: 印刷用 PDF（`make pdf`、N=1,000、2026-12-07）

合成コーパス N=1,000（1,016 ページ）の全体版（`--no-cases`: 本編と年度別の事例編 12 冊、計 13 冊）を測りました。
2 コアのマシンを 2 人の作業（N=10,000 の索引作成など）と共有していて、経過時間は負荷で大きく変わります。
CPU 時間と一緒に、測り始めと終わりの load average（1 分）を書きます。

| 部分 | CPU 時間 | 内訳 |
|---|---|---|
| Sphinx（親プロセス、1 プロセス）: 読み込みと印刷用 HTML の書き出し | 32.6 s（PDF を作らない実行、経過 48.6 s、負荷 3.7） | `cProfile` の下（合計 102 s）で、起動 22 s（うちコーパスの読み込み `load_corpus` 18 s: YAML をページごとに 3 回読みます）、ページの読み込み 55 s（MyST 27 s、docutils の変換 24 s）、印刷用 HTML 25 s（`get_and_resolve_doctree` 13 s、HTML への変換 7 s） |
| WeasyPrint（ワーカー）: 13 冊 | 360.5 s（各 PDF の CPU 時間の和） | 事例 約 98 件の年度（約 240 ページ）が 31〜38 s、49 件の年度が 15〜19 s、本編 12 s。1 ページ約 0.15 s |
| 事例ごとの A4 1 件 | 0.47 s → 0.39 s | 下の「変えたこと」 |

年度 1 冊（2029 年度、事例 49 件、121 ページ）の WeasyPrint を `cProfile` で測ると（合計 22.4 s、負荷 約 1）:
レイアウト 12.0 s（行の組み立て 6.7 s、うち Pango の行分割 `get_first_line` 2.0 s、情報欄の `display: grid` 2.7 s）、
描画と PDF の書き出し 4.7 s、スタイルの計算 2.1 s、import 1.5 s。フォントの部分集合は HarfBuzz で作るので、
1 冊では小さく（1 冊に 1 回）、事例の A4 では 1 件 0.94 s のうち 0.19 s（20 %、プロファイラーの下）です。
時間は特定の 1 か所ではなく、WeasyPrint のレイアウトの Python コード全体に広がっています。

- **変えたこと**: PDF を `spawn` のワーカーで作ります（fork すると、1,000 ページの環境を持つ Sphinx のプロセスと
  Pango の状態を写すため）。HTML の大きい順に始めるので、いちばん長い年度が最後に 1 冊だけ残りません（前は
  新しい年度から並べていたため、事例の多い古い年度が最後でした）。ワーカーごとに WeasyPrint の
  `FontConfiguration`（fontconfig の設定と Pango のフォントマップ、Noto CJK のコレクションを開く）と解析済みの
  `paper.css` を 1 つだけ作って使い回します（事例の A4 1 件の CPU 時間 0.47 → 0.39 s。PDF は pdftotext で同じ文字、
  同じ大きさ）。`--workers N`（既定は CPU のコア数、`make pdf PDF_ARGS="--workers 1"`）と、PDF が 1 つできるごとの
  1 行（`PDF を作りました（3/13）: …（CPU 31.0 秒）`）を足しました。
- **測定**（同じコーパス、`/usr/bin/time`、`--no-cases`）:

  | | 経過時間 | CPU 時間（子プロセスを含む） | 負荷（始め → 終わり） |
  |---|---|---|---|
  | 前（fork のワーカー、新しい年度から） | 446 s | 553 s（平均 1.24 コア） | 3.0 → 1.6 |
  | 後（spawn、大きい順） | 476 s | 406 s（平均 0.85 コア） | 2.2 → 4.6 |
  | 後（`make bench --pdf 1000`） | 431 s | 326 s（平均 0.76 コア） | 3.9 → 6.5 |

  1 冊ごとの WeasyPrint の仕事は前と同じなので、CPU 時間の差（553 → 406・326 s）の多くは、2 コアを分け合う負荷の
  違いによるばらつきと見ています（減ったと言えるのは事例の A4 の 1 件 0.47 → 0.39 s です）。変わったのは
  2 コアの使い方（大きい順、最後に 1 冊だけ残らない）で、経過時間は同じ負荷では比べられません（後の 2 回では、
  ほかの作業に押されてワーカー 1 つあたり約 0.4 コアでした）。空いた 2 コアでの見込みは、Sphinx の 33 s +
  WeasyPrint 360 s ÷ 2 ≒ 約 215 s です（目標 300 s 以内）。ここでは負荷のない 2 コアを得られず、確かめていません。
- **試して採らなかったこと**: 情報欄を `display: grid` から float にすると、2029 年度の 1 冊の CPU 時間が
  13.6 → 11.7 s（−14 %）になりましたが、改ページが変わって 121 → 114 ページになりました（PDF の内容を変えない
  条件に合わず、見た目の確認も要るため採りませんでした）。Sphinx の並列読み込み（`-j 2`）は、PDF を作らない
  実行で経過 48.6 → 67.9 s、CPU 32.6 → 46.6 s と遅く、ビルダーが並列の書き出しに対応していない警告
  （`doing serial write`）が `-W` で失敗になります。
- **残り**: 事例ごとの A4 を 1,000 件すべて作る `make pdf` は、さらに 1,000 × 0.39 s ≒ 390 s の CPU 時間が加わり、
  空いた 2 コアでも 300 s を超える見込みです（測っていません）。印刷用 HTML を書き終える前に作り始めること
  （Sphinx の書き出しと WeasyPrint を重ねる）、情報欄の grid を改ページの変わらない形に置き換えること、YAML を
  ページごとに 1 回だけ読むことが次の候補です。
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handbook_search.lab.bench", description="性能を測ります。"
    )
    parser.add_argument("--sizes", default="100,1000,10000", help="事例ページ数（カンマ区切り）")
    parser.add_argument(
        "--repeats", type=int, default=3, help="全体の索引作成の回数（N=10,000 は 1 回）"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="結果を書くフォルダ")
    parser.add_argument("--no-html", action="store_true", help="make html の測定を省く")
    parser.add_argument(
        "--site-sizes", default="100,1000", help="サイトを作って測る事例ページ数（空で省略）"
    )
    parser.add_argument(
        "--pdf",
        type=int,
        default=0,
        help="事例 N 件で make pdf を測る（数分かかるため既定では省く）",
    )
    parser.add_argument(
        "--merge", action="store_true", help="測らなかった大きさは前回の benchmarks.json の値を使う"
    )
    parser.add_argument(
        "--render", action="store_true", help="測らずに benchmarks.json から書き直す"
    )
    args = parser.parse_args(argv)
    raw = args.out / "benchmarks.json"
    old = json.loads(raw.read_text(encoding="utf-8")) if raw.exists() else None
    if args.render:
        info, results, html = old["machine"], old["results"], old["html"]
        sites = old.get("sites", [])
        pdf = old.get("pdf")
        quality = old.get("quality")
    else:
        sizes = [int(x) for x in args.sizes.split(",") if x]
        info, results = machine(), []
        if args.merge and old and not sizes:  # the search rows keep their own date and machine
            info = old["machine"]
        with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
            work = Path(tmp)
            for n in sizes:
                results.append(bench_size(n, work, 1 if n >= 10_000 else args.repeats))
            html = None if args.no_html else bench_html(work)
            site_sizes = [int(x) for x in args.site_sizes.split(",") if x]
            sites = [dict(bench_site(n, work), machine=machine()) for n in site_sizes]
            pdf = bench_pdf(args.pdf, work) if args.pdf else None
            quality = bench_quality(work) if sizes else None
        if args.merge and old:
            results += [r for r in old["results"] if r["n"] not in sizes]
            results.sort(key=lambda r: r["n"])
            html = html or old.get("html")
            sites += [s for s in old.get("sites", []) if s["n"] not in site_sizes]
            sites.sort(key=lambda s: s["n"])
            pdf = pdf or old.get("pdf")
            quality = quality or old.get("quality")
        args.out.mkdir(parents=True, exist_ok=True)
        data = {"machine": info, "results": results, "html": html, "sites": sites, "pdf": pdf,
                "quality": quality}  # fmt: skip
        raw.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    text = report(info, results, html, sites, pdf, quality)
    print(text)
    (args.out / "_static").mkdir(parents=True, exist_ok=True)
    chart(results, args.out / "_static" / "benchmarks.svg")
    (args.out / "benchmarks.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
