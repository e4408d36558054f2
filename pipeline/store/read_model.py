"""The dashboard's read model: tables derived from the stored claims, rebuilt by every writer.

The pages must answer in ~50 ms on a million claims (bench/queries.py). Joining claims to
statements and documents, skipping copies and sorting on every read cannot do that, so each
writer rebuilds, just before it publishes the file:

- `claim_rows`: one row per *counted* claim (an original document, above the linking threshold)
  with every column a page shows or filters on, sorted in the explorer's order; `row_no` is that
  order. Filters are then single-table scans that DuckDB's zone maps prune.
- `timeline_points`: the timeline's points (assertion, party, stance, date) with their counts and
  one example for the tooltip, so drawing many assertions at once aggregates nothing; stored in
  point order, so each assertion's points are one run of rows.
- `timeline_ranges`: the first and last point number of each assertion's run, which a reader turns
  into rowids, so reading some assertions' points skips straight to their rows.
- `quote_words`: every word of every quote with the row it is in, sorted by word, so the quote
  search looks up its rarest word instead of scanning a million quotes (`claim_rows.search_text`
  holds the same words per row, for words found in most quotes).
- `filter_values`: the values each filter offers.
- `unknown_party_speakers`: the "needs attention" list of speakers whose party is unknown.
- `queue_rows`: the review queue (every unreviewed link of an original article, those kept below the
  threshold included) with why each is in it, sorted by priority; `queue_no` is that order.

These tables are derived data, never edited: a rebuild replaces them whole (in one transaction),
and `settings.read_model` records whether they match the stored claims. The base tables stay the
source of truth (exports read them directly).
"""

from __future__ import annotations

import duckdb

# Bumped when the derived tables' shape changes; a writer rebuilds them regardless.
READ_MODEL_VERSION = "5"
STALE_KEY = "read_model"

# Quote words as the search tokenises them: runs of letters and digits (Unicode), lower case.
# Python's side (queries.quote_search_words) uses the same definition.
WORD_PATTERN = r"[\pL\pN]+"

DROP_SQL = [
    "DROP TABLE IF EXISTS quote_words",
    "DROP TABLE IF EXISTS timeline_ranges",
    "DROP TABLE IF EXISTS timeline_points",
    "DROP TABLE IF EXISTS claim_rows",
    "DROP TABLE IF EXISTS filter_values",
    "DROP TABLE IF EXISTS unknown_party_speakers",
    "DROP TABLE IF EXISTS queue_rows",
]

# The long text columns a page shows are stored uncompressed. DuckDB's default string compression
# (DICT_FSST) decodes whole vectors, so a filter whose matches are spread thin (a party, an outlet,
# a speaker: some rows in every vector) paid for decoding every quote, title and link of the table:
# 50-85 ms for the explorer's 5,000 rows on a million claims, 9-24 ms uncompressed (bench/queries.py).
# search_text likewise: a substring scan of a million of them halves uncompressed. The file grows by
# about the size of these columns; the short columns filters compare stay compressed.
CLAIM_ROWS_DDL = """
CREATE TABLE claim_rows (
    row_no INTEGER, document_no INTEGER, party_no INTEGER, claim_id VARCHAR, statement_id VARCHAR, document_id VARCHAR,
    assertion_id VARCHAR, assertion VARCHAR, stance VARCHAR, party_id VARCHAR, party VARCHAR,
    speaker VARCHAR, speaker_role VARCHAR, cue VARCHAR,
    quote VARCHAR USING COMPRESSION uncompressed,
    quote_excerpt VARCHAR, statement_date DATE, date_precision VARCHAR, published_date DATE, outlet VARCHAR,
    document VARCHAR, url VARCHAR, original_url VARCHAR,
    title VARCHAR USING COMPRESSION uncompressed,
    evidence_start INTEGER, evidence_end INTEGER, certainty VARCHAR, confidence DOUBLE,
    review VARCHAR, reviewer VARCHAR,
    link VARCHAR USING COMPRESSION uncompressed,
    search_text VARCHAR USING COMPRESSION uncompressed
)
"""

# Claims as reviewed (pipeline/store/reviews.py: rejected links out, corrections in, added links too);
# a file migrated only up to m008 (whose migrations rebuild this model too) has no reviews yet.
CLAIM_ROWS_SQL = """
INSERT INTO claim_rows
WITH counted AS (
    SELECT c.*
    FROM {claims} c
    WHERE NOT c.below_threshold
      AND c.document_id NOT IN (SELECT id FROM documents WHERE duplicate_of IS NOT NULL)
)
SELECT (row_number() OVER (ORDER BY c.statement_date NULLS LAST, c.assertion_id, c.document_id,
                                    c.evidence_start, c.id))::INTEGER AS row_no,
       -- An integer per document: counting distinct documents is several times faster on it.
       (dense_rank() OVER (ORDER BY c.document_id))::INTEGER AS document_no,
       -- And per party (1, 2, ...; NULL without one, ranked last): parties are counted as bits of an integer.
       CASE WHEN c.party_id IS NOT NULL THEN (dense_rank() OVER (ORDER BY c.party_id))::INTEGER END AS party_no,
       c.id AS claim_id, c.statement_id, c.document_id, c.assertion_id, a.claim AS assertion,
       c.stance, c.party_id, coalesce(p.name, 'Unknown') AS party,
       coalesce(s.speaker_name, s.speaker_text) AS speaker, s.speaker_role, s.cue_text AS cue,
       s.content_text AS quote, left(s.content_text, 160) AS quote_excerpt,
       c.statement_date, c.date_precision, d.published AS published_date, d.outlet,
       d.source AS document, d.url, d.original_url, d.title,
       c.evidence_start, c.evidence_end, c.certainty, c.confidence,
       c.review, c.reviewer,
       coalesce(d.url, d.source) AS link,
       -- The quote's words as the search sees them, each after a space: ' iran supplied drones'.
       ' ' || array_to_string(regexp_extract_all(lower(s.content_text), '{word_pattern}'), ' ') AS search_text
FROM counted c
JOIN statements s ON s.id = c.statement_id
JOIN documents d ON d.id = c.document_id
LEFT JOIN assertions a ON a.id = c.assertion_id
LEFT JOIN parties p ON p.id = c.party_id
ORDER BY row_no
"""

# The example of a point is its first claim in the explorer's order (the smallest row_no).
# The timeline's point aggregation over a set of claim rows; queries.timeline_points runs it over the
# filtered rows when a filter the stored points do not carry is set. The example of a point is its
# first claim in the explorer's order (the smallest row_no).
POINTS_AGGREGATE = """
    SELECT assertion_id, any_value(assertion) AS assertion, party_id, any_value(party) AS party, stance,
           statement_date, date_precision, strftime(statement_date, '%Y-%m-%d') AS date_key,
           count(*) AS statements, count(DISTINCT document_no) AS documents,
           count(DISTINCT coalesce(speaker, '')) AS speakers, min(confidence) AS lowest_confidence,
           arg_min(speaker, row_no) AS speaker, arg_min(quote_excerpt, row_no) AS quote_excerpt,
           arg_min(outlet, row_no) AS outlet
    FROM {rows}
    WHERE statement_date IS NOT NULL
    GROUP BY assertion_id, party_id, stance, statement_date, date_precision
"""

TIMELINE_POINTS_SQL = f"""
CREATE TABLE timeline_points AS
-- point_no is the points' order, so a read sorts integers, not strings.
SELECT (row_number() OVER (ORDER BY assertion_id, statement_date, party, stance, date_precision))::INTEGER AS point_no,
       *
FROM ({POINTS_AGGREGATE.format(rows="claim_rows")})
ORDER BY point_no
"""

# Where each assertion's points lie, as point numbers: one run each, since point order sorts by
# assertion first. A reader turns them into rowids (a row's point_no minus its rowid is the same for
# every row: the rows are stored in point order, which CREATE TABLE AS ... ORDER BY keeps, and
# rebuild() checks) and filters on rowid: the one filter DuckDB applies before reading a column. Reading 12 assertions' points by
# `assertion_id =` decoded every string column of each zone the id's vectors touch and took 35-50 ms
# on a million claims; by rowid ranges 15-20 ms (bench/queries.py). Point numbers, not rowids, are
# stored because rowids are only final once the rebuild's transaction commits.
TIMELINE_RANGES_SQL = """
CREATE TABLE timeline_ranges AS
SELECT assertion_id, min(point_no) AS first_point, max(point_no) AS last_point, count(*) AS points
FROM timeline_points
GROUP BY assertion_id
ORDER BY assertion_id
"""
POINT_ORDER_OFFSETS_SQL = "SELECT count(DISTINCT point_no - rowid) FROM timeline_points"

QUOTE_WORDS_SQL = f"""
CREATE TABLE quote_words AS
SELECT DISTINCT unnest(regexp_extract_all(lower(quote), '{WORD_PATTERN}')) AS word, row_no
FROM claim_rows
ORDER BY word, row_no
"""

FILTER_VALUES_SQL = """
CREATE TABLE filter_values AS
SELECT 'party' AS kind, party_id AS value, any_value(party) AS label FROM claim_rows GROUP BY party_id
UNION ALL
SELECT DISTINCT 'speaker', speaker, NULL FROM claim_rows WHERE speaker IS NOT NULL
UNION ALL
SELECT DISTINCT 'outlet', outlet, NULL FROM claim_rows WHERE outlet IS NOT NULL
UNION ALL
SELECT DISTINCT 'certainty', certainty, NULL FROM claim_rows
"""


SET_STATE_SQL = "INSERT OR REPLACE INTO settings VALUES (?, ?)"

# Every statement counts here, linked to an assertion or not: an unresolved speaker is worth fixing
# in actors.yaml before the catalog grows to cover what they said.
UNKNOWN_PARTY_SPEAKERS_SQL = """
CREATE TABLE unknown_party_speakers AS
SELECT row_number() OVER (ORDER BY statements DESC, speaker) AS position, *
FROM (
    SELECT coalesce(s.speaker_name, s.speaker_text, '(no speaker)') AS speaker,
           any_value(s.speaker_role) AS role,
           count(*) AS statements,
           count(DISTINCT s.document_id) AS documents,
           arg_min(left(s.content_text, 160), s.id) AS example_quote,
           arg_min(coalesce(d.url, d.source), s.id) AS example_source
    FROM statements s JOIN documents d ON d.id = s.document_id
    WHERE s.party_id = 'unknown' AND d.duplicate_of IS NULL
    GROUP BY 1
)
"""


# The review queue, what helps most first: a link near the threshold is the likeliest to be wrong; a
# statement whose stance disagrees with its article's stance toward the same assertion is a likely
# misreading; a busy speaker with no party hides many points from the charts; then links new since the
# last review. Every part is fixed between two publishes (reviews are applied by a publish), so the
# queue is ranked here once: ranking a million links on each read took 300-500 ms. The table holds
# what the queue filters and sorts on, no long text, so reading it is a narrow scan; a read then
# fetches the titles and quotes of the rows it shows (bench/queries.py).
QUEUE_RANKING_SQL = """
WITH weakest AS (
    SELECT coalesce(max(confidence) FILTER (WHERE below_threshold), 0.5) AS below_max FROM claims
), queue AS (
    SELECT c.id AS claim_id, c.statement_id, c.document_id, c.assertion_id, c.stance, c.party_id, c.speaker,
           c.confidence, c.below_threshold, c.statement_date, d.outlet, c.evidence_start, c.evidence_end,
           ds.stance AS document_stance,
           c.below_threshold OR c.confidence < w.below_max + {band} AS near_threshold,
           coalesce(ds.stance IN ('asserts', 'denies') AND ds.stance <> c.stance, FALSE) AS disagrees_with_document,
           coalesce(c.party_id = 'unknown' AND u.statements >= {busy}, FALSE) AS busy_unknown_speaker,
           l.at IS NULL OR d.ingested_at > l.at AS new_since_review,
           abs(c.confidence - w.below_max) AS distance
    FROM {claims} c
    JOIN documents d ON d.id = c.document_id AND d.duplicate_of IS NULL
    CROSS JOIN weakest w
    CROSS JOIN {last_review} l
    LEFT JOIN document_stances ds ON ds.document_id = c.document_id AND ds.assertion_id = c.assertion_id
    LEFT JOIN unknown_party_speakers u ON u.speaker = c.speaker
    WHERE c.review = 'unreviewed'
), ranked AS (
    SELECT *, 4 * near_threshold::INTEGER + 3 * disagrees_with_document::INTEGER
              + 2 * busy_unknown_speaker::INTEGER + new_since_review::INTEGER AS priority
    FROM queue
)
SELECT (row_number() OVER (ORDER BY priority DESC, distance, statement_date NULLS LAST, claim_id))::INTEGER
           AS queue_no,
       * EXCLUDE (distance)
FROM ranked
ORDER BY queue_no
"""
QUEUE_ROWS_SQL = "CREATE TABLE queue_rows AS " + QUEUE_RANKING_SQL
# How far above the weakest kept link a link still counts as "near the threshold": the links kept
# below it lie within contextual.BELOW_THRESHOLD_BAND (0.1) under it.
NEAR_THRESHOLD_BAND = 0.1
BUSY_SPEAKER_STATEMENTS = 3


def mark_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the derived tables may no longer match the claims (a writer is at work)."""
    con.execute(SET_STATE_SQL, [STALE_KEY, "stale"])


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when the derived tables were rebuilt after the last write."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [STALE_KEY]).fetchone()
    return row is not None and row[0] == f"current:{READ_MODEL_VERSION}"


EXISTS_SQL = """
SELECT count(*) FROM (SELECT table_name AS name FROM duckdb_tables() WHERE NOT internal
                      UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal)
WHERE name = ?
"""


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Return True when the file has this table or view (older files lack the later ones)."""
    return con.execute(EXISTS_SQL, [name]).fetchone()[0] > 0


def _claims_source(con: duckdb.DuckDBPyConnection) -> str:
    return "reviewed_claims" if _exists(con, "reviewed_claims") else \
        "(SELECT *, 'unreviewed' AS review, NULL::VARCHAR AS reviewer FROM claims)"


def _last_review_source(con: duckdb.DuckDBPyConnection) -> str:
    return "(SELECT max(reviewed_at) AS at FROM review_states)" if _exists(con, "review_states") else \
        "(SELECT NULL::TIMESTAMP AS at)"


def _queue_sources(con: duckdb.DuckDBPyConnection) -> dict:
    return {"claims": _claims_source(con), "last_review": _last_review_source(con),
            "band": float(NEAR_THRESHOLD_BAND), "busy": int(BUSY_SPEAKER_STATEMENTS)}


def queue_source(con: duckdb.DuckDBPyConnection) -> str:
    """Return what the review queue reads: `queue_rows`, or, in a file whose read model predates it
    (no writer has run since), the same ranking computed on the fly."""
    return "queue_rows" if _exists(con, "queue_rows") else "(" + QUEUE_RANKING_SQL.format(**_queue_sources(con)) + ")"


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the derived tables from the stored claims, statements and documents.

    The caller runs it inside a transaction (store.writer and migration m006 do), so readers of the
    published file see the old tables or the new ones, never a mix.
    """
    for sql in DROP_SQL:
        con.execute(sql)
    con.execute(CLAIM_ROWS_DDL)
    con.execute(CLAIM_ROWS_SQL.format(claims=_claims_source(con), word_pattern=WORD_PATTERN))
    # The quote search fetches a few candidate rows by row_no through this index.
    con.execute("CREATE INDEX claim_rows_row_no ON claim_rows (row_no)")
    con.execute(TIMELINE_POINTS_SQL)
    if con.execute(POINT_ORDER_OFFSETS_SQL).fetchone()[0] > 1:
        raise RuntimeError("timeline_points were not stored in point order")
    con.execute(TIMELINE_RANGES_SQL)
    con.execute(QUOTE_WORDS_SQL)
    con.execute(FILTER_VALUES_SQL)
    con.execute(UNKNOWN_PARTY_SPEAKERS_SQL)
    con.execute(QUEUE_ROWS_SQL.format(**_queue_sources(con)))
    con.execute(SET_STATE_SQL, [STALE_KEY, f"current:{READ_MODEL_VERSION}"])
