"""A deterministic synthetic corpus for benchmarks: N case pages made from the real corpus.

Sentences come from the real pages (so the vocabulary, sentence length and term distribution are
those of the handbook); municipality names and prefectures come from the real corpus (the
加速化事業's list of target municipalities). The same N and seed always give the same files.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from handbook_search.model.corpus import SYNONYMS_FILE, load_corpus
from handbook_search.model.rules import CASE_SECTIONS
from handbook_search.model.vocab import BUREAU_OF_PREFECTURE, PREFECTURE_ROMAJI, PREFECTURES, THEMES

SYNTH_GLOB = "*-synth*.md"  # the synthetic cases' file names (<prefecture>-synthNNNNN-<year>.md)

_PLACE = re.compile(r"(北海道|東京都|(?:京都|大阪)府|\S{2,3}県)\s*\|?\s*(\S{1,5}?[市町村])\b")


def real_places(corpus_root: Path) -> list[tuple[str, str]]:
    """(prefecture, municipality) pairs named in the real corpus (tables of target municipalities)."""
    found = set()
    for page in load_corpus(corpus_root).pages:
        for line in page.text.splitlines():
            cells = [c.strip() for c in line.split(" ") if c.strip()]
            for i, cell in enumerate(cells[:-1]):
                nxt = cells[i + 1]
                if cell in PREFECTURES and re.fullmatch(r"[^\s]{1,6}[市町村]", nxt):
                    found.add((cell, nxt))
        if page.kind == "case":
            found.add((page.meta.prefecture, page.meta.municipality))
    return sorted(found)


def sentences(corpus_root: Path) -> list[str]:
    out = []
    for page in load_corpus(corpus_root).pages:
        for s in page.sections:
            out += [
                x.strip() + "。"
                for x in s.text.replace("\n", "").split("。")
                if len(x.strip()) > 15
            ]
    return out


def figures(rng: random.Random, year: int) -> str:
    """Front matter lines of a plausible population and aging rate, as of October of `year`."""
    population = round(10 ** rng.uniform(3.3, 5.8))
    return (
        f"population: {population}\npopulation_as_of: {year}-10-31\n"
        f"aging_rate: {rng.uniform(18, 52):.1f}\naging_rate_as_of: {year}-10-31\n"
    )


def generate(n: int, dest: Path, corpus_root: Path, seed: int = 20261126) -> Path:
    """Write a corpus of the real non-case pages plus `n` synthetic cases into `dest`."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for sub in ("themes", "guides", "cases"):
        shutil.copytree(corpus_root / sub, dest / sub)
    shutil.copy(corpus_root / "glossary.md", dest / "glossary.md")
    if (corpus_root / SYNONYMS_FILE).exists():
        shutil.copy(corpus_root / SYNONYMS_FILE, dest / SYNONYMS_FILE)
    places = real_places(corpus_root)
    pool = sentences(corpus_root)
    years = list(range(2018, 2030))
    real = {p.identity for p in load_corpus(corpus_root).by_kind("case")}
    made, k = 0, -1
    while made < n:
        k += 1
        pref, name = places[k % len(places)]
        round_ = k // len(places)
        year = years[round_ % len(years)]
        if round_ >= len(years):  # more cases than real (place, year) pairs: number them
            name = f"{name}第{round_ // len(years)}区"
        if ("case", pref, name, year) in real:
            continue
        i, made = made, made + 1
        themes = sorted(rng.sample(list(THEMES), rng.randint(1, 3)))
        body = []
        for title in CASE_SECTIONS:
            body.append(f"## {title}\n")
            count = rng.randint(2, 6)
            body.append(
                "".join(rng.choice(pool).replace("出雲市", name) for _ in range(count)) + "\n"
            )
        title = f"{name}（{pref}）{year}年度の取組"
        # most real reports give the town's figures, some do not
        town = figures(rng, year) if rng.random() < 0.6 else ""
        text = f"""---
kind: case
title: {title}
municipality: {name}
prefecture: {pref}
bureau: {BUREAU_OF_PREFECTURE[pref]}
fiscal_year: {year}
themes: {themes}
{town}summary: 合成した事例（ベンチマーク用）
sources:
  - title: 合成データ
    publisher: handbook-search bench
    date: {year + 1}-03-31
---
# {title}

""" + "\n".join(body)
        (dest / "cases" / f"{PREFECTURE_ROMAJI[pref]}-synth{i:05d}-{year}.md").write_text(
            text, encoding="utf-8"
        )
    return dest
