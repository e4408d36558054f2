"""Memory and speed of reading one large JSONL batch: the load stage alone, streamed row by row.

    .venv/bin/python bench/batch.py [--megabytes 400]

Writes bench/out/batch.jsonl (rows of about 5 KB of article text, 1 % malformed lines), then in a
fresh process reads every row through pipeline.ingest.load.read_file (encoding pass + row parsing, no
cleaning or attribution) and prints the file size, rows, seconds and the process's peak resident
memory, which should stay near the interpreter's own whatever the file's size.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BATCH = OUT / "batch.jsonl"
WORDS = ("the minister said on Tuesday that drones were supplied before the war officials denied "
         "reports of a new shipment according to Western diplomats who spoke on condition of anonymity").split()

READ_STREAMED = """
import resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from pipeline.ingest import load
start = time.perf_counter()
rows = bad = 0
for item in load.read_file(Path({path!r}), Path({path!r}).parent, 20 * 1024 * 1024):
    if isinstance(item, load.RawArticle):
        rows += 1
    else:
        bad += 1
seconds = time.perf_counter() - start
print(rows, bad, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

def write_batch(megabytes: int) -> int:
    """Write the synthetic batch (once per size); return its row count."""
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    target = megabytes * 1024 * 1024
    rows = 0
    with open(BATCH, "w", encoding="utf-8") as fh:
        while fh.tell() < target:
            rows += 1
            if rows % 100 == 0:
                fh.write("{not json\n")
                continue
            text = " ".join(rng.choice(WORDS) for _ in range(800))
            fh.write(json.dumps({"text": text, "url": f"https://example.org/{rows}", "published": "2023-02-28"}) + "\n")
    return rows


def run(script: str) -> tuple[int, int, float, int]:
    out = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT), path=str(BATCH))],
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), int(out[3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=400, help="size of the synthetic batch (default 400)")
    args = parser.parse_args(argv)
    write_batch(args.megabytes)
    size_mb = BATCH.stat().st_size / 1024 / 1024
    print(f"batch: {BATCH.relative_to(ROOT)}, {size_mb:.0f} MB")
    rows, bad, seconds, peak_kb = run(READ_STREAMED)
    print(f"read: rows {rows:,}, malformed {bad:,}, {seconds:.1f} s ({rows / seconds:,.0f} rows/s), "
          f"peak memory {peak_kb / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
