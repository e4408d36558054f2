"""The public stance data sets and their fixed splits, shared by training and evaluation.

FNC-1 and Emergent pairs as (claim, text, label) frames, hold-outs by seeded hash of claim or cluster, so
train_stance trains on exactly what eval_stance does not score.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from pipeline.config import eval_dir
from pipeline.models import DocumentStanceLabel

SPLIT_SEED = 2017
HOLDOUT_FRACTION = 0.2
FNC_TO_LABEL = {"agree": "asserts", "disagree": "denies", "discuss": "reports", "unrelated": "unrelated"}
LABEL_NAMES = [label.value for label in DocumentStanceLabel]  # asserts, denies, reports, unrelated
RELATED_NAMES = LABEL_NAMES[:3]


def load_fnc1(root: Path | None = None) -> pd.DataFrame | None:
    """Return FNC-1 train pairs (claim, body, label, headline) or None when the files are absent."""
    base = (root or eval_dir()) / "fnc1"
    stances, bodies = base / "train_stances.csv", base / "train_bodies.csv"
    if not (stances.exists() and bodies.exists()):
        return None
    s = pd.read_csv(stances)
    b = pd.read_csv(bodies)
    df = s.merge(b, on="Body ID", how="inner", validate="many_to_one")
    return pd.DataFrame({
        "claim": df["Headline"].astype(str),
        "body": df["articleBody"].astype(str),
        "body_id": df["Body ID"],
        "label": df["Stance"].map(FNC_TO_LABEL),
    })


def load_emergent(root: Path | None = None) -> pd.DataFrame | None:
    """Return Emergent rows (claim, body = article headline, label, claim_id) or None when absent."""
    path = (root or eval_dir()) / "emergent" / "emergent_train.csv"
    if not path.exists():
        return None
    e = pd.read_csv(path)
    return pd.DataFrame({
        "claim": e["claimHeadline"].astype(str),
        "body": e["articleHeadline"].astype(str),
        "label": e["pipeline_label"].astype(str),
        "claim_id": e["claimId"].astype(str),
    })


def holdout_keys(keys, fraction: float = HOLDOUT_FRACTION, seed: int = SPLIT_SEED) -> set:
    """Return the held-out subset: sorted unique keys shuffled with random.Random(seed), first fraction."""
    unique = sorted(set(keys))
    random.Random(seed).shuffle(unique)
    return set(unique[: int(round(len(unique) * fraction))])


def split_fnc1(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (train, held-out) FNC-1 pairs, split by headline."""
    held = holdout_keys(df["claim"])
    mask = df["claim"].isin(held)
    return df[~mask].reset_index(drop=True), df[mask].reset_index(drop=True)


def split_emergent(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (train, held-out) Emergent rows, split by claimId."""
    held = holdout_keys(df["claim_id"])
    mask = df["claim_id"].isin(held)
    return df[~mask].reset_index(drop=True), df[mask].reset_index(drop=True)


def claim_clusters(claims, bodies, labels) -> list[str]:
    """Return a cluster id per pair: claims joined through bodies they are related to.

    In FNC-1 several headlines paraphrase one underlying rumour and share its bodies; holding out
    whole clusters measures generalisation to assertions never seen in training.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for claim, body, label in zip(claims, bodies, labels):
        a, b = find("c:" + claim), find("b:" + body)
        if label != DocumentStanceLabel.UNRELATED.value:
            parent[a] = b
    return [find("c:" + claim) for claim in claims]


def split_fnc1_by_cluster(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (train, held-out) FNC-1 pairs holding out 20% of claim clusters (see claim_clusters).

    Training keeps only bodies of training clusters, so no held-out body is ever seen.
    """
    clusters = pd.Series(claim_clusters(df["claim"], df["body"], df["label"]), index=df.index)
    held = holdout_keys(clusters)
    held_mask = clusters.isin(held)
    held_bodies = set(df.loc[held_mask & (df["label"] != "unrelated"), "body"])
    train_mask = ~held_mask & ~df["body"].isin(held_bodies)
    return df[train_mask].reset_index(drop=True), df[held_mask].reset_index(drop=True)
