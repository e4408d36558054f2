"""Document stance: the committed model on hand-written pairs, sentences and content words."""

from __future__ import annotations

import pytest

from pipeline.link.stance import DEFAULT_MODEL_PATH, StanceModel, content_tokens, split_sentences
from pipeline.models import DocumentStanceLabel

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
        pytest.skip("no committed stance model; run `python -m pipeline.learn.train_stance`")
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


def test_sentences_and_content_tokens():
    assert split_sentences("First one. Second one! \"Third?\" Yes.\nLast line") == [
        "First one.", "Second one!", "\"Third?\"", "Yes.", "Last line"
    ]
    assert content_tokens("The parcels were not delivered") >= {"parcel", "not", "delivered"}
    assert "the" not in content_tokens("The parcels")
