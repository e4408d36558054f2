"""The dashboard's derived tables hold exactly the counted claims, and every fast path agrees with the slow one."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.store import connection, database, queries, read_model

DRONES = "iran-drones-for-ukraine-war"


@pytest.fixture
def seed_con(seed_db):
    con = connection.connect_readonly(seed_db)
    yield con
    con.close()


def test_claim_rows_are_the_counted_claims_of_the_export(seed_con):
    exported = queries.claims_export(seed_con)
    shown = queries.filtered_claims(seed_con, queries.ClaimFilter(), limit=None)
    assert len(shown) == len(exported) > 20
    merged = shown.merge(exported, on="claim_id", suffixes=("", "_export"), validate="one_to_one")
    for column in ("assertion_id", "stance", "party", "speaker", "speaker_role", "cue", "quote", "outlet", "title"):
        assert merged[column].fillna("").tolist() == merged[f"{column}_export"].fillna("").tolist(), column


def test_claim_rows_leave_out_copies_and_weak_links(seed_con):
    copies = {r[0] for r in seed_con.execute("SELECT id FROM documents WHERE duplicate_of IS NOT NULL").fetchall()}
    stored = seed_con.execute("SELECT document_id, below_threshold FROM claims").fetchall()
    # The seeds hold a copy of an article and weak links, so the exclusions are exercised.
    assert copies and any(doc in copies for doc, _ in stored) and any(weak for _, weak in stored)
    rows = seed_con.execute("SELECT DISTINCT document_id FROM claim_rows").fetchall()
    assert not copies & {r[0] for r in rows}
    weak = seed_con.execute(
        "SELECT count(*) FROM claim_rows WHERE claim_id IN (SELECT id FROM claims WHERE below_threshold)"
    ).fetchone()[0]
    assert weak == 0


def test_stored_timeline_points_equal_the_aggregated_ones(seed_con):
    everything = queries.filter_options(seed_con)["certainty"]
    for assertions in ((), (DRONES,), tuple(queries.filter_options(seed_con)["assertion"])):
        stored = queries.ClaimFilter(assertions=assertions)
        # Naming every certainty selects the same claims through the aggregating path.
        aggregated = queries.ClaimFilter(assertions=assertions, certainties=tuple(everything))
        assert stored.only_point_dimensions() and not aggregated.only_point_dimensions()
        fast = queries.timeline_points(seed_con, stored)
        slow = queries.timeline_points(seed_con, aggregated)
        assert len(fast) > 0
        pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True))


def test_timeline_points_filter_by_party_stance_and_dates(seed_con):
    points = queries.timeline_points(seed_con, queries.ClaimFilter(assertions=(DRONES,), parties=("iran",),
                                                                    stances=("denies",)))
    assert len(points) and set(points["party_id"]) == {"iran"} and set(points["stance"]) == {"denies"}
    first = points["statement_date"].min().date()
    later = queries.timeline_points(seed_con, queries.ClaimFilter(assertions=(DRONES,), parties=("iran",),
                                                                   stances=("denies",), since=first.replace(day=2)))
    assert len(later) < len(points)


@pytest.mark.parametrize("text", ["drones", "small batch", "BATC smal", "Iran Russia", "allegation", "zzzz"])
def test_quote_search_index_join_and_scan_paths_agree(seed_con, monkeypatch, text):
    by_index = queries.filtered_claims(seed_con, queries.ClaimFilter(text=text), limit=None)
    monkeypatch.setattr(queries, "INDEXED_CANDIDATES", -1)  # every search takes the joined path
    by_join = queries.filtered_claims(seed_con, queries.ClaimFilter(text=text), limit=None)
    monkeypatch.setattr(queries, "SCANNED_SHARE", -1)  # every search scans search_text
    by_scan = queries.filtered_claims(seed_con, queries.ClaimFilter(text=text), limit=None)
    assert by_index["claim_id"].tolist() == by_join["claim_id"].tolist() == by_scan["claim_id"].tolist()
    words = queries.quote_search_words(text)
    for quote in by_index["quote"]:
        quote_words = queries.quote_search_words(quote)
        assert all(any(w.startswith(word) for w in quote_words) for word in words), quote
    if text != "zzzz":
        assert len(by_index) >= 1


def test_long_text_columns_are_stored_uncompressed(seed_con):
    # Compressed, they made the explorer decode every quote of the table for a thin filter (read_model).
    stored = dict(seed_con.execute(
        "SELECT column_name, list(DISTINCT compression) FROM pragma_storage_info('claim_rows') "
        "WHERE segment_type = 'VARCHAR' GROUP BY ALL").fetchall())
    assert stored["quote"] == stored["title"] == stored["link"] == stored["search_text"] == ["Uncompressed"]


def test_a_writer_rebuilds_the_derived_tables(seed_db, tmp_path):
    db = tmp_path / "claims.duckdb"
    shutil.copyfile(seed_db, db)
    with database.writer(db) as con:
        con.execute("DELETE FROM claims WHERE party_id = 'iran'")
        assert not read_model.is_current(con)  # marked stale while the writer works
    con = connection.connect_readonly(db)
    assert read_model.is_current(con)
    assert "iran" not in set(queries.filtered_claims(con, queries.ClaimFilter(), None)["party_id"])
    assert "iran" not in queries.filter_options(con)["party"]
    con.close()


def test_a_failed_rebuild_publishes_a_stale_marker(seed_db, tmp_path, monkeypatch):
    db = tmp_path / "claims.duckdb"
    shutil.copyfile(seed_db, db)

    def broken(con):
        raise RuntimeError("disk full")

    monkeypatch.setattr(read_model, "rebuild", broken)
    with database.writer(db) as con:
        con.execute("DELETE FROM claims WHERE party_id = 'iran'")
    con = connection.connect_readonly(db)
    assert not queries.read_model_current(con)
    con.close()


@pytest.mark.parametrize("filters", [
    queries.ClaimFilter(),
    queries.ClaimFilter(assertions=(DRONES,)),
    queries.ClaimFilter(parties=("iran",), stances=("denies",)),
    queries.ClaimFilter(text="drones"),
    queries.ClaimFilter(parties=("no-such-party",)),
])
@pytest.mark.parametrize("party_bits", [queries.PARTY_BITS, 1])  # 1: more parties than bits, counted DISTINCT
def test_filtered_totals_count_the_filtered_claims(seed_con, filters, party_bits, monkeypatch):
    monkeypatch.setattr(queries, "PARTY_BITS", party_bits)
    claims = queries.filtered_claims(seed_con, filters, limit=None)
    assert queries.filtered_totals(seed_con, filters) == {
        "claims": len(claims),
        "documents": claims["document"].nunique(),
        "parties": claims["party_id"].nunique(),
        "undated": int(claims["statement_date"].isna().sum()),
    }


def _bench_module():
    """bench/queries.py, whose synthetic database (here smaller) is what the page queries are timed on."""
    path = Path(__file__).resolve().parents[2] / "bench" / "queries.py"
    spec = importlib.util.spec_from_file_location("bench_queries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic_con(tmp_path_factory):
    # 330,000 claims give about 270,000 timeline points: three row groups, read by two threads, so the
    # stored order and the rowid ranges are tested where DuckDB could reorder or mis-seek.
    db = tmp_path_factory.mktemp("synthetic") / "bench.duckdb"
    _bench_module().build(db, claims=330_000, documents=33_000)
    con = connection.connect_readonly(db)
    con.execute("SET threads = 2")
    yield con
    con.close()


def test_stored_points_are_read_in_point_order_from_their_rowid_ranges(synthetic_con):
    points, ranges = synthetic_con.execute("SELECT count(*), count(DISTINCT assertion_id) FROM timeline_points").fetchone()
    assert points > 2 * 122_880 and ranges == 500
    # Each assertion's points are one run of rows whose rowids follow point_no.
    runs = synthetic_con.execute(
        "SELECT count(*) FROM timeline_ranges WHERE last_point - first_point + 1 <> points").fetchone()[0]
    assert runs == 0
    # Assertions from the start, middle and end of the table, one named twice, one unknown.
    picked = ("assertion-499", "assertion-000", "assertion-250", "assertion-251", "assertion-000", "no-such")
    everything = tuple(queries.filter_options(synthetic_con)["certainty"])
    for filters in (queries.ClaimFilter(assertions=picked),
                    queries.ClaimFilter(assertions=picked, parties=("party-07",), stances=("denies",)),
                    queries.ClaimFilter()):
        fast = queries.timeline_points(synthetic_con, filters)
        slow = queries.timeline_points(synthetic_con, dataclasses.replace(filters, certainties=everything))
        assert len(fast) >= 30
        pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True))
    assert set(queries.timeline_points(synthetic_con, queries.ClaimFilter(assertions=picked))["assertion_id"]) == {
        "assertion-499", "assertion-000", "assertion-250", "assertion-251"}


def test_a_timeline_of_assertions_without_points_is_empty(seed_con):
    points = queries.timeline_points(seed_con, queries.ClaimFilter(assertions=("no-such-assertion",)))
    assert points.empty and list(points.columns) == list(queries.timeline_points(seed_con, queries.ClaimFilter()).columns)


def test_parties_counted_as_bits_equal_the_distinct_count(synthetic_con, monkeypatch):
    # 41 parties (40 and "unknown") over three row groups; the seeds have too few to tell bits apart.
    for filters in (queries.ClaimFilter(), queries.ClaimFilter(text="quote"),
                    queries.ClaimFilter(assertions=("assertion-042",), stances=("denies",))):
        as_bits = queries.filtered_totals(synthetic_con, filters)
        monkeypatch.setattr(queries, "PARTY_BITS", 1)
        distinct = queries.filtered_totals(synthetic_con, filters)
        monkeypatch.undo()
        assert as_bits == distinct and as_bits["parties"] >= 10
