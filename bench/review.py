"""How long recording a review takes, with a writer holding the database and without one.

    .venv/bin/python bench/review.py [--reviews 200] [--db PATH]

Ingests the seeds into bench/out/review/claims.duckdb (or copies --db there), then:
1. holds the writer lock in another process, as a running ingest does, and records reviews the way
   the dashboard and `python -m pipeline review` do (append to the log, then try the lock without
   waiting): prints the median and the slowest time per review — the issue's target is under a
   second, whatever the writer is doing;
2. lets the writer go: prints how long the writer took to apply the reviews it found in the log;
3. records one review with the database free: prints the time to republish it (a writer round).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.store import connection, database, review_queries, reviews  # noqa: E402

OUT = ROOT / "bench" / "out" / "review"
HOLD_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from pipeline.store import database
with database.writer({db!r}):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=200)
    parser.add_argument("--db", type=Path, default=None, help="a database to copy (default: the seeds, ingested)")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    db = OUT / "claims.duckdb"
    if args.db:
        shutil.copyfile(args.db, db)
    else:
        subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(ROOT / "data" / "seeds"), "--db", str(db)],
                       cwd=ROOT, check=True, capture_output=True)
    with connection.connect_readonly(db) as con:
        choices = review_queries.review_choices(con)
        queue = review_queries.review_queue(con, review_queries.ClaimFilter(), limit=args.reviews)
    items = queue.to_dict("records")
    print(f"database: {db.stat().st_size / 1e6:.1f} MB, {len(items)} links in the queue")

    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER.format(root=str(ROOT), db=str(db))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    took = []
    for i in range(args.reviews):
        item = {**items[i % len(items)], "review": "unreviewed"}
        event = reviews.link_review(item, choices, "bench", confirm=True) if i % 2 else \
            reviews.link_review(item, choices, "bench", reject="not a claim")
        started = time.perf_counter()
        reviews.append(db, event)
        applied = database.apply_pending_reviews(db, wait_seconds=0.0)
        took.append((time.perf_counter() - started) * 1000)
        assert not applied  # the writer holds the database: the review waits in the log
    print(f"record a review while a writer holds the database: median {statistics.median(took):.1f} ms, "
          f"slowest {max(took):.1f} ms ({args.reviews} reviews; target under 1000 ms)")

    started = time.perf_counter()
    holder.communicate("go\n", timeout=600)
    print(f"the writer applied {args.reviews} pending reviews as it let go: {time.perf_counter() - started:.2f} s "
          "(its publish included)")
    with connection.connect_readonly(db) as con:
        assert reviews.synced_bytes(con) == reviews.log_size(db)

    item = {**items[0], "review": "unreviewed"}
    started = time.perf_counter()
    reviews.append(db, reviews.link_review(item, choices, "bench", note="one more"))
    database.apply_pending_reviews(db, wait_seconds=0.0)
    print(f"record and republish one review with the database free: {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
