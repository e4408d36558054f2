"""Score the tracker on disputes it was not built around: a researcher's own catalog and actors, real news.

    python -m pipeline.learn.eval_disputes [--set dev|train|both] [--check] [--show-errors] [--simulate-review N]

For each set under ../shared/eval/disputes_<set>/ (read its README): the articles of its manifest are
taken from PolNeAR's texts, ingested through the product's own path (runner.ingest with the set's
manifest, catalog and actors files, into a fresh DuckDB file), and the counted claims become
(article, assertion, party, stance) tuples. Precision is over predicted tuples with a known party
(what the dashboard draws by default) that match any gold row, optional ones included; recall is over
the firm gold rows. Figures per set, assertion, party and stance, with the misses and the spurious
links; claims whose party stayed unknown are counted apart. `--check` fails below the floors pinned in
floors/disputes.json, which only catch breakage. The linker's constants were checked on the train set
(pipeline.link.contextual, pipeline.link.evidence name which), so train figures are not held out; the dev set
was never used to choose anything.
`--simulate-review N` then plays a reviewer: the N first links of the Review page's queue for each
dispute (assertion) are confirmed, corrected (stance, or the party of an unknown speaker) or rejected
as gold.csv says, through the review log; the database is relinked (the linker learns from the
reviews) and precision and recall are reported on the articles no review touched, before and after.
Skips cleanly when the evaluation data is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from pipeline import config
from pipeline.extract.parties import UNKNOWN_PARTY_ID, load_actors
from pipeline.ingest import runner
from pipeline.link.analyzer import Analyzer
from pipeline.link.catalog import load_catalog
from pipeline.store import connection, database, queries, review_queries, reviews

FLOORS_PATH = Path(__file__).resolve().parent / "floors" / "disputes.json"
SETS = ("dev", "train")

Tuple = tuple[str, str, str, str]  # article, assertion, party, stance


@dataclass
class Score:
    """One set's figures and the tuples behind them."""

    name: str
    predicted: set[Tuple] = field(default_factory=set)
    firm: set[Tuple] = field(default_factory=set)
    optional: set[Tuple] = field(default_factory=set)
    unknown_party: int = 0
    seconds: float = 0.0

    @property
    def hits(self) -> set[Tuple]:
        return self.predicted & (self.firm | self.optional)

    @property
    def precision(self) -> float:
        return len(self.hits) / len(self.predicted) if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return len(self.predicted & self.firm) / len(self.firm) if self.firm else 0.0

    def figures(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4)}


def set_dir(name: str) -> Path:
    return config.eval_dir() / f"disputes_{name}"


def available(name: str) -> bool:
    return (set_dir(name) / "gold.csv").exists() and (config.eval_dir() / "polnear" / "articles.jsonl").exists()


def read_gold(folder: Path) -> tuple[set[Tuple], set[Tuple]]:
    """Return the firm and the optional gold tuples of a set."""
    firm, optional = set(), set()
    with open(folder / "gold.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["article"], row["assertion"], row["party"], row["stance"])
            (optional if row["optional"].strip() == "1" else firm).add(key)
    return firm, optional - firm


def write_articles(folder: Path, manifest: Path) -> Path:
    """Write the manifest's articles (PolNeAR texts) into folder as <filename>.txt; return the manifest to use.

    The manifest is written beside the folder, its paths leading into it: inside the folder its .csv
    would be read as a batch of articles too.
    """
    with open(manifest, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    wanted = {Path(row["path"]).stem for row in rows}
    written = 0
    with open(config.eval_dir() / "polnear" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            article = json.loads(line)
            if article["filename"] in wanted:
                (folder / f"{article['filename']}.txt").write_text(article["text"], encoding="utf-8")
                written += 1
    moved = folder.parent / f"{folder.name}-manifest.csv"
    with open(moved, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "path": f"{folder.name}/{row['path']}"} for row in rows)
    return moved


def score_set(name: str, workdir: Path, simulate_review: int = 0) -> Score | tuple[Score, Score, Score, Score]:
    """Ingest one set through the product's path and score its claims.

    With `simulate_review`, return (before, after) scored on the articles the simulated reviews left
    alone, then (before, after) on every article (what the charts show once the reviews apply).
    """
    source = set_dir(name)
    articles = workdir / name
    articles.mkdir(parents=True)
    manifest = write_articles(articles, source / "manifest.csv")
    analyze = Analyzer(load_actors(source / "actors.yaml"), load_catalog(source / "assertions.yaml"))
    db = workdir / f"{name}.duckdb"
    started = time.perf_counter()
    runner.ingest([articles], db, analyze, manifest=manifest, console=Console(stderr=True, quiet=True))
    score = _score(name, db, source, time.perf_counter() - started)
    if not simulate_review:
        return score
    reviewed = play_reviewer(db, score, simulate_review)
    with database.writer(db) as con:
        runner.relink(con, analyze, Console(stderr=True, quiet=True))
    after = _score(f"{name} after review", db, source, time.perf_counter() - started)
    return (_without(score, reviewed, f"{name} before review"), _without(after, reviewed, after.name),
            _without(score, set(), f"{name} before review, every article"),
            _without(after, set(), f"{name} after review, every article"))


def _score(name: str, db: Path, source: Path, seconds: float) -> Score:
    score = Score(name, seconds=seconds)
    score.firm, score.optional = read_gold(source)
    with connection.connect_readonly(db) as con:
        claims = queries.claims_export(con)
    for row in claims.itertuples(index=False):
        if row.party_id == UNKNOWN_PARTY_ID:
            score.unknown_party += 1
            continue
        score.predicted.add((Path(row.document).stem, row.assertion_id, row.party_id, str(row.stance)))
    return score


def _without(score: Score, articles: set[str], name: str) -> Score:
    """Return the score with the given articles left out of predictions and gold alike."""
    kept = Score(name, seconds=score.seconds, unknown_party=score.unknown_party)
    kept.predicted = {t for t in score.predicted if t[0] not in articles}
    kept.firm = {t for t in score.firm if t[0] not in articles}
    kept.optional = {t for t in score.optional if t[0] not in articles}
    return kept


def play_reviewer(db: Path, score: Score, per_dispute: int) -> set[str]:
    """Review the first links of each dispute's queue as gold.csv says; return the articles reviewed.

    A link gold holds is confirmed; one gold holds with the other stance gets that stance; an unknown
    speaker's link that gold gives to exactly one party with that stance gets that party; any other
    is rejected as not a claim. What a reviewer reads (the quote in its paragraph) is not needed here:
    the gold rows are the reviewer's judgement.
    """
    gold = score.firm | score.optional
    events, touched = [], set()
    with connection.connect_readonly(db) as con:
        choices = review_queries.review_choices(con)
        for assertion_id in choices["assertion"]:
            queue = review_queries.review_queue(con, queries.ClaimFilter(assertions=(assertion_id,)),
                                                limit=per_dispute)
            for item in queue.to_dict("records"):
                article = Path(item["document"]).stem
                party, stance = item["party_id"], item["stance"]
                other = "denies" if stance == "asserts" else "asserts"
                parties = {t[2] for t in gold if t[:2] == (article, assertion_id) and t[3] == stance}
                if (article, assertion_id, party, stance) in gold:
                    change = {"confirm": True}
                elif (article, assertion_id, party, other) in gold:
                    change = {"stance": other}
                elif party == UNKNOWN_PARTY_ID and len(parties) == 1:
                    change = {"party_id": parties.pop()}
                else:
                    change = {"reject": "not a claim"}
                item["review"] = "unreviewed"
                events.append(reviews.link_review(item, choices, "simulated reviewer", **change))
                touched.add(article)
    for event in events:
        reviews.append(db, event)
    database.apply_pending_reviews(db, wait_seconds=60)
    return touched


def breakdown(score: Score, position: int) -> dict[str, tuple[int, int, int]]:
    """Return {value: (hits, predicted, firm)} by one field of the tuples (1 assertion, 2 party, 3 stance)."""
    out: dict[str, list[int]] = {}
    gold = score.firm | score.optional
    for key in score.predicted:
        entry = out.setdefault(key[position], [0, 0, 0])
        entry[1] += 1
        entry[0] += key in gold
    for key in score.firm:
        out.setdefault(key[position], [0, 0, 0])[2] += 1
    return {k: tuple(v) for k, v in sorted(out.items())}


def report(score: Score, show_errors: bool) -> None:
    print(f"disputes_{score.name}: precision {score.precision:.3f} ({len(score.hits)}/{len(score.predicted)}), "
          f"recall {score.recall:.3f} ({len(score.predicted & score.firm)}/{len(score.firm)} firm rows); "
          f"{score.unknown_party} claims of unknown party not counted; {score.seconds:.0f} s")
    for position, title in ((1, "assertion"), (2, "party"), (3, "stance")):
        print(f"  by {title}:")
        found = Counter(k[position] for k in score.predicted & score.firm)
        for value, (hits, predicted, firm) in breakdown(score, position).items():
            recall = found[value]
            print(f"    {value:<36} precision {hits}/{predicted}  recall {recall}/{firm}")
    if show_errors:
        for label, rows in (("missed", score.firm - score.predicted),
                            ("spurious", score.predicted - score.firm - score.optional)):
            print(f"  {label} ({len(rows)}):")
            for row in sorted(rows):
                print("    " + " | ".join(row))


def below_floors(scores: list[Score], floors: dict) -> list[str]:
    failed = []
    for score in scores:
        for name, value in score.figures().items():
            floor = floors.get(score.name, {}).get(name)
            if floor is not None and value < floor:
                failed.append(f"disputes_{score.name} {name} = {value:.4f} < floor {floor}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.learn.eval_disputes", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*SETS, "both"), default="both", help="which dispute set (default both)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure is below its floor")
    parser.add_argument("--show-errors", action="store_true", help="list the missed and the spurious tuples")
    parser.add_argument("--simulate-review", type=int, default=0, metavar="N",
                        help="review the first N queue items per dispute as gold says, relink, and compare the "
                             "articles not reviewed before and after")
    args = parser.parse_args(argv)
    names = SETS if args.set == "both" else (args.set,)
    missing = [name for name in names if not available(name)]
    if missing:
        print(f"disputes_{missing[0]}: evaluation data not found under {config.eval_dir()}; skipping.")
        return 0
    with tempfile.TemporaryDirectory(prefix="eval-disputes-") as tmp:
        if args.simulate_review:
            for name in names:
                before, after, *every = score_set(name, Path(tmp), args.simulate_review)
                print(f"disputes_{name}, {args.simulate_review} reviews per dispute; the articles not reviewed: "
                      f"{len(before.firm)} firm rows")
                for score in (before, after, *every):
                    report(score, args.show_errors)
            return 0
        scores = [score_set(name, Path(tmp)) for name in names]
    for score in scores:
        report(score, args.show_errors)
    if args.check:
        failed = below_floors(scores, json.loads(FLOORS_PATH.read_text(encoding="utf-8")))
        for line in failed:
            print("BELOW FLOOR: " + line, file=sys.stderr)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
