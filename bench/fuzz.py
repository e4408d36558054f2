"""Hostile inputs through the real command line: crashes, stalls, lost inputs, quarantine copies.

    python bench/fuzz.py [--inputs 10000] [--per-run 100] [--seed 0] [--time-limit 10] [--scale 1.0] [--repeat 3]

Writes the inputs of bench/hostile.py in folders of --per-run, ingests each folder with
`python -m pipeline ingest` into one database (as a researcher's runs would), and prints:
crashes (a traceback, or an exit code other than 0 and 1), runs that took longer than their
documents' budgets allow, inputs neither stored nor quarantined, good articles lost, quarantine
copies that are not the input's bytes, and the time per input. Then the 800 KB single line alone, beside
a one-sentence file (the command's start), each timed --repeat times.
Figures, not assertions: tests/ingest/test_hostile.py holds the behaviour to account.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import Input, write_corpus  # noqa: E402
from pipeline.config import SECONDS_PER_MB  # noqa: E402

START_SECONDS = 30.0  # a command's start: imports, models, the worker


def ingest(folder: Path, db: Path, time_limit: float) -> tuple[int, str, float]:
    """Run the ingest command on a folder; return (exit code, stderr, seconds)."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db),
                          "--time-limit", str(time_limit)], cwd=ROOT, capture_output=True, text=True,
                         errors="backslashreplace")
    return run.returncode, run.stderr, time.perf_counter() - started


def budget(folder: Path, time_limit: float) -> float:
    """Return the most a run over this folder may take: its start plus every file's budget."""
    total = START_SECONDS
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += time_limit + path.stat().st_size / 1_000_000 * SECONDS_PER_MB
    return total


def account(db: Path, inputs: list[tuple[str, Input]]) -> dict[str, list[str]]:
    """Return the problems found: inputs lost, good articles lost, quarantine copies not byte-exact."""
    con = duckdb.connect(str(db), read_only=True)
    stored = {row[0] for row in con.execute("SELECT source FROM documents UNION SELECT source FROM document_sources")
              .fetchall()}
    records = con.execute("SELECT source, line, raw_sha256, raw_copy, reason FROM quarantine").fetchall()
    con.close()
    quarantined = {(source, line): (sha, copy) for source, line, sha, copy, _ in records}
    problems: dict[str, list[str]] = {"lost": [], "good lost": [], "copy not exact": []}
    for run, item in inputs:
        path = f"{run}/{item.path}" if run else item.path
        source = item.source or (f"{path}:{item.line}" if item.line else path)
        is_stored = source in stored
        record = quarantined.get((path, item.line))
        if item.expect == "document" and not is_stored:
            problems["good lost"].append(f"{item.case} {source}" + (" (quarantined)" if record else ""))
        elif item.expect in ("quarantine", "document-or-quarantine") and not is_stored and record is None:
            problems["lost"].append(f"{item.case} {path}:{item.line}")
        if record is not None and item.raw is not None:
            sha, _ = record
            if sha != hashlib.sha256(item.raw).hexdigest():
                problems["copy not exact"].append(f"{item.case} {path}:{item.line}")
    for source, line, sha, copy, reason in records:
        if copy and hashlib.sha256(Path(copy).read_bytes()).hexdigest() != sha:
            problems["copy not exact"].append(f"{source}:{line} copy differs from its recorded SHA-256")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--per-run", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the large cases (1.0: 800 KB line)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fuzz")
    parser.add_argument("--repeat", type=int, default=3, help="times the single line and the start are each timed")
    args = parser.parse_args(argv)

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "fuzz.duckdb"
    inputs: list[tuple[str, Input]] = []
    crashes, over_budget, runs, seconds, took_too_long = [], [], 0, 0.0, 0
    while len(inputs) < args.inputs:
        run_name = f"run{runs:04d}"
        folder = args.out / "corpus" / run_name
        written = write_corpus(folder, min(args.per_run, args.inputs - len(inputs)), seed=args.seed * 100_003 + runs,
                               scale=args.scale, prefix=f"r{runs:04d}_")
        code, stderr, took = ingest(folder, db, args.time_limit)
        allowed = budget(folder, args.time_limit)
        runs += 1
        seconds += took
        took_too_long += stderr.count("took too long")
        if code not in (0, 1) or "Traceback" in stderr:
            crashes.append(f"{run_name}: exit {code}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")
        if took > allowed:
            over_budget.append(f"{run_name}: {took:.1f} s, budget {allowed:.1f} s")
        # Documents name their source relative to the folder ingested.
        inputs += [("", item) for item in written]
        print(f"{run_name}: {len(written)} inputs, exit {code}, {took:.1f} s", file=sys.stderr)

    # --inputs 0 times the single line alone.
    problems = account(db, inputs) if inputs else {}
    per_input = 1000 * seconds / max(1, len(inputs))
    print(f"inputs {len(inputs)} in {runs} runs; {seconds:.1f} s, {per_input:.1f} ms per input")
    print(f"crashes {len(crashes)}; runs over their budget {len(over_budget)}; "
          f"documents quarantined as taking too long {took_too_long}")
    for name, found in problems.items():
        print(f"{name}: {len(found)}")
    for line in crashes[:10] + over_budget[:10] + [f"{k}: {v}" for k, vs in problems.items() for v in vs[:10]]:
        print("  " + line)

    single = args.out / "single"
    write_corpus(single, 1, seed=args.seed, scale=1.0, cases=["single_line"])
    size = sum(p.stat().st_size for p in single.iterdir())
    # The command's start (imports, models, the worker) is the same for any input: a one-sentence file
    # shows it. The machine's noise is a second or two either way, so each is timed --repeat times, in
    # turn, and the least of each taken.
    tiny = args.out / "tiny"
    tiny.mkdir(parents=True, exist_ok=True)
    (tiny / "one.txt").write_text("Officials said on Monday that the talks would resume.\n", encoding="utf-8")
    singles, starts = [], []
    for attempt in range(args.repeat):
        for folder, times in ((tiny, starts), (single, singles)):
            db = args.out / f"{folder.name}{attempt}.duckdb"
            code, stderr, took = ingest(folder, db, args.time_limit)
            times.append(took)
            if code != 0:
                print(f"the {folder.name} run exited {code}: {stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    took, start = min(singles), min(starts)
    print(f"single line of {size / 1000:.0f} KB: {took:.1f} s with the command's start "
          f"({'quarantined' if 'quarantined' in stderr else 'stored'}; least of {args.repeat}: "
          f"{', '.join(f'{t:.1f}' for t in singles)}); a one-sentence file takes {start:.1f} s "
          f"({', '.join(f'{t:.1f}' for t in starts)}), so the document itself about {max(0.0, took - start):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
