"""Search quality must not regress: floors set from the measured numbers (docs/evaluation.md)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from handbook_search.lab.evaluate import load_queries, run, score
from handbook_search.model.corpus import load_corpus

QUERIES = ROOT / "tests" / "eval" / "queries.yaml"

# Measured 2026-11-26 on the real corpus: ours 0.785 / 0.938 / 0.868 / 0.884 / 0.977.
FLOORS = {"success@1": 0.74, "success@3": 0.90, "MRR": 0.83, "nDCG@5": 0.85, "recall@10": 0.94}


@pytest.fixture(scope="module")
def results():
    return run(ROOT / "corpus", QUERIES, only=["bigram", "ours"])[0]


def test_judged_queries_are_well_formed():
    queries = load_queries(QUERIES, load_corpus(ROOT / "corpus").pages)
    assert len(queries) >= 40
    assert all(any(g == 2 for g in q.grades.values()) for q in queries)
    types = {q.type for q in queries}
    assert {"word", "compound", "question", "variant", "abbreviation", "place", "year"} <= types


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_ours_stays_above_its_floor(results, metric):
    assert results["ours"]["all"][metric] >= FLOORS[metric]


def test_ours_beats_the_bigram_baseline(results):
    assert results["ours"]["all"]["MRR"] >= results["bigram"]["all"]["MRR"]
    assert results["ours"]["all"]["recall@10"] > results["bigram"]["all"]["recall@10"]


def test_metrics():
    grades = {"a": 2, "b": 1}  # nDCG: (3/log2(3) + 1/2) / (3 + 1/log2(3)) = 0.659
    assert score(["x", "a", "b"], grades) == pytest.approx(
        {"success@1": 0.0, "success@3": 1.0, "MRR": 0.5, "nDCG@5": 0.659, "recall@10": 1.0},
        abs=1e-3,
    )
