"""Schema migrations and the single-writer protocol."""

from __future__ import annotations

import duckdb

from pipeline.store import connection, database, migrations

EXPECTED_COLUMNS = {
    "documents": [
        "id", "source", "source_kind", "url", "title", "outlet", "original_outlet", "original_url", "authors",
        "published", "published_precision", "body", "captions", "raw_sha256", "body_sha256", "duplicate_of",
        "ingested_at", "stances_version",
    ],
    "document_sources": ["document_id", "source", "first_seen"],
    "document_bands": ["document_id", "band"],
    "statements": [
        "id", "document_id", "speaker_text", "speaker_start", "speaker_end", "speaker_name", "speaker_role",
        "party_id", "cue_text", "cue_start", "cue_end", "content_text", "content_start", "content_end", "direct",
        "certainty", "statement_date", "date_precision",
    ],
    "quarantine": ["id", "source", "line", "reason", "raw_sha256", "raw_size", "raw_copy", "quarantined_at"],
    "schema_migrations": ["version", "name", "applied_at"],
    "assertions": ["id", "claim", "counterclaim", "notes", "position"],
    "parties": ["id", "name", "kind"],
    "claims": [
        "id", "statement_id", "document_id", "assertion_id", "stance", "confidence", "relatedness",
        "below_threshold", "party_id", "statement_date", "date_precision", "certainty", "evidence_start",
        "evidence_end", "speaker", "quote_excerpt",
    ],
    "settings": ["key", "value"],
    "document_stances": ["document_id", "assertion_id", "stance", "confidence"],
    # The dashboard's derived tables (pipeline/store/read_model.py), rebuilt by every writer.
    "claim_rows": [
        "row_no", "document_no", "party_no", "claim_id", "statement_id", "document_id", "assertion_id", "assertion", "stance",
        "party_id", "party", "speaker", "speaker_role", "cue", "quote", "quote_excerpt", "statement_date",
        "date_precision", "published_date", "outlet", "document", "url", "original_url", "title", "evidence_start",
        "evidence_end", "certainty", "confidence", "review", "reviewer", "link", "search_text",
    ],
    "timeline_points": [
        "point_no", "assertion_id", "assertion", "party_id", "party", "stance", "statement_date", "date_precision", "date_key", "statements",
        "documents", "speakers", "lowest_confidence", "speaker", "quote_excerpt", "outlet",
    ],
    "timeline_ranges": ["assertion_id", "first_point", "last_point", "points"],
    "quote_words": ["word", "row_no"],
    "filter_values": ["kind", "value", "label"],
    # Copies of the review log (pipeline/store/reviews.py), refreshed by every writer.
    "review_events": ["seq", "id", "reviewed_at", "reviewer", "action", "document_id", "quote", "assertion_id",
                      "stance", "party_id", "to_assertion_id", "reason", "note", "claim_id", "before"],
    "review_states": ["document_id", "quote", "quote_key", "assertion_id", "status", "stance", "party_id",
                      "reason", "note", "reviewer", "reviewed_at", "events"],
    "unknown_party_speakers": ["position", "speaker", "role", "statements", "documents", "example_quote",
                               "example_source"],
    "queue_rows": ["queue_no", "claim_id", "statement_id", "document_id", "assertion_id", "stance", "party_id",
                   "speaker", "confidence", "below_threshold", "statement_date", "outlet", "evidence_start", "evidence_end", "document_stance", "near_threshold", "disagrees_with_document",
                   "busy_unknown_speaker", "new_since_review", "priority"],
}


def test_blank_database_migrates_to_expected_columns(fresh_db):
    with database.writer(fresh_db) as con:
        columns = migrations.table_columns(con)
        ran = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()]
    assert set(columns) == set(EXPECTED_COLUMNS)
    for table, expected in EXPECTED_COLUMNS.items():
        assert [c for c, _ in columns[table]] == expected, table
    assert ran == [m.__name__ for m in migrations.MIGRATIONS]
    assert ran[0] == "m001_initial"


def test_migrate_is_idempotent_and_upgrades_an_old_file(fresh_db):
    fresh_db.parent.mkdir(parents=True)
    con = duckdb.connect(str(fresh_db))
    # An "old" file: only the first migration ran.
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    migrations.MIGRATIONS[0](con)
    con.execute("INSERT INTO schema_migrations VALUES (1, 'm001_initial', now())")
    con.close()
    with database.writer(fresh_db) as con:
        assert migrations.migrate(con) == []
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
        columns = migrations.table_columns(con)
    assert versions == list(range(1, len(migrations.MIGRATIONS) + 1))
    assert [c for c, _ in columns["statements"]] == EXPECTED_COLUMNS["statements"]
    assert [c for c, _ in columns["claims"]] == EXPECTED_COLUMNS["claims"]


def test_writer_publishes_atomically_and_readers_see_the_old_file_meanwhile(fresh_db):
    with database.writer(fresh_db) as con:
        con.execute("CREATE TABLE marker (x INTEGER)")
        con.execute("INSERT INTO marker VALUES (1)")
    with database.writer(fresh_db) as con:
        con.execute("INSERT INTO marker VALUES (2)")
        # While a writer works, the published file opens read-only and shows the last published state.
        with connection.connect_readonly(fresh_db) as reader:
            assert reader.execute("SELECT count(*) FROM marker").fetchone()[0] == 1
    with connection.connect_readonly(fresh_db) as reader:
        assert reader.execute("SELECT count(*) FROM marker").fetchone()[0] == 2
    assert not list(fresh_db.parent.glob("*.writing-*"))


def test_a_failed_writer_still_publishes_committed_work(fresh_db):
    try:
        with database.writer(fresh_db) as con:
            con.execute("CREATE TABLE marker (x INTEGER)")
            con.execute("INSERT INTO marker VALUES (7)")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    with connection.connect_readonly(fresh_db) as reader:
        assert reader.execute("SELECT x FROM marker").fetchone()[0] == 7


def test_m005_backfills_speaker_and_quote_excerpt_of_existing_claims(fresh_db):
    fresh_db.parent.mkdir(parents=True)
    con = duckdb.connect(str(fresh_db))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, migration in enumerate(migrations.MIGRATIONS[:4], start=1):
        migration(con)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, migration.__name__])
    con.execute("INSERT INTO statements VALUES ('s1', 'd1', 'she', 0, 3, 'Dana Stroul', NULL, 'united-states', "
                "'said', 4, 8, 'We need a coalition', 9, 28, true, 'asserted', DATE '2023-02-28', 'day')")
    con.execute("INSERT INTO claims VALUES ('c1', 's1', 'd1', 'a1', 'asserts', 0.9, 0.8, false, 'united-states', "
                "DATE '2023-02-28', 'day', 'asserted', 9, 28)")
    con.close()
    with database.writer(fresh_db) as con:
        row = con.execute("SELECT speaker, quote_excerpt FROM claims WHERE id = 'c1'").fetchone()
    assert row == ("Dana Stroul", "We need a coalition")
