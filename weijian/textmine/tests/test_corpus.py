"""The shared corpus scored with the shared scorer: the bars this engine reaches.

Reads <repo>/../shared/corpus and <repo>/../shared/tools/score.py; skips (with the reason)
where they are not present, e.g. in a checkout outside the project workspace."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from weijian.textmine import analyze, read

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus"
SCORER = REPO.parent / "shared" / "tools" / "score.py"

pytestmark = pytest.mark.skipif(
    not (CORPUS.is_dir() and SCORER.is_file()), reason=f"shared corpus not present at {CORPUS}"
)


@pytest.fixture(scope="module")
def scored():
    spec = importlib.util.spec_from_file_location("score", SCORER)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    rows = []
    for gold_path in sorted(CORPUS.glob("*.gold.json")):
        doc = gold_path.with_name(gold_path.name[: -len(".gold.json")] + ".txt")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pred = json.loads(json.dumps(analyze(read(doc)).to_dict(), ensure_ascii=False))
        rows.append((gold, pred, score.score_doc(gold, pred)))
    assert rows, "corpus has no gold files"
    return score, rows


def _total(rows, key):
    return [sum(s[key][i] for _, _, s in rows) for i in range(3)]


def test_every_task_is_found_with_the_right_owners(scored):
    score, rows = scored
    tp, pred, gold = _total(rows, "tasks")
    assert score.prf(tp, pred, gold)[2] == 1.0
    assert sum(s["owners_ok"] for _, _, s in rows) == gold


def test_defects_reach_precision_and_recall_of_four_in_five(scored):
    score, rows = scored
    p, r, _ = score.prf(*_total(rows, "defects"))
    assert p >= 0.8 and r >= 0.8


def test_kind_region_and_year_are_right_on_every_document(scored):
    _, rows = scored
    assert sum(s["meta"] for _, _, s in rows) == 3 * len(rows)


def test_sections_match_the_gold_headings(scored):
    _, rows = scored
    for gold, pred, _ in rows:
        expected = [(s["num"], s["level"], s["title"]) for s in gold["sections"]]
        assert [(s["num"], s["level"], s["title"]) for s in pred["sections"]] == expected, gold["doc"]
