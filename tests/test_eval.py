"""Search quality must not regress: floors set from the measured numbers (docs/evaluation.md)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from handbook_search.lab.evaluate import load_queries, run_sets, score
from handbook_search.model.corpus import load_corpus

QUERIES = ROOT / "tests" / "eval" / "queries.yaml"
HELDOUT = ROOT / "tests" / "eval" / "heldout.yaml"

# Measured 2026-12-07 on the real corpus (success@1 / success@3 / MRR / nDCG@5 / recall@10):
# tuning set 0.923 / 1.000 / 0.956 / 0.958 / 0.985, held-out set 0.853 / 1.000 / 0.922 / 0.944 /
# 0.971. The floors keep a margin: a valid new case (make test-grown) may take a place in a top 3.
# Grown corpora measured at worst, 15 of 8 cases (seeds 627165 630224 11 22 33 44 55 1-8): tuning
# 0.862 / 0.985 / 0.924 / 0.920 / 0.974, held-out 0.853 / 0.971 / 0.916 / 0.923 / 0.971; 12 of 30
# cases (the pull-request job; seeds 627165 630224 11 22 33 44 55 1-5): tuning 0.831 / 0.969 /
# 0.902 / 0.897 / 0.918, held-out 0.853 / 0.971 / 0.907 / 0.916 / 0.941. Thirty cases crowd the
# tuning set's top 10 and top 5: its former recall@10 floor 0.94 was red there before this ranking
# too (0.936 at seed 627165), and nDCG@5 0.897 is within one query of the former 0.89, so those two
# are set from the 30-case runs (0.90, 0.88); the others move up.
FLOORS = {
    "tuning": {
        "success@1": 0.81,
        "success@3": 0.95,
        "MRR": 0.89,
        "nDCG@5": 0.88,
        "recall@10": 0.90,
    },
    "heldout": {
        "success@1": 0.83,
        "success@3": 0.95,
        "MRR": 0.89,
        "nDCG@5": 0.90,
        "recall@10": 0.92,
    },
}


@pytest.fixture(scope="module")
def sets():
    files = {"tuning": QUERIES, "heldout": HELDOUT}
    return run_sets(ROOT / "corpus", files, only=["bigram", "ours"])


@pytest.fixture(scope="module")
def results(sets):
    return sets["tuning"].results


def test_judged_queries_are_well_formed():
    pages = load_corpus(ROOT / "corpus").pages
    queries = load_queries(QUERIES, pages)
    heldout = load_queries(HELDOUT, pages)
    assert len(queries) >= 40 and len(heldout) >= 30
    assert all(any(g == 2 for g in q.grades.values()) for q in queries + heldout)
    types = {q.type for q in queries}
    assert {"word", "compound", "question", "variant", "abbreviation", "place", "year"} <= types
    # the held-out set is its own: tuning on one set and checking on the other needs two sets
    assert not {q.query for q in queries} & {q.query for q in heldout}


@pytest.mark.parametrize(
    ("name", "metric"), [(n, m) for n, floors in FLOORS.items() for m in sorted(floors)]
)
def test_ours_stays_above_its_floor(sets, name, metric):
    assert sets[name].results["ours"]["all"][metric] >= FLOORS[name][metric]


def test_ours_beats_the_bigram_baseline(results):
    assert results["ours"]["all"]["MRR"] >= results["bigram"]["all"]["MRR"]
    assert results["ours"]["all"]["recall@10"] > results["bigram"]["all"]["recall@10"]


def test_metrics():
    grades = {"a": 2, "b": 1}  # nDCG: (3/log2(3) + 1/2) / (3 + 1/log2(3)) = 0.659
    assert score(["x", "a", "b"], grades) == pytest.approx(
        {"success@1": 0.0, "success@3": 1.0, "MRR": 0.5, "nDCG@5": 0.659, "recall@10": 1.0},
        abs=1e-3,
    )
