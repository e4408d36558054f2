"""End-to-end ingest of the shipped seeds and of bad input, into a real DuckDB file."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SEEDS

from pipeline.config import REPO_ROOT
from pipeline.ingest import runner
from pipeline.store import connection, database, queries

S000, S001, S002, S003, S004 = sorted(p.name for p in SEEDS.iterdir() if p.suffix == ".txt")


def documents_by_source(db: Path):
    """Return ({source: row}, {source: id}); dates as datetime.date or None."""
    with connection.connect_readonly(db) as con:
        frame = queries.documents(con)
    frame["published"] = [None if v is None or v != v else v.date() for v in frame["published"]]
    frame = frame.astype(object).where(frame.notna(), None)
    with connection.connect_readonly(db) as con:
        ids = dict(con.execute("SELECT source, id FROM documents").fetchall())
    return {row.source: row for row in frame.itertuples()}, ids


def row_counts(db: Path) -> dict[str, int]:
    with connection.connect_readonly(db) as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are constants
            for table in ("documents", "document_sources", "document_bands", "statements", "quarantine")
        }


def test_seeds_are_stored_with_dates_outlets_and_the_duplicate(seed_db):
    docs, ids = documents_by_source(seed_db)
    assert set(docs) == {S000, S001, S002, S003, S004}
    assert docs[S000].published == dt.date(2023, 2, 28) and docs[S000].published_precision == "day"
    assert docs[S004].published == dt.date(2022, 12, 20) and docs[S004].published_precision == "day"
    # 001 is the same article as 000 in clean text: stored as its copy, and it shares the page's date.
    assert docs[S001].duplicate_of == ids[S000]
    assert docs[S001].published == dt.date(2023, 2, 28)
    for undated in (S002, S003):
        assert docs[undated].published is None
        assert docs[undated].published_precision == "unknown"
    assert docs[S000].outlet == "Al Mayadeen English"
    assert docs[S000].authors in ("", None) or "Al Mayadeen" not in docs[S000].authors
    assert docs[S002].original_outlet == "Financial Times"
    assert docs[S004].authors == "Dave DeCamp"
    assert docs[S004].title.startswith("CIA Chief Says Russia-Iran Building")


def test_undated_documents_are_listed_as_needing_a_date(seed_db):
    with connection.connect_readonly(seed_db) as con:
        frame = queries.needs_date(con)
    assert sorted(frame["source"]) == [S002, S003]


@pytest.mark.parametrize(
    "chrome_line",
    [
        "Trump: We want to feed the people in Gaza, we do not want them to starve.",  # BREAKING ticker
        "BREAKING",
        "Most Read",
        "Read Next",
        "Related News",
        "Clashes erupt in Deir Hafer between SDF, Syrian army factions",  # teaser inside the article
        "Yemen Navy reveals fate of targeted Eternity C ship crew",  # Most Read teaser
        "Arts&Culture",  # menu
        "Privacy Policy",  # footer
        "All Rights Reserved",
        "Android",  # app links
        "3 Min Read",
        "A police officer inspects parts of an unmanned aerial vehicle",  # caption: kept apart, not in the body
    ],
)
def test_the_page_scrape_body_is_the_article_without_site_chrome(seed_db, chrome_line):
    _, ids = documents_by_source(seed_db)
    with connection.connect_readonly(seed_db) as con:
        body, captions = con.execute("SELECT body, captions FROM documents WHERE id = ?", [ids[S000]]).fetchone()
    assert chrome_line not in body
    assert "Stroul told reporters" in body
    assert "Cleverly accused Iran of providing Russia with hundreds of drones" in body
    assert any(c.startswith("A police officer inspects parts of an unmanned aerial vehicle") for c in captions)


def test_duplicate_statements_are_not_counted(seed_db):
    with connection.connect_readonly(seed_db) as con:
        totals = queries.counts(con)
        all_statements = con.execute("SELECT count(*) FROM statements").fetchone()[0]
    assert totals["documents"] == 5 and totals["originals"] == 4
    assert 0 < totals["statements"] < all_statements


def test_copy_first_order_makes_the_page_the_duplicate_and_dates_the_copy(fresh_db, analyze):
    runner.ingest([SEEDS / S001], fresh_db, analyze)
    summary = runner.ingest([SEEDS / S000], fresh_db, analyze)
    assert (summary.new, summary.duplicates) == (0, 1)
    docs, ids = documents_by_source(fresh_db)
    assert docs[S000].duplicate_of == ids[S001]
    assert docs[S001].duplicate_of is None
    assert docs[S001].published == dt.date(2023, 2, 28)


def test_a_second_ingest_changes_nothing(tmp_path, seed_db, analyze):
    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    before = row_counts(db)
    summary = runner.ingest([SEEDS], db, analyze)
    assert (summary.read, summary.new, summary.duplicates, summary.unchanged) == (5, 0, 0, 5)
    assert row_counts(db) == before


def write_bad_inputs(folder: Path) -> dict[str, str]:
    """Write one file per kind of bad input; return {name: expected reason fragment}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "undecodable.txt").write_bytes(b"Some text \x81\x8d\x90\x9d more")
    (folder / "huge.txt").write_bytes(b"All work and no play. " * 2000)
    (folder / "nav-only.html").write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<footer>All rights reserved</footer></body></html>"
    )
    (folder / "batch.jsonl").write_text('{"text": \n', encoding="utf-8")
    (folder / "batch.csv").write_text("text,title\nfine text,One,extra\n", encoding="utf-8")
    return {
        "empty.txt": "empty file",
        "picture.txt": "binary file (PNG image)",
        "undecodable.txt": "undecodable bytes",
        "huge.txt": "file too large",
        "nav-only.html": "HTML page has no article text",
        "batch.jsonl": "malformed JSON",
        "batch.csv": "row has 3 fields, header has 2",
    }


def test_each_bad_input_is_quarantined_with_its_reason_and_the_run_goes_on(tmp_path, fresh_db, seeds_copy):
    expected = write_bad_inputs(seeds_copy / "bad")
    # Good text in the two encodings that must decode, next to the bad files.
    text = (SEEDS / S003).read_text(encoding="utf-8").replace("—", "-").replace("’", "'")
    (seeds_copy / "bad" / "cp1252.txt").write_bytes(text.replace("Reza Talaei", "Réza Talaei").encode("cp1252"))
    (seeds_copy / "bad" / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + (SEEDS / S004).read_text().encode("utf-16-le"))
    # Not an article file inside a folder: passed over and said so, neither read nor quarantined.
    (seeds_copy / "bad" / "notes.pdf").write_bytes(b"%PDF-1.4")
    env = {**os.environ, "CLAIMS_DB": str(fresh_db), "CLAIMS_MAX_BYTES": "40000"}
    run = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(seeds_copy)], capture_output=True,
                         text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    passed_over = [line for line in run.stderr.splitlines() if line.startswith("passed over")]
    assert len(passed_over) == 1 and "1 file of other types (.pdf)" in passed_over[0] and "notes.pdf" in passed_over[0]
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("read 14, new 4, duplicates 3,"), summary
    assert "quarantined 7" in summary
    for name, reason in expected.items():
        assert any(name in line and reason in line for line in run.stderr.splitlines()), (name, run.stderr)
    with connection.connect_readonly(fresh_db) as con:
        frame = queries.quarantined(con)
        sources = dict(con.execute("SELECT source, body FROM documents").fetchall())
    reasons = {Path(s).name: r for s, r in zip(frame["source"], frame["reason"])}
    for name, reason in expected.items():
        assert reason in reasons[name]
    # The raw input is kept, byte for byte, under its hash.
    picture = frame[frame["source"].str.endswith("picture.txt")].iloc[0]
    assert Path(picture["raw_copy"]).read_bytes() == (seeds_copy / "bad" / "picture.txt").read_bytes()
    assert "Réza Talaei-Nik" in sources["bad/cp1252.txt"]
    assert "Nasser Kanani" in sources["bad/utf16.txt"]
    # Running again adds no quarantine record and no document.
    again = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(seeds_copy)], capture_output=True,
                           text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert "new 0, duplicates 0, unchanged 7" in again.stdout
    with connection.connect_readonly(fresh_db) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 7


def test_nothing_usable_exits_non_zero(tmp_path, fresh_db):
    write_bad_inputs(tmp_path / "bad")
    env = {**os.environ, "CLAIMS_DB": str(fresh_db), "CLAIMS_MAX_BYTES": "40000"}
    run = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(tmp_path / "bad")], capture_output=True,
                         text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert run.returncode == 1
    assert "new 0" in run.stdout and "quarantined 7" in run.stdout


def test_manifest_supplies_a_missing_date_and_outlet_and_reruns_change_nothing(tmp_path, seed_db, analyze):
    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"path,published,outlet\n{SEEDS / S003},2023-07-14,Example Blog\n")
    first = runner.ingest([SEEDS], db, analyze, manifest=manifest)
    assert first.updated == 1
    docs, _ = documents_by_source(db)
    assert docs[S003].published == dt.date(2023, 7, 14) and docs[S003].outlet == "Example Blog"
    with connection.connect_readonly(db) as con:
        dated = con.execute(
            "SELECT count(*) FROM statements s JOIN documents d ON d.id = s.document_id "
            "WHERE d.source = ? AND s.statement_date IS NOT NULL", [S003]
        ).fetchone()[0]
    assert dated > 0  # statements are re-dated from the new publication date
    second = runner.ingest([SEEDS], db, analyze, manifest=manifest)
    assert (second.updated, second.unchanged) == (0, 5)


def test_jsonl_batch_rows_become_documents_with_their_metadata(fresh_db, analyze, tmp_path):
    batch = tmp_path / "batch.jsonl"
    rows = [
        {"text": (SEEDS / S004).read_text(), "url": "https://example.org/cia", "outlet": "Example Wire",
         "published": "2022-12-20"},
        {"html": "<html><body><article><h1>Talks</h1><p>" + "The minister said the talks went well. " * 20
                 + "</p></article></body></html>", "url": "https://example.org/talks", "published": "2023-03-01"},
    ]
    batch.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summary = runner.ingest([batch], fresh_db, analyze)
    assert summary.new == 2
    docs, _ = documents_by_source(fresh_db)
    assert docs["https://example.org/cia"].outlet == "Example Wire"
    assert docs["https://example.org/talks"].published == dt.date(2023, 3, 1)


def test_an_interrupted_ingest_leaves_whole_documents(tmp_path, fresh_db, analyze):
    folder = tmp_path / "many"
    folder.mkdir()
    base = (SEEDS / S004).read_text()
    for i in range(400):
        (folder / f"{i:04}.txt").write_text(f"Story number {i} of a long run.\n\n" + base.replace("Sunday", f"day {i}"))
    env = {**os.environ, "CLAIMS_DB": str(fresh_db)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(folder)], env=env, cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupt once the progress line on stderr has counted a stored document: starting the worker and
    # loading the encoders takes seconds on a busy machine.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + 180
    while not any(re.search(r"ingesting: [1-9]\d*/400", line) for line in list(lines)) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out = proc.stdout.read()
    proc.wait(timeout=120)
    reader.join(timeout=10)
    err = "".join(lines)
    assert proc.returncode == 130, err
    assert "interrupted" in out
    with connection.connect_readonly(fresh_db) as con:
        stored = con.execute("SELECT id FROM documents").fetchall()
        assert 0 < len(stored) < 400
        for (doc_id,) in stored[:25]:
            document = database.load_document(con, doc_id)
            count = con.execute("SELECT count(*) FROM statements WHERE document_id = ?", [doc_id]).fetchone()[0]
            assert count == len(analyze(document).statements)


def test_a_killed_ingest_leaves_the_published_database_as_it_was(tmp_path, seed_db):
    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    before = row_counts(db)
    folder = tmp_path / "many"
    folder.mkdir()
    base = (SEEDS / S002).read_text()
    for i in range(300):
        (folder / f"{i:04}.txt").write_text(f"Dispatch {i}.\n\n" + base)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(folder)], cwd=REPO_ROOT,
                            env={**os.environ, "CLAIMS_DB": str(db)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("*.writing-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2)
    proc.kill()
    proc.wait(timeout=60)
    assert row_counts(db) == before
    # The next writer clears the dead run's working file and works normally.
    assert list(tmp_path.glob("*.writing-*"))
    run = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(SEEDS)], cwd=REPO_ROOT, capture_output=True,
                         text=True, env={**os.environ, "CLAIMS_DB": str(db)}, timeout=300)
    assert "unchanged 5" in run.stdout
    assert not list(tmp_path.glob("*.writing-*"))
