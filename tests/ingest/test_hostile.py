"""Hostile input never stops, stalls or leaks a run: each case that once crashed, stalled or lost an input.

Every test runs the real ingest (worker process, DuckDB file) and asserts on what was stored or
quarantined: the reason, the exact bytes kept, the documents after the bad input.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from bench.fuzz import account
from bench.hostile import write_corpus
from pipeline.config import REPO_ROOT
from conftest import SEEDS
from pipeline.ingest import load, runner
from pipeline.store import export

GOOD = (REPO_ROOT / "data" / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8")


def _good(tag: str) -> str:
    return GOOD + f"\n\nThe analyst Sam Example{tag} said on Tuesday that case {tag} remained open.\n"


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _quarantine(db: Path) -> dict[tuple[str, int | None], tuple[str, str, str | None]]:
    rows = _rows(db, "SELECT source, line, reason, raw_sha256, raw_copy FROM quarantine")
    return {(source, line): (reason, sha, copy) for source, line, reason, sha, copy in rows}


def _sources(db: Path) -> set[str]:
    return {s for (s,) in _rows(db, "SELECT source FROM documents UNION SELECT source FROM document_sources")}


def test_a_mixed_hostile_folder_loses_nothing_and_keeps_exact_bytes(tmp_path, analyze):
    inputs = write_corpus(tmp_path / "in", 45, seed=3, scale=0.01)
    db = tmp_path / "db" / "claims.duckdb"
    summary = runner.ingest([tmp_path / "in"], db, analyze)
    assert account(db, [("", item) for item in inputs]) == {"lost": [], "good lost": [], "copy not exact": []}
    assert summary.quarantined >= sum(1 for item in inputs if item.expect == "quarantine")
    assert summary.skipped == sum(1 for item in inputs if item.expect == "passed-over")


def test_jsonl_rows_that_crashed_the_run_are_quarantined_and_the_run_goes_on(tmp_path, analyze):
    rows = [
        b'{"text": "x", "n": ' + b"9" * 5001 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"url": "https://example.org/s", "title": "bad \ud800 title", "text": _good("s")}).encode(),
        json.dumps({"url": "https://example.org/after", "text": _good("after")}).encode(),
    ]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "batch.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    db = tmp_path / "claims.duckdb"
    summary = runner.ingest([tmp_path / "in"], db, analyze)
    records = _quarantine(db)
    assert records[("batch.jsonl", 1)][0].startswith("malformed JSON: Exceeds the limit")
    assert records[("batch.jsonl", 2)][0] == "malformed JSON: nested too deeply"
    for line in (1, 2):  # the copy is the row's own bytes
        assert records[("batch.jsonl", line)][1] == hashlib.sha256(rows[line - 1]).hexdigest()
    (title,) = _rows(db, "SELECT title FROM documents WHERE source = 'https://example.org/s'")[0]
    assert title == "bad \ufffd title"  # a lone surrogate is no character: replaced, the row kept
    assert "https://example.org/after" in _sources(db)
    assert summary.new + summary.duplicates == 2 and summary.quarantined == 2  # the two good rows are near-copies


def test_a_file_name_that_is_not_utf8_is_stored_under_a_printable_name(tmp_path, analyze):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(_good("name"), encoding="utf-8")
    runner.ingest([folder], tmp_path / "claims.duckdb", analyze)
    assert _sources(tmp_path / "claims.duckdb") == {"caf\\xe9.txt"}


def test_an_unreadable_file_is_recorded_and_the_next_is_read(tmp_path, analyze, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_locked.txt").write_text(_good("locked"), encoding="utf-8")
    (folder / "b_open.txt").write_text(_good("open"), encoding="utf-8")
    read_bytes = Path.read_bytes

    def refuse(self):
        # Permissions do not stop root (CI runs as root): the refusal a user meets is played here.
        if self.name == "a_locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    summary = runner.ingest([folder], tmp_path / "claims.duckdb", analyze)
    reason, sha, copy = _quarantine(tmp_path / "claims.duckdb")[("a_locked.txt", None)]
    assert (reason, copy) == ("cannot read: Permission denied", None)
    assert _sources(tmp_path / "claims.duckdb") == {"b_open.txt"} and summary.new == 1


def test_an_unreadable_or_malformed_manifest_is_recorded_and_the_run_goes_on(tmp_path, analyze):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_good("manifest"), encoding="utf-8")
    (tmp_path / "folder_manifest.csv").mkdir()  # read_bytes raises IsADirectoryError
    summary = runner.ingest([folder], tmp_path / "claims.duckdb", analyze, manifest=tmp_path / "folder_manifest.csv")
    assert summary.new == 1
    bad = tmp_path / "big.jsonl"
    bad.write_bytes(b'{"path": "a.txt", "title": ' + b"7" * 5001 + b"}\n")
    runner.ingest([folder], tmp_path / "claims.duckdb", analyze, manifest=bad)
    reasons = {r for r, _, _ in _quarantine(tmp_path / "claims.duckdb").values()}
    assert "manifest: cannot read: Is a directory" in reasons
    assert any(r.startswith("manifest: malformed JSON: Exceeds the limit") for r in reasons)


def test_manifest_rows_matching_no_file_are_reported(tmp_path, analyze):
    from rich.console import Console

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_good("m"), encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text("path,title\na.txt,Found\nmissing.txt,Typo\n", encoding="utf-8")
    out = io.StringIO()
    runner.ingest([folder / "a.txt"], tmp_path / "claims.duckdb", analyze, manifest=manifest,
                  console=Console(file=out, width=200))
    assert "1 manifest row matched no file or batch row read: line 3:" in out.getvalue()
    assert "missing.txt" in out.getvalue()


def test_csv_a_huge_field_is_read_and_an_unbalanced_quote_costs_only_its_row(tmp_path, analyze):
    big = "Officials said the talks would resume. " * 4000  # 156,000 characters: over csv's 131,072
    lines = [
        "url,title,text",
        f'https://example.org/big,Big,"{big}"',
        'https://example.org/broken,"Broken,text that never closes its quote',
        'https://example.org/after,After,"' + _good("csv").replace('"', '""') + '"',
    ]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "batch.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "claims.duckdb"
    runner.ingest([tmp_path / "in"], db, analyze)
    assert {"https://example.org/big", "https://example.org/after"} <= _sources(db)
    reason, sha, copy = _quarantine(db)[("batch.csv", 3)]
    assert reason == "malformed CSV: unbalanced quote"
    assert Path(copy).read_bytes() == lines[2].encode() and sha == hashlib.sha256(lines[2].encode()).hexdigest()


def test_quarantine_copies_are_the_raw_bytes(tmp_path, analyze):
    folder = tmp_path / "in"
    folder.mkdir()
    page = "<html><body><nav><a href='/'>Accueil</a> · <a href='/x'>Caf\xe9</a></nav></body></html>".encode("cp1252")
    (folder / "menu.html").write_bytes(page)
    row = b'{"url": "https://example.org/empty", "text": "   "}'
    (folder / "rows.jsonl").write_bytes(row + b"\r\n")
    db = tmp_path / "claims.duckdb"
    runner.ingest([folder], db, analyze)
    records = _quarantine(db)
    reason, sha, copy = records[("menu.html", None)]
    assert reason == "HTML page has no article text"
    assert Path(copy).read_bytes() == page  # the file's bytes, not its text re-encoded as UTF-8
    reason, sha, copy = records[("rows.jsonl", 1)]
    assert Path(copy).read_bytes() == row and sha == hashlib.sha256(row).hexdigest()


def test_links_out_of_the_root_and_fifos_are_recorded_never_read(tmp_path, analyze):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe.txt")
    (folder / "real.txt").write_text(_good("links"), encoding="utf-8")
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    db = tmp_path / "claims.duckdb"
    summary = runner.ingest([folder], db, analyze)
    records = _quarantine(db)
    assert records[("passwd.txt", None)][0] == "symbolic link leads outside the ingest root (to /etc/passwd), refused"
    assert records[("pipe.txt", None)][0] == "not a regular file (FIFO), never opened"
    assert all(copy is None for _, _, copy in records.values())
    assert _sources(db) == {"real.txt"}
    assert "skipped 1" in summary.line()  # the hidden file, counted


def test_a_fifo_named_on_the_command_line_is_refused(tmp_path, analyze):
    os.mkfifo(tmp_path / "pipe.txt")
    db = tmp_path / "db" / "claims.duckdb"
    summary = runner.ingest([tmp_path / "pipe.txt"], db, analyze)  # would block forever if opened
    assert summary.quarantined == 1
    assert _quarantine(db)[("pipe.txt", None)][0] == "not a regular file (FIFO), never opened"


def test_a_document_over_its_time_budget_is_quarantined_and_the_run_goes_on(tmp_path, analyze, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    # 2,000 statements: about 7 s on a 2-core machine (400 took 1.5 s, too close to the limit for a faster one).
    (folder / "a_slow.txt").write_text(" ".join(f"According to official {i}, who said that" for i in range(2000)),
                                       encoding="utf-8")
    (folder / "b_good.txt").write_text("“We never sent drones to Russia,” the Iranian foreign minister said on "
                                       "Monday.\n", encoding="utf-8")
    monkeypatch.setattr(runner, "SECONDS_PER_MB", 0.0)
    db = tmp_path / "claims.duckdb"
    summary = runner.ingest([folder], db, analyze, time_limit=1.0)
    reason = _quarantine(db)[("a_slow.txt", None)][0]
    assert reason.startswith("took too long: over its limit of")
    assert _sources(db) == {"b_good.txt"} and summary.new == 1


def test_the_worker_start_is_not_charged_to_the_first_document(tmp_path, analyze, monkeypatch):
    # Starting the worker loads the models (about 5 s here, more on a busy machine); a seed takes well
    # under a second. Charged to the first document, the start alone would quarantine it.
    monkeypatch.setattr(runner, "SECONDS_PER_MB", 0.0)
    db = tmp_path / "claims.duckdb"
    summary = runner.ingest([SEEDS / "003_dc76e98f6d4ee6c7.txt"], db, analyze, time_limit=3.0)
    assert (summary.new, summary.quarantined) == (1, 0), summary.line()
    assert _sources(db) == {"003_dc76e98f6d4ee6c7.txt"}


def test_sigterm_ends_a_run_stuck_in_a_slow_document_within_seconds(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(_good("term"), encoding="utf-8")
    # Minutes of analysis (thousands of statements in one 'sentence' chain).
    (folder / "b_slow.txt").write_text(" ".join(f"According to official {i}, who said that" for i in range(6000)),
                                       encoding="utf-8")
    db = tmp_path / "claims.duckdb"
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db),
                            "--time-limit", "600"], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob("claims.duckdb.writing-*")):
        time.sleep(0.2)
    # The workers start and the good article is stored, then the slow one runs for minutes. On a busy
    # machine the start takes long, and the progress line (every 5 s) says when the good one is stored.
    enough = time.monotonic() + 45  # a fast machine may store it within 5 s: no line comes
    while time.monotonic() < deadline and not any("ingesting: 1/2" in line for line in list(lines)):
        if time.monotonic() > enough:
            break
        time.sleep(0.2)
    time.sleep(2)
    run.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out = run.stdout.read()
    run.wait(timeout=60)
    stopped_after = time.monotonic() - started
    reader.join(timeout=10)
    assert run.returncode == 130, "".join(lines)
    assert stopped_after < 15, f"took {stopped_after:.1f} s to stop"
    assert "interrupted" in out
    assert _sources(db) == {"a_good.txt"}  # what was stored is published


def test_csv_exports_quote_line_breaks_and_neutralise_every_formula_prefix():
    import pandas as pd

    cells = ["=1+2\r@SUM(1)", "+cmd", "-2", "@x", "\tx", "\rx", "\nx", "|x", "%x", "＝1+2", "＋1", "－1", "＠x",
             "｜x", "％x", "'tis", "plain", "It’s"]
    text = export.to_csv_text(pd.DataFrame({"cell": cells}))
    read = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert len(read) == len(cells)  # no row split at a CR or LF inside a cell
    assert read[:-2] == ["'" + c for c in cells[:-2]]  # "'tis" too: a spreadsheet would hide its apostrophe
    assert read[-2:] == ["plain", "It’s"]
    assert '"\'=1+2\r@SUM(1)"' in text  # the CR cell is quoted


def test_a_cr_in_a_stored_title_cannot_start_a_cell_in_documents_csv(tmp_path, analyze, capsys):
    from pipeline.cli import main as cli

    (tmp_path / "in").mkdir()
    row = {"url": "https://example.org/cr", "title": "News\r=1+2\r@SUM(1)", "text": _good("cr")}
    (tmp_path / "in" / "rows.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    db = tmp_path / "claims.duckdb"
    runner.ingest([tmp_path / "in"], db, analyze)
    capsys.readouterr()
    assert cli(["documents", "--db", str(db), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    cells = [cell for row in csv.reader(io.StringIO(out, newline="")) for cell in row]
    assert "News\r=1+2\r@SUM(1)" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)


@pytest.mark.parametrize("argv,env,message", [
    (["documents", "--db", ""], {}, "error: --db is empty: give the path of a database file"),
    (["documents", "--db", "{tmp}"], {}, "error: --db: {tmp} is a folder, not a database file"),
    (["documents", "--db", "{tmp}/notes.txt"], {}, "error: {tmp}/notes.txt: not a DuckDB database file"),
    (["export", "--db", "{tmp}/notes.txt", "--out", "{tmp}/x.csv"], {},
     "error: {tmp}/notes.txt: not a DuckDB database file"),
    (["documents"], {"CLAIMS_DB": ":memory:"},
     "error: CLAIMS_DB=:memory: would lose everything when the command ends: give a file path"),
    (["ingest", "{tmp}/notes.txt", "--db", "{tmp}/new.duckdb"], {"CLAIMS_MAX_BYTES": "abc"},
     "error: CLAIMS_MAX_BYTES='abc' is not a whole number of bytes"),
    (["ingest", "{tmp}/notes.txt", "--db", "/proc/version"], {},
     "error: /proc/version: cannot write a database there (No such file or directory)"),
])
def test_odd_paths_and_settings_are_one_line_with_exit_2(tmp_path, argv, env, message):
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pipeline", *[a.format(tmp=tmp_path) for a in argv]], cwd=REPO_ROOT,
                         capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [message.format(tmp=tmp_path)]


def test_tilde_expands_and_a_db_link_stays_a_link(tmp_path, seed_db, capsys, monkeypatch):
    from pipeline.cli import main as cli

    monkeypatch.setenv("HOME", str(tmp_path))
    target = tmp_path / "real.duckdb"
    target.write_bytes(seed_db.read_bytes())
    link = tmp_path / "link.duckdb"
    link.symlink_to(target)
    monkeypatch.setenv("CLAIMS_DB", "~/link.duckdb")
    assert cli(["ingest", str(REPO_ROOT / "data" / "seeds")]) == 0
    assert link.is_symlink() and link.resolve() == target  # published onto the target, the link kept
    assert "unchanged 5" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.writing-*"))


def test_working_files_of_killed_writers_are_removed(tmp_path, seed_db, capsys):
    from pipeline.cli import main as cli

    db = tmp_path / "claims.duckdb"
    db.write_bytes(seed_db.read_bytes())
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    (tmp_path / f"claims.duckdb.writing-{dead}").write_bytes(b"partial")
    (tmp_path / f"claims.duckdb.writing-{dead}.wal").write_bytes(b"wal")
    alive = tmp_path / f"claims.duckdb.writing-{os.getpid()}"
    alive.write_bytes(b"a writer at work")
    assert cli(["documents", "--db", str(db), "--format", "csv"]) == 0
    assert sorted(p.name for p in tmp_path.glob("claims.duckdb.writing-*")) == [alive.name]
    assert f"removed claims.duckdb.writing-{dead}, left by a writer that was killed" in capsys.readouterr().err


def test_csv_records_keep_their_first_line_and_an_unbalanced_quote_only_its_own():
    rows = list(load._csv_rows(io.StringIO('a,b,text\n1,"two\nlines",z\n2,"x,y\n3,ok,fine\n', newline="")))
    assert [(r.line, r.error) for r in rows] == [(2, None), (4, "malformed CSV: unbalanced quote"), (5, None)]
    assert rows[0].raw == '1,"two\nlines",z' and rows[1].raw == '2,"x,y' and rows[2].fields["text"] == "fine"
