"""Stance evaluation: the FNC score, per-label figures, fixed splits, floors and skips without data."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.learn import eval_stance, train_stance
from pipeline.learn.eval_stance import below_floors, fnc_score, label_metrics
from pipeline.learn.stance_data import claim_clusters, holdout_keys, split_fnc1


def test_fnc_score_on_hand_computed_example():
    gold = ["asserts", "unrelated", "denies", "reports", "unrelated"]
    pred = ["asserts", "unrelated", "reports", "unrelated", "denies"]
    # max = 1 + .25 + 1 + 1 + .25 = 3.5; got = 1 (exact) + .25 + .25 (related call only) + 0 + 0 = 1.5
    assert fnc_score(gold, pred) == pytest.approx(100 * 1.5 / 3.5)
    assert fnc_score(gold, gold) == pytest.approx(100.0)


def test_label_metrics_per_label_f1():
    figures = label_metrics(["asserts", "denies", "denies"], ["asserts", "denies", "asserts"],
                            ["asserts", "denies"])
    assert figures["accuracy"] == pytest.approx(2 / 3)
    assert figures["f1_asserts"] == pytest.approx(2 / 3)
    assert figures["f1_denies"] == pytest.approx(2 / 3)


def test_headline_split_is_disjoint_and_fixed():
    df = pd.DataFrame({"claim": [f"h{i % 10}" for i in range(50)], "body": "b", "label": "unrelated"})
    train, held = split_fnc1(df)
    assert set(train["claim"]).isdisjoint(held["claim"])
    assert held["claim"].nunique() == 2
    assert holdout_keys([f"h{i}" for i in range(10)]) == set(held["claim"])


def test_claim_clusters_join_headlines_through_related_bodies():
    clusters = claim_clusters(["a", "b", "c", "a"], ["x", "x", "y", "y"],
                              ["asserts", "reports", "denies", "unrelated"])
    assert clusters[0] == clusters[1] == clusters[3]
    assert clusters[2] != clusters[0]


def test_below_floors_names_the_failing_figure():
    assert below_floors({"fnc_score": 85.0, "macro_f1": 0.5}, {"fnc_score": 82, "macro_f1": 0.6}) == [
        "macro_f1 = 0.5000 < floor 0.6"
    ]


def test_eval_and_train_skip_without_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMS_EVAL_DIR", str(tmp_path))
    assert eval_stance.main(["fnc1", "--check"]) == 0
    assert eval_stance.main(["emergent", "--check"]) == 0
    assert train_stance.main(["--out", str(tmp_path / "m.joblib")]) == 0
    out = capsys.readouterr().out
    assert out.count("not found") == 3
    assert not (tmp_path / "m.joblib").exists()
