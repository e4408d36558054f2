"""The command line: every command documented, listings and exit codes."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import time

from pipeline import cli
from pipeline.config import REPO_ROOT


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_help_text():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert set(helps) == set(subcommands())
    for name, text in helps.items():
        assert text and len(text) > 15, name
    for name, sub in subcommands().items():
        for option in sub._actions:
            if option.dest != "help":
                assert option.help, f"{name} {option.dest}"


def run_cli(*args: str, db) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIMS_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=300)


def test_documents_lists_metadata_as_csv_and_json(seed_db):
    run = run_cli("documents", "--format", "csv", db=seed_db)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == 5
    assert set(rows[0]) >= {"id", "source", "title", "outlet", "original_outlet", "authors", "published",
                            "published_precision", "duplicate_of", "statements"}
    by_source = {r["source"]: r for r in rows}
    assert by_source["004_e3d5ecafbe7b84a0.txt"]["published"].startswith("2022-12-20")
    records = [json.loads(line) for line in run_cli("documents", "--format", "json", db=seed_db).stdout.splitlines()]
    assert {r["source"] for r in records} == set(by_source)


def test_documents_needs_date_lists_the_undated(seed_db):
    run = run_cli("documents", "--needs-date", "--format", "csv", db=seed_db)
    assert sorted(r["source"] for r in csv.DictReader(io.StringIO(run.stdout))) == [
        "002_d15bbcbb6ade96e7.txt", "003_dc76e98f6d4ee6c7.txt"]


def test_quarantine_lists_reasons(tmp_path, monkeypatch):
    db = tmp_path / "claims.duckdb"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    assert run_cli("ingest", str(tmp_path / "in"), db=db).returncode == 1
    run = run_cli("quarantine", "--format", "csv", db=db)
    [row] = list(csv.DictReader(io.StringIO(run.stdout)))
    assert (row["source"], row["reason"]) == ("empty.txt", "empty file")
    # The default table: a file has no line number (a missing integer), which once crashed the listing.
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that rich does not wrap the reason
    table = run_cli("quarantine", db=db)
    assert table.returncode == 0, table.stderr
    assert "empty.txt" in table.stdout and "empty file" in table.stdout


def test_listing_without_a_database_says_how_to_make_one(tmp_path):
    run = run_cli("documents", db=tmp_path / "none.duckdb")
    assert run.returncode == 1
    assert "no database yet" in run.stderr


def test_attributions_prints_offsets_into_the_file_as_read(tmp_path):
    from conftest import SEEDS

    seed = SEEDS / "004_e3d5ecafbe7b84a0.txt"
    run = run_cli("attributions", str(seed), db=tmp_path / "unused.duckdb")
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    text = seed.read_text(encoding="utf-8")
    for record in records:
        for part in ("cue", "content"):
            span = record[part]
            assert text[span["start"]:span["end"]] == span["text"]
    kanani = [r for r in records if r["speaker_name"] == "Nasser Kanani" and "third country" in r["content"]["text"]]
    assert kanani and kanani[0]["party"] == "iran" and kanani[0]["direct"] is True


def test_attributions_polnear_scope_adds_what_polnear_annotates_beyond_statements(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Clinton said she would win Ohio. Trump wants to win Pennsylvania.\n",
                       encoding="utf-8")
    runs = {scope: run_cli("attributions", str(article), "--scope", scope, db=tmp_path / "unused.duckdb")
            for scope in ("statements", "polnear")}
    cues = {scope: [json.loads(line)["cue"]["text"] for line in run.stdout.splitlines()] for scope, run in runs.items()}
    assert cues["statements"] == ["said"]
    assert cues["polnear"] == ["said", "wants"]  # an intention: PolNeAR's attribution, not a statement


def test_export_to_stdout_pipes_plain_csv(seed_db):
    run = subprocess.run(f"{sys.executable} -m pipeline export --out - --db {seed_db} | "
                         f"{sys.executable} -c \"import sys, csv; rows = list(csv.DictReader(sys.stdin)); "
                         f"print(len(rows), sorted({{r['stance'] for r in rows}}))\"",
                         shell=True, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    count, stances = run.stdout.split(" ", 1)
    assert int(count) > 10 and stances.strip() == "['asserts', 'denies']"
    assert "wrote" in run.stderr and "to standard output" in run.stderr  # the count on stderr, the rows on stdout


def test_export_files_carry_the_utf8_byte_order_mark_for_excel(seed_db, tmp_path):
    out = tmp_path / "claims.csv"
    assert run_cli("export", "--out", str(out), db=seed_db).returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0]["claim_id"] and any("’" in r["quote"] or "'" in r["quote"] for r in rows)


def test_export_errors_are_one_line_with_exit_2(seed_db, tmp_path):
    cases = {
        ("export", "--out", str(tmp_path / "missing" / "x.csv")): f"error: {tmp_path / 'missing'}: no such folder for --out",
        ("export", "--out", str(tmp_path / "x.xlsx")): "error: " + str(tmp_path / "x.xlsx") + ": Excel workbooks are not "
        "written; use a .csv file (UTF-8 with a byte-order mark: Excel opens it with every character right) or .parquet",
        ("brief", "--assertion", "nope", "--out", str(tmp_path / "b.png")): "error: no assertion 'nope' in the stored "
        "catalog; known: iran-drones-for-ukraine-war, russia-uses-iranian-drones, iran-russia-partnership-threat, "
        "russia-military-aid-to-iran, iran-missiles-to-russia",
    }
    for args, message in cases.items():
        run = run_cli(*args, db=seed_db)
        assert (run.returncode, run.stderr.strip().splitlines()) == (2, [message]), args
    run = run_cli("export", "--out", str(tmp_path / "x.csv"), "--assertion", "nope", db=seed_db)
    assert run.returncode == 2 and run.stderr.startswith("error: no assertion 'nope' in the stored catalog; known: ")


def test_listings_in_a_pipe_are_csv_with_dates_as_dates_and_filters(seed_db):
    run = run_cli("documents", "--limit", "2", "--originals", db=seed_db)  # stdout is a pipe, not a terminal
    rows = list(csv.DictReader(io.StringIO(run.stdout, newline="")))
    assert run.returncode == 0 and len(rows) == 2
    assert all(r["duplicate_of"] == "" for r in rows)
    assert rows[0]["published"] == "2022-12-20"  # a date, not "2022-12-20 00:00:00"
    one = run_cli("documents", "--outlet", "Al Mayadeen English", db=seed_db)
    assert {r["outlet"] for r in csv.DictReader(io.StringIO(one.stdout, newline=""))} == {"Al Mayadeen English"}


def test_an_empty_quarantine_says_so(seed_db):
    run = run_cli("quarantine", "--format", "table", db=seed_db)
    assert run.returncode == 0 and "Quarantined inputs: none." in run.stderr


def test_brief_takes_the_briefing_filters(seed_db, tmp_path):
    out = tmp_path / "iran.png"
    run = run_cli("brief", "--assertion", "iran-drones-for-ukraine-war", "--party", "iran", "--since", "2022-12-01",
                  "--out", str(out), db=seed_db)
    assert run.returncode == 0, run.stderr
    assert "2 dated statements" in run.stdout and out.read_bytes().startswith(b"\x89PNG")
    bad = run_cli("brief", "--assertion", "iran-drones-for-ukraine-war", "--party", "atlantis", "--out", str(out),
                  db=seed_db)
    assert bad.returncode == 2 and bad.stderr.startswith("error: no party 'atlantis' among the claims; known: ")


def test_progress_is_a_line_on_stderr_when_not_a_terminal():
    from rich.console import Console

    from pipeline.ingest import runner

    out = io.StringIO()
    progress = runner._progress(Console(file=out, width=200), 10)
    progress.INTERVAL = 0.0
    task = progress.add_task("ingesting", total=10)
    progress.advance(task)
    assert out.getvalue().startswith("ingesting: 1/10, ") and "s left" in out.getvalue()


def test_progress_on_a_terminal_is_a_bar_with_count_rate_and_time_left():
    from rich.console import Console

    from pipeline.ingest import runner

    out = io.StringIO()
    progress = runner._progress(Console(file=out, force_terminal=True, width=120, color_system=None), 30)
    with progress:
        task = progress.add_task("ingesting", total=30)
        for _ in range(30):
            time.sleep(0.01)
            progress.advance(task)
        progress.refresh()
    shown = out.getvalue()
    assert re.search(r"ingesting ━+ 30/30 \d+(\.\d)?/s 0:00:00", shown), shown[-300:]
