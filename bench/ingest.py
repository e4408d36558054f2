"""Articles per second and peak memory of a whole ingest, on 1 and 2 workers and a Dask LocalCluster.

    .venv/bin/python bench/ingest.py [--articles 300] [--catalogs 100,1000] [--no-dask]

Builds a corpus of real text from ../shared/eval (PolNeAR articles, FNC-1 and ARC bodies; repeated with
edits when --articles asks for more, so that copies are new documents rather than exact duplicates)
as one JSONL batch, and catalogs of one-line assertions taken from the FNC-1 headlines (claims the
linker was never tuned on). Each configuration runs `python -m pipeline ingest` in a fresh process on
a fresh database with the product's linker, and the peak memory is the sum over the run's processes
(its workers, and the cluster's for Dask) of their proportional set sizes, which count a page the
workers share (what their fork server imported) once in all; the sum of resident sizes, which counts
it in each, is printed beside it. Prints the rates as ratios to one worker, the fixed start
cost, the time for 10,000 articles and the extrapolation to 1,000,000 articles on N machines.
Skips cleanly when the evaluation data is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import config  # noqa: E402

OUT = REPO / "bench" / "out" / "ingest"
csv.field_size_limit(1 << 24)


def real_texts() -> list[tuple[str, str]]:
    """Return (title, text) of every public article and body in the evaluation data."""
    root = config.eval_dir()
    texts = []
    with open(root / "polnear" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append((row.get("title") or "", row["text"]))
    for path in (root / "fnc1" / "train_bodies.csv", root / "arc" / "arc_bodies.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            texts += [("", row["articleBody"]) for row in csv.DictReader(fh) if len(row["articleBody"]) > 200]
    return texts


def write_corpus(n: int, path: Path) -> None:
    """Write n articles as a JSONL batch: the real texts, then copies edited enough not to be duplicates."""
    texts = real_texts()
    rng = random.Random(5)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            title, text = texts[i % len(texts)]
            if i >= len(texts):  # a copy: its paragraphs shuffled and a dated line of its own, so not the same bytes
                paragraphs = [p for p in text.split("\n") if p.strip()]
                rng.shuffle(paragraphs)
                text = f"Edition {i // len(texts)} of story {i}.\n\n" + "\n\n".join(paragraphs)
            day = 1 + i % 28
            fh.write(json.dumps({"title": title, "text": text, "url": f"https://example.org/{i}",
                                 "published": f"2016-09-{day:02d}"}) + "\n")


def write_catalog(n: int, path: Path) -> None:
    """Write a catalog of n one-line assertions: distinct FNC-1 headlines."""
    seen: dict[str, None] = {}
    with open(config.eval_dir() / "fnc1" / "train_stances.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            seen.setdefault(row["Headline"].strip(), None)
    headlines = list(seen)[:n]
    entries = [{"id": f"headline-{i:04d}", "claim": text} for i, text in enumerate(headlines)]
    path.write_text(yaml.safe_dump({"assertions": entries}, allow_unicode=True), encoding="utf-8")


class PeakMemory:
    """Samples the summed resident memory of some processes and all their children, every 0.2 s."""

    def __init__(self, roots: list[int]) -> None:
        import psutil

        self._psutil = psutil
        # peak: the summed proportional set size (a page shared by n processes counts 1/n in each: the
        # workers share what their fork server imported); peak_rss: the summed resident sizes, which count
        # shared pages once per process.
        self.roots, self.peak, self.peak_rss, self._stop = roots, 0, 0, threading.Event()
        self.root_cpu = 0.0  # CPU seconds of the first root alone (the run's own process: the writer)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            total = total_rss = 0
            for pid in self.roots:
                try:
                    root = self._psutil.Process(pid)
                    if pid == self.roots[0]:
                        times = root.cpu_times()
                        self.root_cpu = times.user + times.system
                    for process in [root, *root.children(recursive=True)]:
                        memory = process.memory_full_info()
                        total += getattr(memory, "pss", memory.rss)  # PSS is Linux's; elsewhere RSS
                        total_rss += memory.rss
                except self._psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self.peak_rss = max(self.peak_rss, total_rss)


def run_ingest(corpus: Path, catalog: Path, db: Path, extra: list[str],
               watch: list[int]) -> tuple[float, tuple[int, int], str, float]:
    """Run one ingest on a fresh database; return (seconds, peak (PSS, RSS) bytes, summary line, its CPU seconds)."""
    for stale in db.parent.glob(db.name + "*"):
        if stale.is_file():
            stale.unlink()
    command = [sys.executable, "-m", "pipeline", "ingest", str(corpus), "--db", str(db), "--catalog", str(catalog),
               *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory([process.pid, *watch]) as memory:
        out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"ingest failed ({process.returncode}): {err[-2000:]}")
    return seconds, (memory.peak, memory.peak_rss), out.strip().splitlines()[-1], memory.root_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--catalogs", default="100,1000", help="catalog sizes, comma-separated")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask LocalCluster run")
    args = parser.parse_args()
    if not (config.eval_dir() / "polnear" / "articles.jsonl").exists():
        print(f"evaluation data not found under {config.eval_dir()}; skipping.")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = OUT / f"corpus-{args.articles}.jsonl"
    write_corpus(args.articles, corpus)
    one = OUT / "corpus-1.jsonl"
    write_corpus(1, one)
    cluster = None
    if not args.no_dask:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
    cluster_pids = [] if cluster is None else [w.process.pid for w in cluster.workers.values()]
    print(f"{args.articles} articles ({corpus.stat().st_size / 1e6:.1f} MB of JSONL), 2 cores")
    for size in [int(s) for s in args.catalogs.split(",")]:
        catalog = OUT / f"catalog-{size}.yaml"
        write_catalog(size, catalog)
        start_seconds, _, _, start_cpu = run_ingest(one, catalog, OUT / "start.duckdb", ["--workers", "1"], [])
        runs = [("1 worker", ["--workers", "1"], []), ("2 workers", ["--workers", "2"], [])]
        if cluster is not None:
            runs.append(("Dask LocalCluster, 2 workers", ["--dask", cluster.scheduler_address], cluster_pids))
        base_rate = None
        print(f"\ncatalog of {size} assertions; fixed start (one article, one worker): {start_seconds:.1f} s")
        for name, extra, watch in runs:
            seconds, peak, line, own_cpu = run_ingest(corpus, catalog, OUT / f"bench-{size}.duckdb", extra, watch)
            rate = args.articles / seconds
            steady = args.articles / max(seconds - start_seconds, 1e-9)
            base_rate = base_rate or rate
            claims = re.search(r"claims (\d+)", line).group(1)
            print(f"  {name:30s} {seconds:7.1f} s  {rate:5.2f} articles/s ({rate / base_rate:.2f}x 1 worker; "
                  f"{steady:.2f}/s after start)  peak memory {peak[0] / 2**30:.2f} GiB "
                  f"(resident sizes summed: {peak[1] / 2**30:.2f} GiB)  claims {claims}")
            if name == "2 workers":
                ten_thousand = start_seconds + 10_000 / steady
                million_hours = 1_000_000 / steady / 3600
                print(f"    10,000 articles: about {ten_thousand / 60:.0f} min; 1,000,000: about "
                      f"{million_hours:.0f} h on one such machine, {million_hours / 10:.1f} h on 10, "
                      f"{million_hours / 100:.2f} h on 100, were the writer free")
            if extra[0] == "--dask":
                # The run's own process only reads, stores and waits here: its CPU bounds any cluster's rate.
                per_article = max(own_cpu - start_cpu, 1e-3) / args.articles
                print(f"    the writer (the run's own process, less its CPU in the one-article run) used "
                      f"{own_cpu - start_cpu:.1f} s of CPU, "
                      f"{per_article * 1000:.0f} ms per article: one writer stores at most about "
                      f"{1 / per_article:.0f} articles/s, so 1,000,000 articles take at least "
                      f"{1_000_000 * per_article / 3600:.1f} h however many machines analyse them")
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
