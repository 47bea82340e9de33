"""A grown-corpus run (`make test-grown`): the repository copied to a temporary folder, N valid
cases added the way a contributor adds them (`handbook-search new case`, then every section,
the summary and the sources filled in), and the whole `make test` run there.

The towns are drawn with a seed printed at the start and on failure; `GROWN_SEED=…` replays a run.
Across runs the cases cover every prefecture (every 厚生局), 市・町・村 and 東京都の特別区, the
longest names, all 10 themes, a year newer than any in the corpus, one year with many cases
(20+ when N allows), and cases with and without population figures. Each generated case names
a word only its body contains (GROWN_WORD_KEY in its summary), for the site and search tests.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from handbook_search.lab.synth import figures
from handbook_search.model.rules import PLACEHOLDER
from handbook_search.model.schema import MAX_NAME
from handbook_search.model.vocab import PREFECTURES, THEMES, wareki

GROWN_MARKER = "grown"  # the slug of every generated case starts with it: <pref>-grownNNN-<year>.md
WORD_NOUNS = (
    "見守り",
    "回覧",
    "縁側",
    "茶話",
    "通い",
    "送迎",
    "菜園",
    "手仕事",
    "歩こう",
    "語らい",
)
WORD_TAILS = ("便", "帳", "広場", "会", "隊", "日和", "講座", "市場")
_HEADS = ("北", "南", "東", "西", "上", "下", "新", "大", "小", "中", "奥", "高", "若", "白")
_STEMS = ("川", "山", "野", "原", "田", "沢", "浜", "島", "森", "谷", "里", "岡", "瀬", "崎", "松")
_KANA_HEADS = ("いちき", "かすみ", "つくば", "みなみ", "さくら")
# longer than any real name (about 8) and short enough for the kanji-run rule of textlint
LONGEST = 10
assert LONGEST <= MAX_NAME
_WARDS = ("千代田区", "中央区", "港区", "新宿区", "世田谷区", "江戸川区", "葛飾区", "板橋区")


def town_name(rng: random.Random, kind: str, longest: bool = False) -> str:
    """A plausible synthetic name ending in 市/町/村. The longest are like the longest real ones
    (いちき串木野市, 7 characters) and longer: kana then kanji, LONGEST characters in all."""
    size = LONGEST - 4 if longest else rng.randint(2, 4)
    stem = rng.choice(_HEADS)
    while len(stem) < size:  # no kanji twice in a row (東松松町): real names write 々
        stem += rng.choice([c for c in _STEMS if c != stem[-1]])
    return (rng.choice(_KANA_HEADS) if longest else "") + stem + kind


def plan(n: int, seed: int, newest_year: int, busy_year: int) -> list[dict]:
    """What the n cases are: prefecture, municipality, year, themes, figures or not."""
    rng = random.Random(seed)
    prefs = list(PREFECTURES)
    rng.shuffle(prefs)
    busy = max(n - n // 4 - 1, min(n, 3))  # most cases in one year: 20+ at n=30, several at n=8
    out = []
    for i in range(n):
        kind = "区" if i % 8 == 3 else ("市", "町", "村")[i % 3]
        pref = "東京都" if kind == "区" else prefs[i % len(prefs)]
        if kind == "区":
            name = _WARDS[rng.randrange(len(_WARDS))]
        else:
            name = town_name(rng, kind, longest=i % 7 == 1)
        year = busy_year if i < busy else newest_year + 1 + (i % 2)
        themes = sorted({(seed + i) % 10 + 1, *rng.sample(list(THEMES), rng.randint(0, 2))})
        word = f"{name[:-1]}{rng.choice(WORD_NOUNS)}{rng.choice(WORD_TAILS)}{i}"
        out.append(dict(i=i, pref=pref, name=name, year=year, themes=themes, word=word))
    # the ward names repeat across draws: keep (prefecture, municipality, year) unique
    seen = set()
    for case in out:
        while (case["pref"], case["name"], case["year"]) in seen:
            case["name"] = town_name(rng, "区")
        seen.add((case["pref"], case["name"], case["year"]))
    return out


def body(case: dict, rng: random.Random) -> dict[str, str]:
    """Valid Japanese text under each standard heading (です・ます, no invented figures)."""
    name, pref, word = case["name"], case["pref"], case["word"]
    year = wareki(case["year"])
    topics = "・".join(THEMES[t] for t in case["themes"])
    return {
        "概要": f"{pref}{name}は、{year}に{topics}をテーマとして伴走支援を受けた事例です。"
        f"町内の取組に「{word}」と名前を付け、住民と一緒に進めました。",
        "地域の状況": f"{name}は、住民どうしのつながりを大切にしてきた地域です。"
        "担当者は、地域の集まりが減っていることを課題として挙げています。",
        "支援テーマと課題": f"支援のテーマは{topics}です。"
        "取り組む前は、関係者が集まって話し合う場が少ないことが課題でした。",
        "支援の経過": "支援は現地での打合せとオンラインでの打合せを組み合わせて進めました。"
        "打合せのたびに、次に試すことを関係者で確かめました。",
        "主な取組": f"住民と担当者が一緒に「{word}」の進め方を話し合いました。"
        "話し合いの結果を地域の集まりで紹介しました。",
        "成果・気づき": "関係者が同じ目標を持って話し合えるようになったと振り返っています。",
        "今後の展開": "次の年度も、住民と一緒に取組を続ける予定です。",
    }


def fill(path: Path, case: dict, rng: random.Random) -> None:
    """Replace what the scaffold leaves for the contributor (【記入】 and the hints)."""
    year = case["year"]
    sections = body(case, rng)
    title_tail = f"{case['word'].rstrip('0123456789')}で地域をつなぐ"
    source = f"{wareki(year)}地域づくり加速化事業 {case['name']}報告資料"
    publisher = f"{case['pref']}{case['name']}"
    out, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("summary:"):
            line = f"summary: {sections['概要'].split('。')[0]}。"
            if case["i"] % 2 == 0:
                out += figures(rng, year).splitlines()
        line = line.replace(f"{PLACEHOLDER}取組を一言で", title_tail)
        line = line.replace(f"{PLACEHOLDER}資料のタイトル（発行者、令和N年M月D日）", "")
        line = line.replace(f"{PLACEHOLDER}資料のタイトル", source)
        if line.lstrip().startswith("publisher:"):
            line = f"    publisher: {publisher}"
        if line.lstrip().startswith("date:"):
            line = f"    date: {year + 1}-03-15"
        if line.startswith("## "):
            current = line[3:]
        if line.startswith("% "):
            line = sections.get(current, "")
            if current == "出典":
                line = f"{source}（{publisher}、{wareki(year + 1)[:-2]}年3月15日）"
        if line == "- " and current == "出典":
            continue
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def copy_repo(src: Path, dest: Path) -> None:
    """The tracked files (and uncommitted changes to them), the installed .venv and node_modules."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=src,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for rel in filter(None, listed):
        if not (src / rel).is_file():
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, dest / rel)
    for shared in (".venv", "node_modules"):
        if (src / shared).exists():
            (dest / shared).symlink_to((src / shared).resolve())


def add_cases(root: Path, n: int, seed: int) -> list[dict]:
    from handbook_search.model.corpus import load_corpus

    corpus = load_corpus(root / "corpus")
    years = [p.meta.fiscal_year for p in corpus.cases()]
    busy_year = max(set(years), key=years.count) if years else 2024
    cases = plan(n, seed, max(years, default=2024), busy_year)
    rng = random.Random(seed)
    cli = [str(root / ".venv" / "bin" / "handbook-search")]
    for case in cases:
        slug = f"{GROWN_MARKER}{case['i']:03d}"
        done = subprocess.run(
            cli
            + ["new", "case", "--corpus", str(root / "corpus"), "--slug", slug]
            + ["--municipality", case["name"], "--prefecture", case["pref"]]
            + ["--year", str(case["year"]), "--themes", ",".join(map(str, case["themes"]))],
            cwd=root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode:
            sys.exit(f"new case に失敗しました（GROWN_SEED={seed}）: {done.stderr}")
        path = Path(done.stdout.split(": ", 1)[1].splitlines()[0])
        fill(root / path if not path.is_absolute() else path, case, rng)
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=int(os.environ.get("GROWN_CASES") or 30))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("GROWN_SEED") or 0) or None)
    ap.add_argument("--keep", action="store_true", help="一時フォルダを消さずに残します")
    ap.add_argument("--repo", type=Path, default=Path.cwd())
    args = ap.parse_args(argv)
    seed = args.seed or int(time.time()) % 1_000_000
    print(f"grown run: {args.cases} cases, GROWN_SEED={seed}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="handbook-grown-"))
    try:
        copy_repo(args.repo.resolve(), tmp)
        add_cases(tmp, args.cases, seed)
        env = dict(os.environ, PYTHONPATH=str(tmp / "src"), GROWN_RUN="1")
        # -o: the shared .venv and node_modules count as up to date (no reinstall in the copy)
        make = ["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", "test"]
        code = subprocess.run(make, cwd=tmp, env=env).returncode
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if code:
        print(
            f"grown run FAILED: GROWN_CASES={args.cases} GROWN_SEED={seed} make test-grown "
            f"replays it{' (kept in ' + str(tmp) + ')' if args.keep else ''}",
            file=sys.stderr,
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
