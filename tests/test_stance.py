"""Document stance: the committed model on hand-written pairs, the FNC score, splits and skips."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import eval_stance, train_stance
from pipeline.eval_stance import (
    below_floors, claim_clusters, fnc_score, holdout_keys, label_metrics, split_fnc1,
)
from pipeline.models import DocumentStanceLabel
from pipeline.stance import DEFAULT_MODEL_PATH, StanceModel, content_tokens, split_sentences

CLAIM = "The city council voted to ban plastic bags in all supermarkets"

AGREEING_BODY = (
    "The city council on Tuesday voted to ban plastic bags in all supermarkets. "
    "The ban on plastic bags was approved by nine votes to two and takes effect in January. "
    "Supermarkets will have to offer paper or reusable bags instead. "
    "Environmental groups welcomed the council's vote, saying plastic bags clog drains and harm wildlife. "
    "The mayor said the ban on plastic bags was long overdue and confirmed she would sign it."
)

REFUTING_BODY = (
    "Reports that the city council voted to ban plastic bags in supermarkets are false, the council said. "
    "A council spokeswoman denied that any vote on plastic bags had taken place, calling the story a hoax. "
    "\"There was no vote and there is no ban,\" she said. \"This is fake news.\" "
    "The claim about a plastic bag ban spread on social media after a satirical website published it. "
    "Fact-checkers also found the story to be untrue and said the supermarkets had not been told of any ban."
)

UNRELATED_BODY = (
    "The home side scored twice in the second half to win the derby and climb to third in the league. "
    "Their striker headed in from a corner before a late penalty sealed the result. "
    "The coach praised his defence, which has now kept four clean sheets in a row. "
    "Next week the team travels north for a cup tie against last season's champions."
)


@pytest.fixture(scope="module")
def model() -> StanceModel:
    if not DEFAULT_MODEL_PATH.exists():
        pytest.skip("no committed stance model; run `python -m pipeline.train_stance`")
    return StanceModel.load()


def test_agreeing_body_asserts(model):
    [pred] = model.predict([CLAIM], [AGREEING_BODY])
    assert pred.label == DocumentStanceLabel.ASSERTS
    assert pred.relatedness > 0.5


def test_refuting_body_denies(model):
    [pred] = model.predict([CLAIM], [REFUTING_BODY])
    assert pred.label == DocumentStanceLabel.DENIES
    assert pred.relatedness > 0.5


def test_unrelated_body_is_unrelated(model):
    [pred] = model.predict([CLAIM], [UNRELATED_BODY])
    assert pred.label == DocumentStanceLabel.UNRELATED
    assert pred.relatedness < 0.5
    assert pred.confidence > 0.5


def test_predictions_are_pairwise_and_in_order(model):
    bodies = [UNRELATED_BODY, AGREEING_BODY, REFUTING_BODY, AGREEING_BODY]
    preds = model.predict([CLAIM] * len(bodies), bodies)
    assert [p.label for p in preds] == [
        DocumentStanceLabel.UNRELATED, DocumentStanceLabel.ASSERTS,
        DocumentStanceLabel.DENIES, DocumentStanceLabel.ASSERTS,
    ]
    assert preds[1] == preds[3]
    assert all(0.0 <= p.confidence <= 1.0 and 0.0 <= p.relatedness <= 1.0 for p in preds)


def test_short_statement_denying_the_claim(model):
    statement = "Officials denied the report that the council voted to ban plastic bags, calling it false."
    [label] = model.predict_related_only([CLAIM], [statement])
    assert label == DocumentStanceLabel.DENIES


def test_predict_rejects_mismatched_lengths(model):
    with pytest.raises(ValueError, match="2 claims but 1 bodies"):
        model.predict([CLAIM, CLAIM], [AGREEING_BODY])


def test_predict_empty_input(model):
    assert model.predict([], []) == []


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


def test_sentences_and_content_tokens():
    assert split_sentences("First one. Second one! \"Third?\" Yes.\nLast line") == [
        "First one.", "Second one!", "\"Third?\"", "Yes.", "Last line"
    ]
    assert content_tokens("The parcels were not delivered") >= {"parcel", "not", "delivered"}
    assert "the" not in content_tokens("The parcels")
