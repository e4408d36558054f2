"""The command line: every command documented, listings and exit codes."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys

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
