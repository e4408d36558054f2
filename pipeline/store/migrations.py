"""The database schema as numbered migrations, and the record of which ran.

A blank database runs them all; an older file runs the ones it has not run, each in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from pipeline.store import read_model, reviews
from pipeline.store.connection import transaction, utc_now

# --- migrations -------------------------------------------------------------------------------


def m001_initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE documents (
            id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            source_kind VARCHAR NOT NULL,
            url VARCHAR,
            title VARCHAR,
            outlet VARCHAR,
            original_outlet VARCHAR,
            original_url VARCHAR,
            authors VARCHAR[] NOT NULL,
            published DATE,
            published_precision VARCHAR NOT NULL,
            body VARCHAR NOT NULL,
            captions VARCHAR[] NOT NULL,
            raw_sha256 VARCHAR NOT NULL,
            body_sha256 VARCHAR NOT NULL,
            duplicate_of VARCHAR,
            ingested_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE document_sources (
            document_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            first_seen TIMESTAMP NOT NULL,
            PRIMARY KEY (document_id, source)
        )
        """
    )
    con.execute(
        """
        CREATE TABLE document_bands (
            document_id VARCHAR NOT NULL,
            band UBIGINT NOT NULL
        )
        """
    )
    con.execute("CREATE INDEX document_bands_band ON document_bands (band)")
    con.execute(
        """
        CREATE TABLE statements (
            id VARCHAR PRIMARY KEY,
            document_id VARCHAR NOT NULL,
            speaker_text VARCHAR,
            speaker_start INTEGER,
            speaker_end INTEGER,
            speaker_name VARCHAR,
            speaker_role VARCHAR,
            party_id VARCHAR NOT NULL,
            cue_text VARCHAR NOT NULL,
            cue_start INTEGER NOT NULL,
            cue_end INTEGER NOT NULL,
            content_text VARCHAR NOT NULL,
            content_start INTEGER NOT NULL,
            content_end INTEGER NOT NULL,
            direct BOOLEAN NOT NULL,
            certainty VARCHAR NOT NULL,
            statement_date DATE,
            date_precision VARCHAR NOT NULL
        )
        """
    )
    con.execute("CREATE INDEX statements_document ON statements (document_id)")
    con.execute(
        """
        CREATE TABLE quarantine (
            id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            line INTEGER,
            reason VARCHAR NOT NULL,
            raw_sha256 VARCHAR NOT NULL,
            raw_size BIGINT NOT NULL,
            raw_copy VARCHAR,
            quarantined_at TIMESTAMP NOT NULL
        )
        """
    )


def m002_claims(con: duckdb.DuckDBPyConnection) -> None:
    # Snapshots of the catalog and the parties: the dashboard and exports read only the database.
    con.execute(
        """
        CREATE TABLE assertions (
            id VARCHAR PRIMARY KEY,
            claim VARCHAR NOT NULL,
            counterclaim VARCHAR,
            notes VARCHAR,
            position INTEGER NOT NULL
        )
        """
    )
    con.execute("CREATE TABLE parties (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL)")
    # One row per (statement, assertion). Party, date and certainty are copied from the statement so
    # every chart reads one table; relinking rewrites them together.
    con.execute(
        """
        CREATE TABLE claims (
            id VARCHAR PRIMARY KEY,
            statement_id VARCHAR NOT NULL,
            document_id VARCHAR NOT NULL,
            assertion_id VARCHAR NOT NULL,
            stance VARCHAR NOT NULL,
            confidence DOUBLE NOT NULL,
            relatedness DOUBLE NOT NULL,
            below_threshold BOOLEAN NOT NULL,
            party_id VARCHAR NOT NULL,
            statement_date DATE,
            date_precision VARCHAR NOT NULL,
            certainty VARCHAR NOT NULL,
            evidence_start INTEGER NOT NULL,
            evidence_end INTEGER NOT NULL
        )
        """
    )
    con.execute("CREATE INDEX claims_assertion ON claims (assertion_id)")
    con.execute("CREATE INDEX claims_document ON claims (document_id)")
    con.execute("CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")


def m003_document_stances(con: duckdb.DuckDBPyConnection) -> None:
    # Only related pairs are stored: a (document, assertion) pair without a row is unrelated.
    con.execute(
        """
        CREATE TABLE document_stances (
            document_id VARCHAR NOT NULL,
            assertion_id VARCHAR NOT NULL,
            stance VARCHAR NOT NULL,
            confidence DOUBLE NOT NULL,
            PRIMARY KEY (document_id, assertion_id)
        )
        """
    )


def m004_stances_version(con: duckdb.DuckDBPyConnection) -> None:
    # Document stances are computed in batches after the documents are stored (the model is much
    # faster over many pairs at once); this records which catalog and actors a document's rows reflect.
    con.execute("ALTER TABLE documents ADD COLUMN stances_version VARCHAR")


def m005_claim_quotes(con: duckdb.DuckDBPyConnection) -> None:
    # The timeline's tooltips need a speaker and a quote excerpt per point; reading them from the
    # claims alone keeps the page off the (much larger) statements table.
    con.execute("ALTER TABLE claims ADD COLUMN speaker VARCHAR")
    con.execute("ALTER TABLE claims ADD COLUMN quote_excerpt VARCHAR")
    con.execute(
        "UPDATE claims SET speaker = coalesce(s.speaker_name, s.speaker_text), "
        "quote_excerpt = left(s.content_text, 160) FROM statements s WHERE s.id = claims.statement_id"
    )


def m006_read_model(con: duckdb.DuckDBPyConnection) -> None:
    # The dashboard reads derived tables (pipeline/store/read_model.py) that every writer rebuilds; an old
    # file gets them here so a dashboard can read it before the next ingest.
    read_model.rebuild(con)


def m007_timeline_ranges(con: duckdb.DuckDBPyConnection) -> None:
    # Read model version 2 adds `timeline_ranges` (where each assertion's points lie) and
    # `claim_rows.party_no` (parties counted as bits); an old file gets them here, so a dashboard of
    # this version can read the file before the next ingest.
    read_model.rebuild(con)


def m008_point_speakers(con: duckdb.DuckDBPyConnection) -> None:
    # Read model version 3 counts each timeline point's distinct speakers, so a tooltip can say
    # "Ali Bagheri and 2 more" instead of naming one speaker of three, and keeps its weakest link's
    # confidence, so a point that rests on an unsure link is drawn lighter.
    read_model.rebuild(con)


def m009_reviews(con: duckdb.DuckDBPyConnection) -> None:
    # What reviewers decided (pipeline/store/reviews.py): copies of the review log, refreshed by every
    # writer, and the views that apply them to the claims. Read model version 4 counts reviewed claims.
    con.execute(
        """
        CREATE TABLE review_events (
            seq INTEGER PRIMARY KEY, id VARCHAR NOT NULL, reviewed_at TIMESTAMP NOT NULL, reviewer VARCHAR NOT NULL,
            action VARCHAR NOT NULL, document_id VARCHAR NOT NULL, quote VARCHAR NOT NULL,
            assertion_id VARCHAR NOT NULL, stance VARCHAR, party_id VARCHAR, to_assertion_id VARCHAR,
            reason VARCHAR, note VARCHAR NOT NULL, claim_id VARCHAR, before VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE review_states (
            document_id VARCHAR NOT NULL, quote VARCHAR NOT NULL, quote_key VARCHAR NOT NULL,
            assertion_id VARCHAR NOT NULL, status VARCHAR, stance VARCHAR, party_id VARCHAR, reason VARCHAR,
            note VARCHAR NOT NULL, reviewer VARCHAR NOT NULL, reviewed_at TIMESTAMP NOT NULL, events INTEGER NOT NULL
        )
        """
    )
    for sql in reviews.VIEWS:
        con.execute(sql)
    read_model.rebuild(con)


MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = [
    m001_initial,
    m002_claims,
    m003_document_stances,
    m004_stances_version,
    m005_claim_quotes,
    m006_read_model,
    m007_timeline_ranges,
    m008_point_speakers,
    m009_reviews,
]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run the migrations this database has not run yet; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    ran = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        with transaction(con):
            migration(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, migration.__name__, utc_now()]
            )
        ran.append(migration.__name__)
    return ran



def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Return {table: [(column, type), ...]} for every table (not view) in the main schema."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out
