"""Train the cue taggers, candidate ranker and role tagger on PolNeAR train; write pipeline/model_files/.

    python -m pipeline.learn.train_attribution

1. Cue tagger: every word token outside quotations is an example, positive when it lies inside a
   gold cue span of the primary annotator; logistic regression (SGD, log loss, fixed seed) over
   hashed features from pipeline.extract.attribution.lexical_models.token_features.
2. Candidate ranker: the rule extractor proposes candidates generously (cue probability >= 0.1);
   each candidate is positive when its content matches a gold content (token Dice >= 0.5).
   The cue probabilities it sees come from two-fold cross-fitting, so the ranker learns from
   probabilities as noisy as those on unseen text. Logistic regression on hashed candidate features.

3. Role tagger: for every gold attribution, the sentence of its cue is a sequence; each token is
   labelled S (source), C (content), K (cue) or O, with features relative to the cue's verb and to
   the speaker the rules read for it (pipeline.extract.attribution.lexical_models.role_features,
   pipeline.extract.attribution.speaker_hint); a linear-chain CRF (python-crfsuite, L-BFGS with
   elastic-net penalties, fixed iteration count, so the run is deterministic) learns the labels.
   The extractor uses it to draw source extents (appositions in, auxiliaries out) and, in the
   PolNeAR scope, to read cue words no rule understood. Its weights are exported beside it
   (pipeline.learn.export_role_crf) for the extractor's numpy tagger.
4. Cue sequence tagger: every sentence is a sequence labelled B/I (first/next token of a gold cue
   span) or O, with the lexical window, the cue lexicon and the quotation and clause context of
   pipeline.extract.attribution.lexical_models.cue_seq_features; a linear-chain CRF (python-crfsuite, L-BFGS, a
   strong L1 penalty that keeps the model small, fixed iteration count). In the PolNeAR scope its
   marginals choose the cue words the role tagger reads beyond the rules (multi-word and long-tail
   cues: "enjoyed tremendous support", "according to", a headline's colon).

Only the train compartment is read; seeds are fixed; the run takes about eight minutes on one core.
Byte-identical model files need a fixed string hash too (`PYTHONHASHSEED=0 python -m pipeline.learn.train_attribution`):
the cue sequence CRF's feature order follows Python's string hashing, so two runs without it differ in the file.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import random
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier

from pipeline.extract.attribution import lexical_models
from pipeline.extract.attribution.document import Doc
from pipeline.extract.attribution.extractor import find_candidates
from pipeline.extract.attribution.tagging import RANKED_CUE_ADD_THRESHOLD, RANKED_CUE_DROP_THRESHOLD, speaker_hint
from pipeline.learn import export_role_crf
from pipeline.learn.eval_polnear import _parse_spans, _tokens_in, _word_starts, eval_dir

SEED = 13
CUE_ALPHA = 5e-6
RANKER_C = 1.0
MATCH_DICE = 0.5
ROLE_C1 = 0.2
ROLE_C2 = 0.01
ROLE_ITERATIONS = 100
CUE_CRF_C1 = 1.0
CUE_CRF_C2 = 0.01
CUE_CRF_ITERATIONS = 100


def load_train() -> tuple[dict[str, str], dict[str, list[dict]]]:
    """Return PolNeAR train texts by file name and their primary-annotator rows."""
    directory = eval_dir()
    texts: dict[str, str] = {}
    with open(directory / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["compartment"] == "train":
                texts[row["filename"]] = row["text"]
    rows: dict[str, list[dict]] = {name: [] for name in texts}
    with open(directory / "attributions_primary.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["filename"] in rows:
                rows[row["filename"]].append(row)
    return texts, rows


def cue_examples(text: str, rows: list[dict]) -> tuple[list[list[str]], list[int]]:
    """Return the cue tagger's feature lists and labels for one article."""
    doc = Doc(text)
    positive = np.zeros(len(text) + 1, dtype=bool)
    for row in rows:
        for s, e in _parse_spans(row["cue_spans"]):
            positive[s:e] = True
    indexes, feats = lexical_models.token_features(doc)
    return feats, [int(positive[doc.tokens[i].start]) for i in indexes]


def fit_cue_model(features: list[list[str]], labels: list[int]) -> tuple[np.ndarray, float]:
    """Return (weights, intercept) of the cue tagger fitted on the examples."""
    matrix = lexical_models._hasher().transform(features)
    model = SGDClassifier(loss="log_loss", alpha=CUE_ALPHA, max_iter=15, tol=None, random_state=SEED)
    model.fit(matrix, np.array(labels))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def ranker_examples(text: str, rows: list[dict], cue_model) -> tuple[list[dict], list[int]]:
    """Return candidate features and labels (content matches a gold content) for one article."""
    doc, _, found = find_candidates(text, True, RANKED_CUE_ADD_THRESHOLD, RANKED_CUE_DROP_THRESHOLD, cue_model)
    if not found:
        return [], []
    starts = _word_starts(text)
    gold = [g for g in (_tokens_in(starts, _parse_spans(r["content_spans"])) for r in rows) if g]
    labels = []
    for f in found:
        pred = _tokens_in(starts, [f.content])
        best = max((2 * len(pred & g) / (len(pred) + len(g)) for g in gold), default=0.0) if pred else 0.0
        labels.append(int(best >= MATCH_DICE))
    return lexical_models.candidate_features(doc, found), labels


def role_examples(text: str, rows: list[dict], doc: Doc | None = None) -> list[tuple[list[list[str]], list[str]]]:
    """Return (features, labels) sequences for the role tagger: one per gold attribution with a cue."""
    doc = doc or Doc(text)
    return [(lexical_models.role_features(doc, first, last, (anchor, anchor + 1), speaker_hint(doc, anchor)), labels)
            for first, last, anchor, labels in role_sequences(doc, rows)]


def role_sequences(doc: Doc, rows: list[dict]) -> list[tuple[int, int, int, list[str]]]:
    """Return (first, last, cue anchor, S/C/K/O labels of tokens[first:last]) per gold attribution with a cue.

    The window is the sentence of the cue's anchor word (lexical_models.role_window).
    """
    text = doc.text
    starts = doc.tok_starts
    sequences = []
    for row in rows:
        cue_spans = _parse_spans(row["cue_spans"])
        cue_tokens = sorted({k for s, e in cue_spans for k in range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e))})
        if not cue_tokens:
            continue
        anchor = lexical_models.cue_anchor(doc, cue_tokens)
        first, last = lexical_models.role_window(doc, anchor)
        label = np.zeros(len(text) + 1, dtype=np.int8)  # 0 O, 1 C, 2 S, 3 K: the later wins
        for s, e in _parse_spans(row["content_spans"]):
            label[s:e] = np.maximum(label[s:e], 1)
        for s, e in _parse_spans(row["source_spans"]):
            label[s:e] = np.maximum(label[s:e], 2)
        for s, e in cue_spans:
            label[s:e] = 3
        sequences.append((first, last, anchor, ["OCSK"[label[doc.tokens[k].start]] for k in range(first, last)]))
    return sequences


def _fit_crf(sequences_of, texts: dict[str, str], rows: dict[str, list[dict]], params: dict, path) -> int:
    """Train a linear-chain CRF on sequences_of(text, rows) for every article, write it to path; return the count."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for name in sorted(texts):
        for features, labels in sequences_of(texts[name], rows[name]):
            trainer.append(features, labels)
            count += 1
    trainer.set_params({**params, "feature.possible_transitions": True})
    trainer.train(str(path))
    return count


def fit_role_tagger(texts: dict[str, str], rows: dict[str, list[dict]], path) -> int:
    """Train the role CRF on the given articles, write it to path; return the number of sequences."""
    params = {"c1": ROLE_C1, "c2": ROLE_C2, "max_iterations": ROLE_ITERATIONS}
    return _fit_crf(role_examples, texts, rows, params, path)


def cue_sequences(text: str, rows: list[dict]) -> list[tuple[list[list[str]], list[str]]]:
    """Return (features, B/I/O labels) per sentence of one article for the cue sequence tagger."""
    doc = Doc(text)
    cue_id = np.zeros(len(text) + 1, dtype=np.int32)  # 0 outside every cue, else the attribution's number
    for number, row in enumerate(rows, start=1):
        for s, e in _parse_spans(row["cue_spans"]):
            cue_id[s:e] = number
    sequences = []
    for first, last in doc.sentences:
        if last <= first:
            continue
        labels = []
        previous = 0
        for k in range(first, last):
            current = int(cue_id[doc.tokens[k].start])
            labels.append("O" if current == 0 else ("I" if current == previous else "B"))
            previous = current
        sequences.append((lexical_models.cue_seq_features(doc, first, last), labels))
    return sequences


def fit_cue_crf(texts: dict[str, str], rows: dict[str, list[dict]], path) -> int:
    """Train the cue sequence CRF on the given articles, write it to path; return the number of sentences."""
    params = {"c1": CUE_CRF_C1, "c2": CUE_CRF_C2, "max_iterations": CUE_CRF_ITERATIONS}
    return _fit_crf(cue_sequences, texts, rows, params, path)


def main(argv: list[str] | None = None) -> int:
    """Train and save the four models; return the exit code."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if not (eval_dir() / "articles.jsonl").exists():
        print(f"PolNeAR data not found at {eval_dir()}; nothing to train.")
        return 0
    began = time.perf_counter()
    texts, rows = load_train()
    names = sorted(texts)
    random.Random(SEED).shuffle(names)
    folds = [names[0::2], names[1::2]]
    examples = {name: cue_examples(texts[name], rows[name]) for name in names}
    print(f"cue examples for {len(names)} articles ({time.perf_counter() - began:.0f}s)")

    def gather(subset: list[str]) -> tuple[list[list[str]], list[int]]:
        feats: list[list[str]] = []
        labels: list[int] = []
        for name in subset:
            feats.extend(examples[name][0])
            labels.extend(examples[name][1])
        return feats, labels

    rank_feats: list[dict] = []
    rank_labels: list[int] = []
    for k, held_out in enumerate(folds):
        fold_model = fit_cue_model(*gather(folds[1 - k]))
        for name in held_out:
            feats, labels = ranker_examples(texts[name], rows[name], fold_model)
            rank_feats.extend(feats)
            rank_labels.extend(labels)
        print(f"fold {k}: ranker candidates so far {len(rank_labels)} ({time.perf_counter() - began:.0f}s)")
    coef, intercept = fit_cue_model(*gather(names))
    lexical_models.MODEL_PATH.parent.mkdir(exist_ok=True)
    np.savez_compressed(lexical_models.MODEL_PATH, coef=coef.astype(np.float16), intercept=np.array(intercept))

    matrix = lexical_models._dict_hasher().transform(rank_feats)
    ranker = LogisticRegression(C=RANKER_C, solver="liblinear", random_state=SEED, max_iter=500)
    ranker.fit(matrix, np.array(rank_labels))
    np.savez_compressed(lexical_models.RANKER_PATH, coef=ranker.coef_[0].astype(np.float32),
                        intercept=np.array(ranker.intercept_[0]))
    print(f"ranker: {len(rank_labels)} candidates, {sum(rank_labels)} positive ({time.perf_counter() - began:.0f}s)")
    sequences = fit_role_tagger(texts, rows, lexical_models.ROLE_MODEL_PATH)
    export_role_crf.export()  # the extractor's numpy tagger reads these weights (pipeline.extract.attribution.role_crf)
    print(f"role tagger: {sequences} sequences ({time.perf_counter() - began:.0f}s)")
    sentences = fit_cue_crf(texts, rows, lexical_models.CUE_CRF_PATH)
    print(f"cue sequence tagger: {sentences} sentences; saved models in {time.perf_counter() - began:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
