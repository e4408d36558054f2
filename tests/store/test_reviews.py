"""Reviews: a person's corrections, kept in a log apart from derived data, counted everywhere, never lost."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

import duckdb
import pytest
from rich.console import Console

from pipeline import cli
from pipeline.config import REPO_ROOT
from pipeline.ingest import runner
from pipeline.link.analyzer import analyzer
from pipeline.store import connection, database, queries, review_queries, reviews

AMIR = "Iran had given a small batch of drones to Russia"


@pytest.fixture
def db(seed_db, tmp_path):
    """A writable copy of the seed database, with no review log yet."""
    target = tmp_path / "db" / "claims.duckdb"
    target.parent.mkdir()
    shutil.copyfile(seed_db, target)
    return target


def _export(db) -> dict[str, dict]:
    with connection.connect_readonly(db) as con:
        frame = queries.claims_export(con)
    return {row["claim_id"]: row for row in frame.to_dict("records")}


def _claim(db, quote_start: str, assertion_id: str) -> dict:
    rows = [r for r in _export(db).values() if r["quote"].startswith(quote_start) and r["assertion_id"] == assertion_id]
    assert len(rows) == 1, rows
    return rows[0]


def _review(db, capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["review", *args, "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- the log and what it adds up to ----------------------------------------------------------


def _event(action, **fields) -> reviews.ReviewEvent:
    base = {"reviewer": "ana", "document_id": "d1", "quote": "We never sent drones.", "assertion_id": "a1"}
    return reviews.ReviewEvent(action=action, **{**base, **fields})


def test_fold_applies_each_change_in_order_and_keeps_the_latest_reviewer():
    states = reviews.fold([
        _event("reject", reason="not a claim"),
        _event("confirm", reviewer="bo"),  # revives it
        _event("stance", stance="denies", reviewer="cy"),
        _event("note", note="checked the video", reviewer="cy"),
    ])
    assert len(states) == 1
    state = states[0]
    assert (state.status, state.stance.value, state.reviewer, state.note, state.events) == \
        ("corrected", "denies", "cy", "checked the video", 4)


def test_moving_a_link_rejects_the_old_assertion_and_adds_the_new_one_with_its_stance():
    states = {s.assertion_id: s for s in reviews.fold([
        _event("assertion", to_assertion_id="a2", before={"stance": "denies", "party_id": "iran"}),
    ])}
    assert (states["a1"].status, states["a1"].reason) == ("rejected", "wrong assertion")
    assert (states["a2"].status, states["a2"].stance.value, states["a2"].party_id) == ("added", "denies", "iran")


def test_quotes_match_in_the_same_normal_form_in_python_and_in_duckdb():
    texts = ["“We never sent drones,” he said.", "Iran–Russia: a_b  TEST\n\tÜber 42%", "  ", "l'État, c'est moi!"]
    con = duckdb.connect()
    for text in texts:
        in_sql = con.execute(f"SELECT {reviews.QUOTE_KEY_SQL.format(column='?')}", [text]).fetchone()[0]
        assert reviews.quote_key(text) == in_sql, text


def test_a_review_naming_an_unknown_party_stance_or_assertion_is_refused(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    for args, message in [(["--party", "martians"], "party 'martians' is not in the actors file"),
                          (["--assertion", "no-such"], "assertion 'no-such' is not in the catalog"),
                          (["--confirm", "--stance", "asserts"], "one change at a time")]:
        code, out = _review(db, capsys, claim["claim_id"], *args, "--reviewer", "ana")
        assert code == 2 and message in out, out
    code, out = _review(db, capsys, claim["claim_id"], "--confirm")
    assert code == 2 and "who is reviewing?" in out
    assert not reviews.log_path(db).exists()


# --- counted everywhere ----------------------------------------------------------------------


def test_a_stance_correction_counts_in_exports_totals_and_the_timeline(db, capsys, monkeypatch):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    assert (claim["stance"], claim["review"], claim["reviewer"]) == ("denies", "unreviewed", None)
    monkeypatch.setenv("CLAIMS_REVIEWER", "Ana Reviewer")
    code, out = _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--note", "a small batch is a batch")
    assert code == 0 and "stance denies -> asserts" in out and "applied" in out

    after = _export(db)[claim["claim_id"]]
    assert (after["stance"], after["review"], after["reviewer"]) == ("asserts", "corrected", "Ana Reviewer")
    with connection.connect_readonly(db) as con:
        iran = queries.ClaimFilter(assertions=("iran-drones-for-ukraine-war",), parties=("iran",))
        points = queries.timeline_points(con, iran)
        reviewed = queries.filtered_totals(con, queries.ClaimFilter(reviewed_only=True))
        shown = queries.filtered_claims(con, queries.ClaimFilter(reviewed_only=True))
    assert "asserts" in set(points["stance"])
    assert reviewed["claims"] == 1
    assert list(shown["claim_id"]) == [claim["claim_id"]] and list(shown["review"]) == ["corrected"]


def test_a_reviewed_link_becomes_an_example_with_its_stance_and_party_as_reviewed(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    assert _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--reviewer", "ana")[0] == 0
    assert _review(db, capsys, claim["claim_id"], "--party", "russia", "--reviewer", "ana")[0] == 0
    with connection.connect_readonly(db) as con:
        learned = runner.with_review_examples(con, analyzer())
    (example,) = learned.catalog.by_id()["iran-drones-for-ukraine-war"].examples
    assert (example.stance.value, example.party_id) == ("asserts", "russia")
    assert AMIR in example.text


def test_a_rejected_link_is_not_counted_and_a_confirmed_one_below_the_threshold_is(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    with connection.connect_readonly(db) as con:
        before = queries.counts(con)["claims"]
        summary = queries.assertion_summary(con).set_index("assertion_id")
        below = con.execute("SELECT c.id FROM claims c JOIN documents d ON d.id = c.document_id "
                            "WHERE c.below_threshold AND d.duplicate_of IS NULL ORDER BY c.id LIMIT 1").fetchone()[0]
    code, _ = _review(db, capsys, claim["claim_id"], "--reject", "--reviewer", "ana")
    assert code == 0
    assert claim["claim_id"] not in _export(db)
    with connection.connect_readonly(db) as con:
        assert queries.counts(con)["claims"] == before - 1
        after = queries.assertion_summary(con).set_index("assertion_id")
    drones = "iran-drones-for-ukraine-war"
    assert after.loc[drones, "denying_statements"] == summary.loc[drones, "denying_statements"] - 1
    assert below not in _export(db)  # a link kept below the threshold counts once a person confirms it
    code, _ = _review(db, capsys, below, "--confirm", "--reviewer", "ana")
    assert code == 0 and _export(db)[below]["review"] == "confirmed"


def test_a_missed_link_is_added_from_a_statement(db, capsys):
    with connection.connect_readonly(db) as con:
        statement_id, quote = con.execute(
            "SELECT s.id, s.content_text FROM statements s WHERE NOT EXISTS "
            "(SELECT 1 FROM claims c WHERE c.statement_id = s.id) ORDER BY s.id LIMIT 1").fetchone()
    code, out = _review(db, capsys, statement_id, "--assertion", "iran-missiles-to-russia", "--stance", "denies",
                        "--party", "iran", "--reviewer", "ana")
    assert code == 0, out
    added = [r for r in _export(db).values() if r["quote"] == quote]
    assert [(r["assertion_id"], r["stance"], r["party_id"], r["review"], r["confidence"]) for r in added] == \
        [("iran-missiles-to-russia", "denies", "iran", "added", 1.0)]


# --- never lost --------------------------------------------------------------------------------


def test_reviews_survive_reextraction_and_a_catalog_change(db, capsys, tmp_path):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--reviewer", "ana")
    other = _claim(db, "his country was concerned", "iran-russia-partnership-threat")
    _review(db, capsys, other["claim_id"], "--reject", "--reviewer", "ana")

    with database.writer(db) as con:  # --reextract: every statement and claim is derived anew
        runner.relink(con, analyzer(), Console(quiet=True), reextract=True, workers=1)
    exported = _export(db)
    assert exported[claim["claim_id"]]["stance"] == "asserts" and other["claim_id"] not in exported

    catalog = tmp_path / "assertions.yaml"  # a catalog change: one more assertion, the others kept
    catalog.write_text((REPO_ROOT / "data" / "assertions.yaml").read_text(encoding="utf-8") + (
        "\n  - id: china-mediates\n    claim: China is mediating between Russia and Ukraine.\n"), encoding="utf-8")
    with database.writer(db) as con:
        assert runner.sync_catalog(con, analyzer(catalog_path=catalog), Console(quiet=True), workers=1) > 0
    exported = _export(db)
    assert (exported[claim["claim_id"]]["stance"], exported[claim["claim_id"]]["review"]) == ("asserts", "corrected")
    assert other["claim_id"] not in exported


def test_a_review_whose_statement_is_gone_is_listed_as_orphaned_never_dropped(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    _review(db, capsys, claim["claim_id"], "--confirm", "--reviewer", "ana")
    # The article was edited: the quote the review was made on is no longer there.
    event = reviews.ReviewEvent(reviewer="bo", action="confirm", document_id=_document_id(db, claim),
                                quote="A sentence this article never had in it.", assertion_id="iran-drones-for-ukraine-war")
    reviews.append(db, event)
    assert database.apply_pending_reviews(db)
    with connection.connect_readonly(db) as con:
        orphaned = review_queries.orphaned_reviews(con)
    assert list(orphaned["quote"]) == ["A sentence this article never had in it."]
    assert cli.main(["reviews", "--db", str(db), "--format", "json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["reviewer"], r["action"], r["status"]) for r in listed] == [("ana", "confirm", "applies"),
                                                                          ("bo", "confirm", "orphaned")]


def _document_id(db, claim) -> str:
    with connection.connect_readonly(db) as con:
        return con.execute("SELECT document_id FROM claims WHERE id = ?", [claim["claim_id"]]).fetchone()[0]


def test_the_audit_log_holds_every_change_with_who_when_and_before_and_after(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--reviewer", "ana")
    _review(db, capsys, claim["claim_id"], "--party", "russia", "--reviewer", "bo")
    _review(db, capsys, claim["claim_id"], "--stance", "denies", "--reviewer", "cy", "--note", "undo")
    lines = [json.loads(line) for line in reviews.log_path(db).read_text(encoding="utf-8").splitlines()]
    assert [(e["reviewer"], e["action"], e["before"]["stance"], e["stance"]) for e in lines] == [
        ("ana", "stance", "denies", "asserts"), ("bo", "party", "asserts", None), ("cy", "stance", "asserts", "denies")]
    assert all(datetime.fromisoformat(e["at"]) for e in lines)
    assert lines[1]["before"]["party_id"] == "iran" and lines[1]["party_id"] == "russia"
    after = _export(db)[claim["claim_id"]]
    assert (after["stance"], after["party_id"], after["reviewer"]) == ("denies", "russia", "cy")
    cli.main(["reviews", "--db", str(db), "--format", "csv"])
    out = capsys.readouterr().out
    assert out.count("\r\n") == 4 and "undo" in out


def test_a_review_made_while_a_writer_holds_the_database_is_applied_when_it_publishes(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    with database.writer(db):
        # Recorded at once, without waiting for the writer (the log is not the database).
        code, out = _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--reviewer", "ana")
        assert code == 0 and "a writer is running" in out
        assert _export(db)[claim["claim_id"]]["stance"] == "denies"  # the published file, not yet republished
    assert _export(db)[claim["claim_id"]]["stance"] == "asserts"


def test_a_log_line_that_is_not_a_review_is_kept_and_reported(db, capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    _review(db, capsys, claim["claim_id"], "--stance", "asserts", "--reviewer", "ana")
    with open(reviews.log_path(db), "a", encoding="utf-8") as log:
        log.write("{broken by hand\n")
    _review(db, capsys, claim["claim_id"], "--confirm", "--reviewer", "bo")
    assert _export(db)[claim["claim_id"]]["review"] == "corrected"
    assert cli.main(["reviews", "--db", str(db)]) == 0
    assert "lines 2 are not reviews" in capsys.readouterr().err
    assert "{broken by hand" in reviews.log_path(db).read_text(encoding="utf-8")


# --- while an ingest runs --------------------------------------------------------------------


def _slow_ingest(tmp_path, db) -> tuple[subprocess.Popen, list[str]]:
    """Start an ingest of 60 edited copies of a seed; return it once it has stored its first document."""
    folder = tmp_path / "many"
    folder.mkdir()
    base = (REPO_ROOT / "data" / "seeds").glob("*.txt")
    text = sorted(base)[0].read_text(encoding="utf-8")
    for i in range(60):
        (folder / f"{i:03}.txt").write_text(f"Dispatch {i} of a long day.\n\n" + text.replace("said", f"said on day {i}"),
                                            encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(folder), "--db", str(db), "--workers", "1"],
                           cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True).start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(re.search(r"ingesting: [1-9]\d*/60", line) for line in list(lines)):
        time.sleep(0.1)
    return run, lines


def _review_process(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "review", *args, "--db", str(db), "--reviewer", "ana"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_a_review_written_during_an_ingest_survives_its_publish(db, tmp_path):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    run, lines = _slow_ingest(tmp_path, db)
    review = _review_process(db, claim["claim_id"], "--stance", "asserts")
    assert review.returncode == 0 and "a writer is running" in review.stdout, review.stdout + review.stderr
    run.wait(timeout=600)
    assert run.returncode == 0, "".join(lines)
    after = _export(db)
    assert (after[claim["claim_id"]]["stance"], after[claim["claim_id"]]["review"]) == ("asserts", "corrected")
    assert sum(r["document"].startswith("0") for r in after.values()) > 0  # the ingest's documents are there too


def test_a_review_written_during_an_ingest_that_is_killed_is_kept_and_applied_by_the_next_writer(db, tmp_path,
                                                                                                  capsys):
    claim = _claim(db, AMIR, "iran-drones-for-ukraine-war")
    published = db.read_bytes()
    run, _ = _slow_ingest(tmp_path, db)
    review = _review_process(db, claim["claim_id"], "--reject")
    assert review.returncode == 0, review.stderr
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert db.read_bytes() == published  # the killed writer published nothing, and applied nothing
    assert cli.main(["reviews", "--db", str(db), "--format", "json"]) == 0
    assert [json.loads(line)["status"] for line in capsys.readouterr().out.splitlines()] == ["pending"]
    assert database.apply_pending_reviews(db)  # what the next writer, review or dashboard page does
    assert claim["claim_id"] not in _export(db)


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_ranks_links_by_what_helps_most_and_a_reviewed_link_leaves_it(db, capsys):
    drones = "iran-drones-for-ukraine-war"
    with connection.connect_readonly(db) as con:
        queue = review_queries.review_queue(con, queries.ClaimFilter(), limit=500)
        below = {row[0] for row in con.execute(
            "SELECT c.id FROM claims c JOIN documents d ON d.id = c.document_id "
            "WHERE c.below_threshold AND d.duplicate_of IS NULL").fetchall()}
        only_drones = review_queries.review_queue(con, queries.ClaimFilter(assertions=(drones,)), limit=500)
    flagged = queue.set_index("claim_id")
    assert below and flagged.loc[sorted(below), "near_threshold"].all()  # the likeliest to be wrong
    assert queue["priority"].is_monotonic_decreasing
    expected = (4 * flagged["near_threshold"] + 3 * flagged["disagrees_with_document"]
                + 2 * flagged["busy_unknown_speaker"] + flagged["new_since_review"])
    assert (expected == flagged["priority"]).all()
    assert set(only_drones["assertion_id"]) == {drones}
    assert set(only_drones["claim_id"]) == set(queue.loc[queue["assertion_id"] == drones, "claim_id"])
    first = queue.iloc[0]
    assert AMIR[:20] in " ".join(queue["quote"])  # the quote comes with each row
    assert first["link"] and first["title"] is not None

    code, _ = _review(db, capsys, first["claim_id"], "--confirm", "--reviewer", "ana")
    assert code == 0
    with connection.connect_readonly(db) as con:
        after = review_queries.review_queue(con, queries.ClaimFilter(), limit=500)
    assert first["claim_id"] not in set(after["claim_id"])
    assert len(after) == len(queue) - 1


def test_a_file_whose_read_model_predates_the_ranked_queue_still_shows_it(db):
    with connection.connect_readonly(db) as con:
        ranked = review_queries.review_queue(con, queries.ClaimFilter(), limit=500)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE queue_rows")
    con.close()
    with connection.connect_readonly(db) as con:
        computed = review_queries.review_queue(con, queries.ClaimFilter(), limit=500)
    assert computed["claim_id"].tolist() == ranked["claim_id"].tolist()
    assert computed["quote"].tolist() == ranked["quote"].tolist()
