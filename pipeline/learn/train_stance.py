"""Retrain the document stance model reproducibly from ../shared/eval and write the model file.

    python -m pipeline.learn.train_stance [--out PATH]

Trains on the 80% of FNC-1 headlines and 80% of Emergent claims that eval_stance does not hold out;
rows that share a text with the other dataset's hold-out are dropped so neither measurement leaks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from pipeline.learn.stance_data import (
    LABEL_NAMES,
    claim_clusters,
    eval_dir,
    load_emergent,
    load_fnc1,
    split_emergent,
    split_fnc1,
)
from pipeline.link.stance import DEFAULT_MODEL_PATH, StanceFeaturizer, StanceModel, is_short

SEED = 2017
N_FOLDS = 4
SCORER_C = 1.0
RELATED = LABEL_NAMES[:3]
# Emergent pairs are headline against claim: few, short, and closest to the later "single
# statement" use, so they count more per row than an FNC body.
EMERGENT_WEIGHT = 5.0
# Candidate multipliers for (asserts, denies, reports) probabilities, searched on held-in folds.
SCALE_GRID = [(a, d, 1.0) for a in (0.8, 1.0, 1.2, 1.5) for d in (0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5)]


def training_frame() -> pd.DataFrame | None:
    """Return the training pairs (claim, body, label, group, source) or None when data is absent."""
    fnc, emergent = load_fnc1(), load_emergent()
    if fnc is None:
        return None
    fnc_train, fnc_held = split_fnc1(fnc)
    parts = []
    if emergent is not None:
        em_train, em_held = split_emergent(emergent)
        fnc_held_texts = set(fnc_held["claim"])
        em_held_texts = set(em_held["body"]) | set(em_held["claim"])
        em_train = em_train[~em_train["body"].isin(fnc_held_texts) & ~em_train["claim"].isin(fnc_held_texts)]
        fnc_train = fnc_train[~fnc_train["claim"].isin(em_held_texts)]
        parts.append(pd.DataFrame({"claim": em_train["claim"], "body": em_train["body"],
                                   "label": em_train["label"], "group": "em:" + em_train["claim_id"],
                                   "source": "emergent"}))
    parts.insert(0, pd.DataFrame({"claim": fnc_train["claim"], "body": fnc_train["body"],
                                  "label": fnc_train["label"], "group": "fnc:" + fnc_train["claim"],
                                  "source": "fnc1"}))
    return pd.concat(parts, ignore_index=True)


def make_relatedness_clf() -> HistGradientBoostingClassifier:
    """Return the untrained related-vs-unrelated classifier."""
    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, max_leaf_nodes=31,
                                          l2_regularization=1.0, random_state=SEED)


def make_stance_clf() -> HistGradientBoostingClassifier:
    """Return the untrained asserts/denies/reports classifier (balanced-ish class weights)."""
    return HistGradientBoostingClassifier(max_iter=250, learning_rate=0.08, max_leaf_nodes=31,
                                          l2_regularization=1.0, min_samples_leaf=30,
                                          random_state=SEED)


def stance_weights(labels: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Return per-row weights: inverse square-root class frequency, Emergent rows up-weighted."""
    counts = {lab: max(int((labels == lab).sum()), 1) for lab in RELATED}
    top = max(counts.values())
    w = np.array([np.sqrt(top / counts[lab]) for lab in labels])
    return w * np.where(source == "emergent", EMERGENT_WEIGHT, 1.0)


def tune_scale(proba: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Return the (asserts, denies, reports) multipliers that maximise macro-F1 on out-of-fold probabilities."""
    best, best_score = np.ones(3), -1.0
    for scale in SCALE_GRID:
        pred = np.array(RELATED)[np.argmax(proba * np.array(scale), axis=1)]
        score = f1_score(gold, pred, labels=RELATED, average="macro", zero_division=0)
        if score > best_score:
            best, best_score = np.array(scale), score
    return best


def fit_sentence_scorer(featurizer: StanceFeaturizer, tops: list[list[str]], labels) -> LogisticRegression:
    """Return a word-level classifier of sentence stance, trained on the sentences that match each claim.

    tops holds, per related pair, the body sentences most similar to its claim (top_sentences);
    labels the pair's stance. The classifier learns which words signal asserting, denying or merely
    reporting (a data-driven cue list); it is applied to every body sentence, weighted by similarity.
    """
    texts, ys = [], []
    for sentences, label in zip(tops, labels):
        texts.extend(sentences)
        ys.extend([label] * len(sentences))
    clf = LogisticRegression(C=SCORER_C, class_weight="balanced", max_iter=2000)
    return clf.fit(featurizer.word.transform(texts), ys)


def train(frame: pd.DataFrame, log=print) -> StanceModel:
    """Return a StanceModel fitted on the frame's pairs."""
    t0 = time.perf_counter()
    claims, bodies = frame["claim"].tolist(), frame["body"].tolist()
    labels = frame["label"].to_numpy()
    source = frame["source"].to_numpy()
    related = labels != "unrelated"
    # Folds hold out whole claim clusters, so out-of-fold scores look like scores on unseen assertions.
    groups = np.array(claim_clusters(claims, bodies, labels))
    folds = list(GroupKFold(n_splits=N_FOLDS).split(frame, labels, groups))

    featurizer = StanceFeaturizer().fit(claims + bodies)
    idx_related = np.flatnonzero(related)
    tops = dict(zip(idx_related, featurizer.top_sentences([claims[i] for i in idx_related],
                                                          [bodies[i] for i in idx_related])))
    x = None
    for fit_idx, val_idx in folds:
        fit_r = [i for i in fit_idx if related[i]]
        featurizer.sentence_scorer = fit_sentence_scorer(featurizer, [tops[i] for i in fit_r], labels[fit_r])
        xv = featurizer.transform([claims[i] for i in val_idx], [bodies[i] for i in val_idx])
        if x is None:
            x = np.zeros((len(frame), xv.shape[1]), dtype=np.float32)
        x[val_idx] = xv
    featurizer.sentence_scorer = fit_sentence_scorer(featurizer, [tops[i] for i in idx_related],
                                                     labels[idx_related])
    log(f"features {x.shape} in {time.perf_counter() - t0:.0f}s")

    rel_columns = featurizer.relatedness_columns()
    rel_clf = make_relatedness_clf().fit(x[:, rel_columns], related.astype(int))

    ws = stance_weights(labels[related], source[related])
    position = {row: k for k, row in enumerate(idx_related)}
    oof = np.zeros((len(idx_related), 3))
    for fit_idx, val_idx in folds:
        fit_r = np.array([position[i] for i in fit_idx if related[i]])
        val_r = np.array([position[i] for i in val_idx if related[i]])
        clf = make_stance_clf().fit(x[idx_related[fit_r]], labels[idx_related[fit_r]], sample_weight=ws[fit_r])
        oof[val_r] = clf.predict_proba(x[idx_related[val_r]])
    short = is_short(x[related], featurizer)
    scale = tune_scale(oof[~short], labels[related][~short])
    short_scale = tune_scale(oof[short], labels[related][short]) if short.sum() >= 50 else scale
    log(f"class scale {scale.tolist()}, short bodies {short_scale.tolist()} ({int(short.sum())} rows)")
    stance_clf = make_stance_clf().fit(x[related], labels[related], sample_weight=ws)
    assert list(stance_clf.classes_) == RELATED, stance_clf.classes_
    model = StanceModel(featurizer, rel_clf, stance_clf, class_scale=scale, short_scale=short_scale,
                        meta={"trained_pairs": int(len(frame)), "seed": SEED})
    log(f"trained in {time.perf_counter() - t0:.0f}s")
    return model


def main(argv: list[str] | None = None) -> int:
    """Train and write the model file; return the exit code (0 with a message when data is absent)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.learn.train_stance", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    frame = training_frame()
    if frame is None:
        print(f"FNC-1 not found under {eval_dir()}; nothing trained.")
        return 0
    np.random.seed(SEED)
    with threadpool_limits(1):  # the machine is shared: one core for training
        model = train(frame)
    path = model.save(args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
