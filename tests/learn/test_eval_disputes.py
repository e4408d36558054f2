"""Dispute scoring: precision over predicted tuples (optional gold rows count), recall over firm rows."""

from __future__ import annotations

from pipeline.learn import eval_disputes
from pipeline.learn.eval_disputes import Score


def test_precision_counts_optional_rows_and_recall_only_firm_ones():
    firm = {("a1", "tax", "trump", "asserts"), ("a1", "tax", "clinton", "denies"), ("a2", "war", "trump", "denies")}
    optional = {("a3", "tax", "obama", "denies")}
    predicted = {("a1", "tax", "trump", "asserts"), ("a3", "tax", "obama", "denies"), ("a2", "war", "trump", "asserts")}
    score = Score("t", predicted=predicted, firm=firm, optional=optional)
    assert score.precision == 2 / 3  # the optional reading is no error
    assert score.recall == 1 / 3  # nor is it owed
    by_stance = eval_disputes.breakdown(score, 3)
    assert by_stance == {"asserts": (1, 2, 1), "denies": (1, 1, 2)}


def test_gold_rows_are_read_firm_and_optional(tmp_path):
    (tmp_path / "gold.csv").write_text(
        "article,assertion,party,stance,optional,statement_date,evidence\n"
        'a1,tax,trump,asserts,0,,"He said, ""smart."""\n'
        "a1,tax,clinton,denies,1,2016-09-26,x\n",
        encoding="utf-8",
    )
    firm, optional = eval_disputes.read_gold(tmp_path)
    assert firm == {("a1", "tax", "trump", "asserts")} and optional == {("a1", "tax", "clinton", "denies")}


def test_the_evaluation_skips_without_its_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMS_EVAL_DIR", str(tmp_path))
    assert eval_disputes.main(["--check"]) == 0
    assert "evaluation data not found" in capsys.readouterr().out


def test_the_simulated_reviewer_confirms_corrects_and_rejects_as_gold_says(seed_db, tmp_path):
    import json
    import shutil
    from pathlib import Path

    from pipeline.store import connection, queries, review_queries, reviews

    db = tmp_path / "claims.duckdb"
    shutil.copyfile(seed_db, db)
    drones = "iran-drones-for-ukraine-war"
    with connection.connect_readonly(db) as con:
        queue = review_queries.review_queue(con, queries.ClaimFilter(assertions=(drones,)), limit=3)
    first, second, third = queue.to_dict("records")
    other = {"asserts": "denies", "denies": "asserts"}
    score = Score("seeds", firm={(Path(first["document"]).stem, drones, first["party_id"], first["stance"]),
                                 (Path(second["document"]).stem, drones, second["party_id"], other[second["stance"]])})
    touched = eval_disputes.play_reviewer(db, score, 3)
    events = {e["claim_id"]: e for e in map(json.loads, reviews.log_path(db).read_text().splitlines())}
    assert events[first["claim_id"]]["action"] == "confirm"
    assert (events[second["claim_id"]]["action"], events[second["claim_id"]]["stance"]) == \
        ("stance", other[second["stance"]])
    assert (events[third["claim_id"]]["action"], events[third["claim_id"]]["reason"]) == ("reject", "not a claim")
    assert Path(first["document"]).stem in touched
    with connection.connect_readonly(db) as con:
        exported = set(queries.claims_export(con)["claim_id"])
    assert first["claim_id"] in exported and third["claim_id"] not in exported
