"""The array forms of the cue model and the role CRF give what their feature strings give.

The taggers' features are defined once, as strings (lexical_models.token_features and role_features,
which training reads); the extractor computes the same scores from each distinct word, pair and
distance once per text (pipeline.extract.attribution.role_crf, lexical_models.cue_probabilities).
These tests hold the two equal on texts with every feature's corner: quotations straight, curly and
single, a that-clause, a window cut by a long sentence, a cue at a sentence's edge, no speaker hint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.extract.attribution import lexical_models, role_crf
from pipeline.extract.attribution.document import Doc
from pipeline.extract.attribution.tagging import speaker_hint

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"

CORNERS = [
    "'We never sent drones,' the foreign minister said on Monday. Officials said that the talks would resume.",
    "“It is a lie,” said Ali Bagheri, Iran's deputy foreign minister, who denied the report. ``Never,'' he said.",
    "According to the Pentagon, the shipments began in August, and the ministry, which denied it, said nothing.",
    "Said the spokesman: \"We deny everything.\" The ministers' views differ; they believe it",
    # One sentence far longer than the tagger's window (ROLE_WINDOW_TOKENS either side of the cue).
    "The minister said " + ", ".join(f"drone {i} went to Moscow" for i in range(120)) + ".",
]


def _texts() -> list[str]:
    return CORNERS + [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


needs_weights = pytest.mark.skipif(lexical_models._role_weights(lexical_models.ROLE_MODEL_PATH) is None,
                                   reason="no role CRF weights exported from the shipped model file")


def _requests(doc: Doc) -> list[role_crf.CueRequest]:
    """Every cue-lexicon word of the text, as the extractor asks about it, and each once without a hint."""
    found = []
    for k, tok in enumerate(doc.tokens):
        if tok.low in ("said", "say", "says", "told", "denied", "according", "believe", "deny"):
            first, last = lexical_models.role_window(doc, k)
            found.append(role_crf.CueRequest(first, last, (k, k + 1), speaker_hint(doc, k)))
            found.append(role_crf.CueRequest(first, last, (k, k + 1), None))
    return found


@needs_weights
@pytest.mark.parametrize("text", _texts(), ids=lambda t: t[:30])
def test_role_scores_equal_the_weights_of_role_features(text):
    weights = role_crf.load_weights()
    doc = Doc(text)
    requests = _requests(doc)
    assert requests
    scores = role_crf.state_scores(doc, requests, weights)
    for request, found in zip(requests, scores):
        strings = lexical_models.role_features(doc, request.first, request.last, request.cue, request.hint)
        expected = np.array([weights.vector(names) for names in strings])
        np.testing.assert_allclose(found, expected, atol=1e-9)


@needs_weights
def test_role_labels_and_marginals_equal_crfsuite():
    tagger = lexical_models._role_tagger()
    if tagger is None:
        pytest.skip("python-crfsuite not installed")
    weights = role_crf.load_weights()
    compared = 0
    for text in _texts():
        doc = Doc(text)
        requests = _requests(doc)
        scores = role_crf.state_scores(doc, requests, weights)
        labels = role_crf.viterbi(scores, weights.transitions)
        probabilities = role_crf.marginals(scores, weights.transitions)
        for request, found, p in zip(requests, labels, probabilities):
            strings = lexical_models.role_features(doc, request.first, request.last, request.cue, request.hint)
            assert found == tagger.tag(strings)
            expected = [[tagger.marginal(label, k) for label in role_crf.LABELS] for k in range(len(strings))]
            np.testing.assert_allclose(p, expected, atol=1e-4)  # the exported weights have six decimals
            compared += 1
    assert compared > 50


@needs_weights
def test_the_window_of_a_long_sentence_is_cut_around_its_cue():
    doc = Doc(CORNERS[-1])
    said = next(k for k, tok in enumerate(doc.tokens) if tok.low == "said")
    (labels, _), = lexical_models.tag_roles_many(doc, [((said, said + 1), (0, 2))])
    first, last = lexical_models.role_window(doc, said)
    assert len(labels) == last - first == said + lexical_models.ROLE_WINDOW_TOKENS < len(doc.tokens)
    assert labels[:2] == ["S", "S"]  # "The minister"
    assert labels[said] == "K"


def test_the_shipped_weights_are_those_of_the_shipped_model(tmp_path):
    pytest.importorskip("pycrfsuite")
    from pipeline.learn import export_role_crf

    exported = tmp_path / "weights.npz"
    export_role_crf.export(lexical_models.ROLE_MODEL_PATH, exported)
    fresh, shipped = role_crf.load_weights(exported), role_crf.load_weights()
    assert shipped is not None, "run python -m pipeline.learn.export_role_crf"
    assert shipped.source_sha256 == role_crf.file_sha256(lexical_models.ROLE_MODEL_PATH)
    assert fresh.index == shipped.index
    np.testing.assert_array_equal(fresh.state, shipped.state)
    np.testing.assert_array_equal(fresh.transitions, shipped.transitions)


def test_stale_weights_are_not_used(tmp_path, monkeypatch):
    """Weights exported from another model file leave the tagging to crfsuite, which reads the file itself."""
    pytest.importorskip("pycrfsuite")
    weights = role_crf.load_weights()
    if weights is None:
        pytest.skip("no exported weights")
    other = tmp_path / "other.crfsuite"
    other.write_bytes(lexical_models.ROLE_MODEL_PATH.read_bytes() + b"\0")
    lexical_models._role_weights.cache_clear()
    try:
        assert lexical_models._role_weights(other) is None
        assert lexical_models._role_weights(lexical_models.ROLE_MODEL_PATH) is weights
    finally:
        lexical_models._role_weights.cache_clear()


@pytest.mark.parametrize("text", _texts(), ids=lambda t: t[:30])
def test_cue_probabilities_equal_hashing_token_features(text):
    model = lexical_models._load()
    if model is None:
        pytest.skip("no cue model file")
    doc = Doc(text)
    found = lexical_models.cue_probabilities(doc)
    indexes, strings = lexical_models.token_features(doc)
    coef, intercept = model
    expected = 1.0 / (1.0 + np.exp(-(lexical_models._hasher().transform(strings) @ coef + intercept)))
    assert list(found) == indexes
    np.testing.assert_allclose([found[i] for i in indexes], expected, atol=1e-9)
    said = [i for i in indexes if doc.tokens[i].low in ("said", "denied")]
    assert said and all(found[i] > 0.5 for i in said)  # the model itself still reads the cue


@needs_weights
def test_cues_scored_in_several_passes_score_as_in_one(monkeypatch):
    weights = role_crf.load_weights()
    doc = Doc(" ".join(_texts()))
    requests = _requests(doc)
    whole = role_crf.state_scores(doc, requests, weights)
    monkeypatch.setattr(role_crf, "ITEMS_PER_PASS", 100)  # a window or two per pass
    parts = role_crf.state_scores(doc, requests, weights)
    assert len(parts) == len(whole) == len(requests) > 50
    for a, b in zip(parts, whole):
        np.testing.assert_array_equal(a, b)
