"""Accuracy against ground truth we did not write: Checkov's fixtures and expectations."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from checkov_corpus import DISAGREEMENTS, corpus_dir, peers, score_all  # type: ignore[import-not-found]

ROOT = corpus_dir()
pytestmark = pytest.mark.skipif(not (ROOT / "checkov" / "MANIFEST.json").is_file(),
                                reason=f"external corpus not found at {ROOT} (set CROWNJEWEL_CORPUS)")


@pytest.fixture(scope="module")
def scores():
    return {s.check_id: s for s in score_all(ROOT)}


def test_we_cover_many_checkov_concepts(scores) -> None:
    assert len(scores) >= 30, sorted(scores)
    assert set(scores) <= set(peers())


def test_every_covered_concept_meets_the_target(scores) -> None:
    below = {}
    for check_id, s in scores.items():
        unexplained_fn = [a for a in s.fn if (check_id, a) not in DISAGREEMENTS]
        unexplained_fp = [a for a in s.fp if (check_id, a) not in DISAGREEMENTS]
        total_fail = len(s.tp) + len(unexplained_fn)
        recall = len(s.tp) / total_fail if total_fail else 1.0
        flagged = len(s.tp) + len(unexplained_fp)
        precision = len(s.tp) / flagged if flagged else 1.0
        if recall < 0.95 or precision < 0.95:
            below[check_id] = {"fn": unexplained_fn, "fp": unexplained_fp}
    assert not below, below


def test_disagreements_are_real(scores) -> None:
    """Every documented disagreement still is one (no stale excuses)."""
    for (check_id, address), reason in DISAGREEMENTS.items():
        s = scores[check_id]
        assert address in s.fn + s.fp, f"{check_id} {address} now agrees with Checkov; drop: {reason}"
