"""Several workers give exactly the database one worker gives, and keep every guarantee of a run."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bench.hostile import write_corpus
from conftest import SEEDS
from pipeline.config import REPO_ROOT
from pipeline.ingest import runner

# Quick cases only: a slow one's fate would hang on the machine's load, not on the number of workers.
MIXED_CASES = ["good", "good_again", "jsonl_mixed", "csv_mixed", "empty", "binary_png", "undecodable",
               "windows_1252", "html_without_article", "html_script", "markdown_odd", "formula_title"]
# Columns that hold the moment of a run or the database's own folder (raw_copy; its name is raw_sha256).
RUN_TIMES = {"ingested_at", "first_seen", "quarantined_at", "applied_at", "raw_copy"}
TABLES = ["documents", "document_sources", "statements", "claims", "document_stances", "quarantine",
          "document_bands"]


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory) -> Path:
    """Seeds (with the page copy), a near copy, the same file twice, and good and bad inputs mixed."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copy(SEEDS / "001_d00519b2b57ac181.txt", folder / "same_bytes_again.txt")
    edited = (SEEDS / "002_d15bbcbb6ade96e7.txt").read_text(encoding="utf-8").replace("said", "stated", 1)
    (folder / "near_copy.txt").write_text(edited, encoding="utf-8")
    write_corpus(folder / "hostile", 40, seed=11, scale=0.01, cases=MIXED_CASES)
    return folder


def _content(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        content = {}
        for table in TABLES:
            columns = [row[0] for row in con.execute(f"describe {table}").fetchall() if row[0] not in RUN_TIMES]
            content[table] = sorted(con.execute(f"select {', '.join(columns)} from {table}").fetchall(), key=repr)
        return content


def test_two_workers_give_exactly_the_database_one_worker_gives(tmp_path, mixed_inputs, analyze):
    one, two = tmp_path / "one" / "claims.duckdb", tmp_path / "two" / "claims.duckdb"
    first = runner.ingest([mixed_inputs], one, analyze, workers=1)
    second = runner.ingest([mixed_inputs], two, analyze, workers=2)
    assert first.model_dump(exclude={"seconds"}) == second.model_dump(exclude={"seconds"})
    assert first.new >= 10 and first.duplicates >= 10 and first.quarantined > 5 and first.unchanged >= 1
    one_content, two_content = _content(one), _content(two)
    for table in TABLES:
        assert one_content[table] == two_content[table], table
    with duckdb.connect(str(two), read_only=True) as con:
        # Which copy is the original follows input order, not which worker finished first.
        duplicate_of = dict(con.execute("select s.source, d.duplicate_of from documents d join document_sources s "
                                        "on s.document_id = d.id").fetchall())
        speakers = {row[0] for row in con.execute("select speaker_name from statements").fetchall()}
    assert duplicate_of["same_bytes_again.txt"] == duplicate_of["seeds/001_d00519b2b57ac181.txt"]
    assert duplicate_of["seeds/000_f5fea07825fc11a7.txt"] is not None
    assert "Hossein Amir-Abdollahian" in speakers


def test_a_second_parallel_ingest_changes_nothing(tmp_path, mixed_inputs, analyze):
    db = tmp_path / "claims.duckdb"
    runner.ingest([mixed_inputs], db, analyze, workers=2)
    before = _content(db)
    again = runner.ingest([mixed_inputs], db, analyze, workers=2)
    assert (again.new, again.duplicates, again.unchanged) == (0, 0, 29)
    assert _content(db) == before


def test_a_killed_parallel_ingest_leaves_the_published_file_and_a_rerun_completes_it(tmp_path, mixed_inputs,
                                                                                      analyze):
    db = tmp_path / "claims.duckdb"
    runner.ingest([SEEDS], db, analyze, workers=1)
    published = db.read_bytes()
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(mixed_inputs), "--db", str(db),
                            "--workers", "2"], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob("claims.duckdb.writing-*")):
        time.sleep(0.1)
    time.sleep(8)  # the workers start and some documents are stored in the working copy
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert db.read_bytes() == published
    runner.ingest([mixed_inputs], db, analyze, workers=2)
    reference = tmp_path / "reference" / "claims.duckdb"
    runner.ingest([SEEDS], reference, analyze, workers=1)
    runner.ingest([mixed_inputs], reference, analyze, workers=1)
    assert _content(db)["statements"] == _content(reference)["statements"]
    assert _content(db)["quarantine"] == _content(reference)["quarantine"]


@pytest.mark.parametrize("reextract", [False, True])
def test_a_parallel_relink_derives_what_a_relink_here_derives(tmp_path, seed_db, analyze, monkeypatch, reextract):
    from pipeline.store import database

    monkeypatch.setattr(runner, "PARALLEL_RELINK_MIN", 1)  # the seeds are too few to start workers for
    here, parallel = tmp_path / "here.duckdb", tmp_path / "parallel.duckdb"
    shutil.copy(seed_db, here)
    shutil.copy(seed_db, parallel)
    with database.writer(here) as con:
        runner.relink(con, analyze, reextract=reextract, workers=1)
    with database.writer(parallel) as con:
        assert runner.relink(con, analyze, reextract=reextract, workers=2) == 5
    assert _content(here) == _content(parallel)
    assert _content(parallel)["claims"] == _content(seed_db)["claims"]


@pytest.fixture(scope="module")
def dask_scheduler():
    """The address of a Dask LocalCluster of two worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_ingest_gives_exactly_the_database_one_worker_gives(tmp_path, mixed_inputs, analyze,
                                                                            dask_scheduler):
    one, cluster = tmp_path / "one" / "claims.duckdb", tmp_path / "cluster" / "claims.duckdb"
    first = runner.ingest([mixed_inputs], one, analyze, workers=1)
    second = runner.ingest([mixed_inputs], cluster, analyze, dask=dask_scheduler)
    assert first.model_dump(exclude={"seconds"}) == second.model_dump(exclude={"seconds"})
    assert _content(one) == _content(cluster)
    again = runner.ingest([mixed_inputs], cluster, analyze, dask=dask_scheduler)
    assert (again.new, again.duplicates) == (0, 0) and _content(cluster) == _content(one)


def test_no_scheduler_at_the_address_is_one_line_with_exit_2(tmp_path):
    pytest.importorskip("distributed")
    run = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(SEEDS), "--db", str(tmp_path / "c.duckdb"),
                          "--dask", "tcp://127.0.0.1:9"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("error: no Dask scheduler at tcp://127.0.0.1:9")


def test_a_worker_killed_while_idle_is_replaced_and_the_next_document_analysed(analyze):
    import os

    from pipeline.ingest.pool import Request, WorkerPool
    from pipeline.ingest.worker import warm_up_document

    document = warm_up_document()  # Officials said ... the talks would resume. “We are ready,” the minister said.
    with WorkerPool(analyze.actors, analyze.catalog, workers=1) as pool:
        first = pool.call(Request("analyze", document, 60))
        worker = pool._workers[0]
        os.kill(worker._process.pid, signal.SIGKILL)  # as the kernel's OOM killer would, between documents
        worker._process.join(timeout=10)
        second = pool.call(Request("analyze", document, 60))
    said = [s.content.text for s in second.statements]
    assert [s.content.text for s in first.statements] == said == ["the talks would resume", "We are ready"]


def test_a_stop_request_inside_another_shares_its_flag():
    import os

    with runner.StopRequest() as outer, runner.StopRequest() as inner:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)
        assert inner.requested and outer.requested


def test_documents_that_fail_to_relink_leave_the_version_so_the_next_run_relinks(tmp_path, seed_db, analyze,
                                                                                monkeypatch, capsys):
    from pipeline.store import database

    db = tmp_path / "claims.duckdb"
    shutil.copy(seed_db, db)
    # A long text (40 KB, a statement in every sentence) cannot be relinked in a millisecond on any
    # machine; a small seed's answer may come back before its deadline is looked at.
    write_corpus(tmp_path / "long", 1, seed=0, scale=0.05, cases=["single_line"])
    runner.ingest([tmp_path / "long"], db, analyze, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        long_id = con.execute("SELECT id FROM documents WHERE source LIKE '%single_line%'").fetchone()[0]
    before = _content(db)["claims"]
    monkeypatch.setattr(runner, "PARALLEL_RELINK_MIN", 1)
    monkeypatch.setattr(runner, "DEFAULT_DOCUMENT_SECONDS", 0.001)  # every relink runs over its time
    monkeypatch.setattr(runner, "SECONDS_PER_MB", 0.0)
    # The run waits up to POLL_SECONDS for answers before it looks at deadlines: looked at at once here.
    from pipeline.ingest import pool

    monkeypatch.setattr(pool, "POLL_SECONDS", 0.0)
    capsys.readouterr()
    with database.writer(db) as con:
        database.set_setting(con, "analysis_version", "an earlier catalog")
        runner.relink(con, analyze, workers=2)
        assert database.get_setting(con, "analysis_version") == "an earlier catalog"
    err = capsys.readouterr().err
    assert f"document {long_id} keeps its earlier statements: relinking failed: took too long" in err, err
    failed = err.count("keeps its earlier statements: relinking failed: took too long")
    assert f"{failed} document{'s' if failed != 1 else ''} could not be relinked; run relink again" in err
    assert _content(db)["claims"] == before


def test_an_analysis_crosses_the_process_boundary_unchanged(analyze):
    """A worker's answer is pickled (through pydantic's JSON): every statement and claim comes back equal."""
    import pickle

    from pipeline.ingest.documents import build_with_fingerprint
    from pipeline.ingest.load import read_file
    from pipeline.models import Statement

    seed = next(SEEDS.glob("002_*.txt"))
    document, _ = build_with_fingerprint(next(iter(read_file(seed, SEEDS, 10**7))))
    analysis = analyze(document)
    back = pickle.loads(pickle.dumps(analysis))
    assert back == analysis and back is not analysis
    assert len(back.statements) == len(analysis.statements) > 5
    assert all(type(s) is Statement for s in back.statements)
    assert [(s.speaker, s.party_id, s.statement_date) for s in back.statements] == \
        [(s.speaker, s.party_id, s.statement_date) for s in analysis.statements]


def test_a_request_is_answered_with_the_cycle_collector_paused_and_restored():
    import gc

    from pipeline.ingest.worker import answer_request

    seen = []

    def fails(_payload):
        seen.append(gc.isenabled())
        raise ValueError("bad document")

    handlers = {"analyze": lambda payload: seen.append(gc.isenabled()) or payload * 2, "fails": fails}
    assert gc.isenabled()
    assert answer_request(handlers, "analyze", 21) == ("ok", 42)
    assert answer_request(handlers, "fails", None)[:2] == ("error", "ValueError: bad document")
    assert seen == [False, False]
    assert gc.isenabled()  # after an answer and after a failure alike
