"""Time the product's linker: N statements against a catalog of M assertions (default 10,000 x 1,000).

    python bench/linking.py [--statements 10000] [--assertions 1000] [--lexical-only]

Assertions are one-line claims from the public sets in ../shared/eval (Perspectrum claims, FNC-1
headlines), counterclaims for a third of them; statements are sentences of PolNeAR's election
articles with their previous sentence and the article's first line as title, read in documents of
20 statements as the analyzer reads them. Prints the catalog build time, the linking time, statements/s
and how many links were made. Without ../shared/eval it says so and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import eval_dir  # noqa: E402
from pipeline.extract.parties import load_actors  # noqa: E402
from pipeline.link.catalog import Catalog  # noqa: E402
from pipeline.link.contextual import ContextLinker, LinkRequest  # noqa: E402
from pipeline.link.semantic import semantic_models  # noqa: E402
from pipeline.models import Assertion  # noqa: E402

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z])")
_QUOTE = re.compile(r"^(?P<content>.+?),?[\"”]? (?P<cue>said|says|told|added)\b", re.IGNORECASE)


def catalog(n: int) -> Catalog:
    base = eval_dir()
    claims: list[str] = []
    with open(base / "perspectrum" / "claim_perspective_train.csv", encoding="utf-8", newline="") as fh:
        claims += list(dict.fromkeys(r["claim"] for r in csv.DictReader(fh)))
    with open(base / "fnc1" / "train_stances.csv", encoding="utf-8", newline="") as fh:
        claims += list(dict.fromkeys(r["Headline"] for r in csv.DictReader(fh)))
    rng = random.Random(3)
    rng.shuffle(claims)
    picked = claims[:n]
    return Catalog(assertions=[
        Assertion(id=f"a{i}", claim=text, counterclaim=(f"It is not true that {text[0].lower()}{text[1:]}"
                                                         if i % 3 == 0 else None))
        for i, text in enumerate(picked)])


def requests(n: int) -> list[list[LinkRequest]]:
    """Return n statements in documents of 20: PolNeAR sentences, each with its previous sentence."""
    documents: list[list[LinkRequest]] = []
    total = 0
    with open(eval_dir() / "polnear" / "articles.jsonl", encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh]
    random.Random(5).shuffle(articles)
    while total < n:
        for article in articles:
            lines = article["text"].splitlines()
            title = lines[0] if lines else ""
            sentences = [s for s in _SENTENCE.split(article["text"]) if len(s) > 30]
            batch = []
            for k in range(1, min(len(sentences), 21)):
                match = _QUOTE.match(sentences[k])
                content = match.group("content") if match else sentences[k]
                batch.append(LinkRequest(content=content, cue=match.group("cue") if match else "said",
                                         sentence=sentences[k], previous=sentences[k - 1], title=title))
            batch = batch[:n - total]
            if batch:
                documents.append(batch)
                total += len(batch)
            if total >= n:
                break
    return documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--assertions", type=int, default=1_000)
    parser.add_argument("--lexical-only", action="store_true", help="the word rules alone (no models)")
    args = parser.parse_args(argv)
    if not (eval_dir() / "polnear" / "articles.jsonl").exists():
        print(f"evaluation data not found under {eval_dir()}; nothing to time.")
        return 0
    models = None if args.lexical_only else semantic_models()
    if models is None and not args.lexical_only:
        print("the semantic models are not installed; timing the word rules alone")
    actors = load_actors(REPO / "data" / "actors.yaml")
    docs = requests(args.statements)
    started = time.perf_counter()
    linker = ContextLinker(catalog(args.assertions), actors, models)
    built = time.perf_counter() - started
    started = time.perf_counter()
    links = sum(len(links) for batch in docs for links in linker.link_many(batch))
    seconds = time.perf_counter() - started
    statements = sum(len(batch) for batch in docs)
    print(f"catalog of {args.assertions:,} assertions built in {built:.1f} s; {statements:,} statements linked in "
          f"{seconds:.1f} s ({statements / seconds:,.0f} statements/s), {links:,} links"
          f" [{'word rules only' if models is None else 'embeddings + pair judge'}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
