"""Benchmark of the dashboard's reads on 1,000,000 synthetic claims, next to the same work in pandas.

    .venv/bin/python bench/queries.py            # builds bench/out/bench.duckdb once, then times
    .venv/bin/python bench/queries.py --rebuild  # rebuild the synthetic database
    .venv/bin/python bench/queries.py --claims 10000000  # bench/out/bench-10000000.duckdb, target 100 ms

The database has the real schema (database.writer runs the migrations) and is filled with DuckDB SQL
over generate_series: 500 assertions, 40 parties, 5 years, 100,000 documents (5 % copies of
others), 1,000,000 statements and claims (10 % below the linking threshold, 3 % undated).
Each query is timed as the median of 20 runs on an open read-only connection; targets: every page
query <= 50 ms at 1,000,000 claims and <= 100 ms at 10,000,000 (--claims; documents scale with them,
one per 10 claims), the weekly CSV <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.store import connection, database, export, queries, review_queries  # noqa: E402

OUT = ROOT / "bench" / "out"
DB = OUT / "bench.duckdb"
CLAIMS = 1_000_000
DOCUMENTS = 100_000
ASSERTIONS = 500
PARTIES = 40
DAYS = 5 * 365
START = date(2021, 1, 1)
RUNS = 20
PAGE_TARGET_MS = 50.0
CSV_TARGET_S = 2.0


def build_sql(claims: int = CLAIMS, documents: int = DOCUMENTS) -> list[str]:
    """Return the statements that fill a migrated database with `claims` synthetic claims."""
    return [
        f"""INSERT INTO parties
            SELECT 'party-' || lpad(i::VARCHAR, 2, '0'), 'Party ' || i, 'state' FROM range({PARTIES}) t(i)""",
        f"""INSERT INTO assertions
            SELECT 'assertion-' || lpad(i::VARCHAR, 3, '0'), 'Synthetic claim number ' || i || '.',
                   'Synthetic counterclaim ' || i || '.', NULL, i
            FROM range({ASSERTIONS}) t(i)""",
        # 5 % of documents are copies of the one before them; 2 % have no publication date.
        f"""INSERT INTO documents
            SELECT 'doc-' || i, 'bench/doc-' || i || '.txt', 'text',
                   CASE WHEN i % 3 = 0 THEN 'https://example.org/news/' || i END,
                   'Synthetic article ' || i, 'Outlet ' || (i % 60), NULL, NULL, [], 
                   CASE WHEN i % 50 = 7 THEN NULL ELSE DATE '{START}' + (hash(i, 'p') % {DAYS})::INTEGER END,
                   CASE WHEN i % 50 = 7 THEN 'unknown' ELSE 'day' END,
                   repeat('Officials said the synthetic statement number ' || i || ' was made. ', 6),
                   [], md5(i::VARCHAR), md5('b' || i),
                   CASE WHEN i % 20 = 5 THEN 'doc-' || (i - 1) END,
                   TIMESTAMP '2026-01-01' + to_seconds(i), NULL
            FROM range({documents}) t(i)""",
        # One statement per claim; 10 statements per document; a few speakers without a party.
        f"""INSERT INTO statements
            SELECT 'st-' || i, 'doc-' || (i // 10),
                   'Speaker ' || (hash(i, 's') % 2000), 0, 10, 'Speaker ' || (hash(i, 's') % 2000), 'Minister',
                   CASE WHEN hash(i, 'u') % 100 = 0 THEN 'unknown'
                        ELSE 'party-' || lpad((hash(i, 'q') % {PARTIES})::VARCHAR, 2, '0') END,
                   'said', 11, 15,
                   'synthetic quote ' || i || ' about claim ' || (hash(i, 'a') % {ASSERTIONS}), 16, 60,
                   hash(i, 'd') % 2 = 0,
                   CASE WHEN hash(i, 'h') % 5 = 0 THEN 'hedged' ELSE 'asserted' END,
                   CASE WHEN hash(i, 'n') % 100 < 3 THEN NULL
                        ELSE DATE '{START}' + (hash(i, 't') % {DAYS})::INTEGER END,
                   CASE WHEN hash(i, 'n') % 100 < 3 THEN 'unknown'
                        WHEN hash(i, 'n') % 100 < 8 THEN 'month' ELSE 'day' END
            FROM range({claims}) t(i)""",
        f"""INSERT INTO claims
            SELECT 'cl-' || s.i, 'st-' || s.i, 'doc-' || (s.i // 10),
                   'assertion-' || lpad((hash(s.i, 'a') % {ASSERTIONS})::VARCHAR, 3, '0'),
                   CASE WHEN hash(s.i, 'x') % 3 = 0 THEN 'denies' ELSE 'asserts' END,
                   (hash(s.i, 'c') % 100) / 100.0, 0.5, hash(s.i, 'b') % 10 = 0,
                   st.party_id, st.statement_date, st.date_precision, st.certainty, 16, 60,
                   st.speaker_name, left(st.content_text, 160)
            FROM range({claims}) s(i)
            JOIN statements st ON st.id = 'st-' || s.i""",
    ]


def build(path: Path, claims: int = CLAIMS, documents: int = DOCUMENTS) -> None:
    """Create the synthetic database at `path` in the real schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    with database.writer(path) as con:
        for sql in build_sql(claims, documents):
            con.execute(sql)
    print(f"built {path} in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")


def median_ms(run, runs: int = RUNS) -> float:
    """Return the median wall time of `run()` in milliseconds over `runs` runs (after one warm-up)."""
    run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pandas_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the claims with the columns the aggregations need, loaded into pandas once."""
    return con.execute(
        """SELECT c.id AS claim_id, c.assertion_id, c.stance, c.party_id, c.statement_date, c.date_precision,
                  c.below_threshold, c.document_id, d.duplicate_of IS NOT NULL AS is_copy
           FROM claims c JOIN documents d ON d.id = c.document_id"""
    ).df()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the synthetic database")
    parser.add_argument("--claims", type=int, default=CLAIMS, help="synthetic claims (default 1,000,000)")
    parser.add_argument("--db", type=Path, default=None, help="default: bench/out/bench.duckdb, or "
                                                               "bench/out/bench-N.duckdb for other --claims")
    args = parser.parse_args()
    args.db = args.db or (DB if args.claims == CLAIMS else OUT / f"bench-{args.claims}.duckdb")
    page_target = PAGE_TARGET_MS if args.claims <= CLAIMS else 2 * PAGE_TARGET_MS
    if args.rebuild or not args.db.exists():
        build(args.db, args.claims, max(1, args.claims // 10))

    con = connection.connect_readonly(args.db)
    one = "assertion-042"
    every = queries.ClaimFilter()
    one_assertion = queries.ClaimFilter(assertions=(one,))
    narrowed = queries.ClaimFilter(assertions=(one,), parties=("party-07",), stances=("denies",))
    one_party = queries.ClaimFilter(parties=("party-07",))
    one_speaker = queries.ClaimFilter(speakers=("Speaker 7",))
    one_outlet = queries.ClaimFilter(outlets=("Outlet 7",))
    denials = queries.ClaimFilter(stances=("denies",))
    searched = queries.ClaimFilter(text="quote 4242")
    # "42" begins ~28,000 quote words: the search's slow case (many candidate rows).
    searched_common = queries.ClaimFilter(text="42")
    # "synthetic quote 17 about claim 9": "quote" is in every quote, the worst case of a search.
    searched_everywhere = queries.ClaimFilter(text="quote")
    point = queries.timeline_points(con, one_assertion).iloc[0]
    busiest = queries.ClaimFilter(assertions=tuple(queries.busiest_assertions(con, every, 12)))
    last = queries.date_range(con)[1]
    monday = last - timedelta(days=last.weekday())

    frame = pandas_frame(con)
    counted = frame[~frame["is_copy"] & ~frame["below_threshold"]]

    def pd_totals_one():
        f = counted[counted["assertion_id"] == one]
        return len(f), f["document_id"].nunique(), f["party_id"].nunique()

    def pd_timeline_one():
        f = counted[(counted["assertion_id"] == one) & counted["statement_date"].notna()]
        return f.groupby(["party_id", "stance", "statement_date", "date_precision"]).size()

    def pd_timeline_busiest():
        f = counted[counted["assertion_id"].isin(busiest.assertions) & counted["statement_date"].notna()]
        return f.groupby(["assertion_id", "party_id", "stance", "statement_date", "date_precision"]).size()

    def pd_weekly_one():
        f = counted[(counted["assertion_id"] == one) & counted["statement_date"].notna()]
        week = f["statement_date"] - pd.to_timedelta(f["statement_date"].dt.day_of_week, unit="D")
        return f.assign(week=week).groupby(["party_id", "week", "stance"]).size()

    def pd_totals_all():
        return len(counted), counted["document_id"].nunique(), counted["party_id"].nunique()

    cases = [
        # (label, duckdb run, pandas equivalent or None)
        ("filter_options (all pages)", lambda: queries.filter_options(con), None),
        ("date_range (explorer)", lambda: queries.date_range(con), None),
        ("filtered_totals, no filter", lambda: queries.filtered_totals(con, every), pd_totals_all),
        ("filtered_totals, one assertion", lambda: queries.filtered_totals(con, one_assertion), pd_totals_one),
        ("explorer_table 5000 rows, no filter", lambda: queries.explorer_table(con, every, limit=5000), None),
        ("explorer_table, assertion+party+stance", lambda: queries.explorer_table(con, narrowed, 5000), None),
        # One filter whose matches are spread over the whole table: rows in nearly every vector.
        ("explorer_table, one assertion", lambda: queries.explorer_table(con, one_assertion, 5000), None),
        ("explorer_table, one party", lambda: queries.explorer_table(con, one_party, 5000), None),
        ("explorer_table, one speaker", lambda: queries.explorer_table(con, one_speaker, 5000), None),
        ("explorer_table, one outlet", lambda: queries.explorer_table(con, one_outlet, 5000), None),
        ("explorer_table, denials", lambda: queries.explorer_table(con, denials, 5000), None),
        ("explorer_table, quote search (rare word)", lambda: queries.explorer_table(con, searched, 5000), None),
        ("filtered_totals, quote search (rare word)", lambda: queries.filtered_totals(con, searched), None),
        ("explorer_table, quote search (common word)", lambda: queries.explorer_table(con, searched_common, 5000),
         None),
        ("filtered_totals, quote search (common word)", lambda: queries.filtered_totals(con, searched_common), None),
        ("explorer_table, quote search (in every quote)",
         lambda: queries.explorer_table(con, searched_everywhere, 5000), None),
        ("filtered_totals, quote search (in every quote)",
         lambda: queries.filtered_totals(con, searched_everywhere), None),
        ("timeline_points, one assertion", lambda: queries.timeline_points(con, one_assertion), pd_timeline_one),
        ("busiest_assertions (timeline, all)", lambda: queries.busiest_assertions(con, every, 12), None),
        ("timeline_points, 12 busiest assertions", lambda: queries.timeline_points(con, busiest), pd_timeline_busiest),
        ("weekly_counts, 12 busiest assertions", lambda: queries.weekly_counts(con, busiest), None),
        ("weekly_counts, one assertion", lambda: queries.weekly_counts(con, one_assertion), pd_weekly_one),
        ("undated_claims, one assertion", lambda: queries.undated_claims(con, one_assertion), None),
        ("undated_claims, all (timeline landing)", lambda: queries.undated_claims(con, every), None),
        ("filtered_claims, 200 rows (briefing)",
         lambda: queries.filtered_claims(con, one_assertion, limit=200), None),
        ("evidence of one point", lambda: queries.evidence(con, one_assertion, point["party_id"], point["stance"],
                                                           point["statement_date"].date()), None),
        ("assertion (briefing)", lambda: queries.assertion(con, one), None),
        ("needs_date (attention)", lambda: queries.needs_date(con), None),
        ("unknown_party_speakers (attention)", lambda: queries.unknown_party_speakers(con), None),
        ("quarantined (attention)", lambda: queries.quarantined(con), None),
        ("review_queue 200, no filter (review)", lambda: review_queries.review_queue(con, every, 200), None),
        ("review_queue 200, one assertion (review)", lambda: review_queries.review_queue(con, one_assertion, 200),
         None),
        ("orphaned_reviews (attention)", lambda: review_queries.orphaned_reviews(con), None),
    ]
    print(f"\n{'query':44s} {'DuckDB ms':>10s} {'pandas ms':>10s}  target")
    slow = []
    for label, run, pandas_run in cases:
        duck = median_ms(run)
        pand = f"{median_ms(pandas_run):10.1f}" if pandas_run else f"{'-':>10s}"
        ok = duck <= page_target
        slow += [] if ok else [label]
        print(f"{label:44s} {duck:10.1f} {pand}  {'ok' if ok else 'SLOW'} (<= {page_target:.0f} ms)")

    started = time.perf_counter()
    filtered_csv = export.to_csv_text(queries.filtered_claims(con, one_assertion, limit=None))
    print(f"{'filtered CSV, one assertion (' + str(filtered_csv.count(chr(10)) - 1) + ' rows)':44s} "
          f"{(time.perf_counter() - started) * 1000:10.1f} {'-':>10s}  (download button; first run)")

    def weekly_csv():
        rows = queries.claims_export(con, since=monday, until=monday + timedelta(days=6))
        return export.to_csv_text(rows)

    started = time.perf_counter()
    text = weekly_csv()
    first = time.perf_counter() - started
    csv_s = median_ms(weekly_csv, runs=5) / 1000
    rows = text.count("\n") - 1
    print(f"{'weekly CSV export (' + str(rows) + ' rows)':44s} {csv_s * 1000:10.1f} {'-':>10s}  "
          f"{'ok' if csv_s <= CSV_TARGET_S else 'SLOW'} (<= {CSV_TARGET_S:.0f} s; first run {first:.2f} s; median of 5)")
    connect = median_ms(lambda: connection.connect_readonly(args.db).close())
    print(f"{'open a read-only connection (per cached read)':44s} {connect:10.1f}")
    counts = queries.counts(con)
    print(f"\n{counts['claims']:,} counted claims of {args.claims:,}; {counts['originals']:,} original documents")
    con.close()
    if slow:
        print("over target: " + ", ".join(slow))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
