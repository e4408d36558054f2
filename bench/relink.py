"""Time `relink` with a large catalog over many documents (default 1,000 assertions x 10,000 documents).

    python bench/relink.py [--documents 10000] [--assertions 1000]

Builds bench/out/relink.duckdb by ingesting generated articles (variations of the shipped seeds: every
paragraph keeps its real attributions, paragraphs are sampled and reordered so documents differ), then
relinks them against the shipped catalog plus generated one-line assertions, and prints the times.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import DEFAULT_ACTORS_PATH, DEFAULT_CATALOG_PATH  # noqa: E402
from pipeline.extract.parties import load_actors  # noqa: E402
from pipeline.ingest import runner  # noqa: E402
from pipeline.link.analyzer import Analyzer  # noqa: E402
from pipeline.link.catalog import load_catalog  # noqa: E402
from pipeline.store import database  # noqa: E402

SUBJECTS = ["Iran", "Russia", "Ukraine", "the United States", "China", "Turkey", "Israel", "the United Kingdom"]
VERBS = ["supplied", "sold", "is considering supplying", "plans to send", "has used", "is training troops with",
         "is financing", "is smuggling"]
OBJECTS = ["drones", "ballistic missiles", "artillery shells", "tanks", "fighter jets", "air defence systems",
           "oil", "grain", "cyber tools", "satellite images", "engineers", "spare parts"]


def generated_catalog(n: int, out: Path) -> Path:
    """Write the shipped catalog plus generated one-line assertions up to n entries."""
    shipped = yaml.safe_load(DEFAULT_CATALOG_PATH.read_text())["assertions"]
    rng = random.Random(7)
    entries = list(shipped)
    while len(entries) < n:
        a, b = rng.sample(SUBJECTS, 2)
        claim = f"{a} {rng.choice(VERBS)} {rng.choice(OBJECTS)} to {b} in {rng.randint(2015, 2025)}."
        entries.append({"id": f"generated-{len(entries):04d}", "claim": claim})
    out.write_text(yaml.safe_dump({"assertions": entries}, allow_unicode=True))
    return out


def generated_articles(n: int, folder: Path) -> None:
    """Write n article files built from the seeds' paragraphs."""
    paragraphs = []
    for seed in sorted((REPO / "data" / "seeds").glob("00[1-4]*.txt")):
        paragraphs += [p for p in seed.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        picked = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(4, 9)))
        title = f"Dispatch {i}: {rng.choice(SUBJECTS)} and {rng.choice(SUBJECTS)}"
        (folder / f"{i:05d}.txt").write_text(title + "\n\n" + "\n\n".join(picked) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--assertions", type=int, default=1_000)
    args = parser.parse_args()
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"relink-{args.documents}.duckdb"
    actors = load_actors(DEFAULT_ACTORS_PATH)
    if not db.exists():
        folder = out / f"articles-{args.documents}"
        if not folder.exists():
            generated_articles(args.documents, folder)
        started = time.perf_counter()
        summary = runner.ingest([folder], db, Analyzer(actors, load_catalog(DEFAULT_CATALOG_PATH)))
        seconds = time.perf_counter() - started
        print(f"ingest of {args.documents} documents: {seconds:.1f} s ({args.documents / seconds:.1f} docs/s); "
              f"{summary.line()}")
    catalog = load_catalog(generated_catalog(args.assertions, out / f"assertions-{args.assertions}.yaml"))
    analyze = Analyzer(actors, catalog)
    with database.writer(db) as con:
        started = time.perf_counter()
        count = runner.relink(con, analyze)
        seconds = time.perf_counter() - started
        claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
        stances = con.execute("SELECT count(*) FROM document_stances").fetchone()[0]
    print(f"relink of {count} documents against {len(catalog.assertions)} assertions: {seconds:.1f} s "
          f"({count / seconds:.1f} docs/s); {claims} claims, {stances} document stances")


if __name__ == "__main__":
    main()
