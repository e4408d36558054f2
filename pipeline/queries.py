"""Every read the dashboard, the CLI listings and the exports need: named, parameterised SQL.

Counting queries skip documents stored as `duplicate_of` another, so a copy of an article never
adds its statements twice.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

DOCUMENTS_SQL = """
SELECT d.id,
       coalesce(d.url, d.source) AS source,
       d.title,
       d.outlet,
       d.original_outlet,
       array_to_string(d.authors, '; ') AS authors,
       d.published,
       d.published_precision,
       d.duplicate_of,
       (SELECT count(*) FROM statements s WHERE s.document_id = d.id) AS statements
FROM documents d
ORDER BY d.published NULLS LAST, d.source
"""


def documents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per stored document with its metadata, duplicate link and statement count."""
    return con.execute(DOCUMENTS_SQL).df()


NEEDS_DATE_SQL = """
SELECT d.id, coalesce(d.url, d.source) AS source, d.title, d.outlet,
       (SELECT count(*) FROM statements s WHERE s.document_id = d.id) AS statements
FROM documents d
WHERE d.published IS NULL AND d.duplicate_of IS NULL
ORDER BY d.source
"""


def needs_date(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Original documents whose publication date is unknown (a manifest row can supply it)."""
    return con.execute(NEEDS_DATE_SQL).df()


QUARANTINE_SQL = """
SELECT source, line, reason, raw_sha256, raw_size, raw_copy, quarantined_at
FROM quarantine
ORDER BY quarantined_at, source, line
"""


def quarantined(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per rejected input: where it came from, why, and where its raw bytes are kept."""
    return con.execute(QUARANTINE_SQL).df()


COUNTS_SQL = """
SELECT (SELECT count(*) FROM documents) AS documents,
       (SELECT count(*) FROM documents WHERE duplicate_of IS NULL) AS originals,
       (SELECT count(*) FROM statements s JOIN documents d ON d.id = s.document_id
         WHERE d.duplicate_of IS NULL) AS statements,
       (SELECT count(*) FROM quarantine) AS quarantined,
       (SELECT count(*) FROM claims c JOIN documents d ON d.id = c.document_id
         WHERE d.duplicate_of IS NULL AND NOT c.below_threshold) AS claims
"""


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return totals: documents, originals, statements and claims of originals, quarantined inputs."""
    row = con.execute(COUNTS_SQL).fetchone()
    return dict(zip(("documents", "originals", "statements", "quarantined", "claims"), row))


# --- claims -----------------------------------------------------------------------------------

CLAIMS_EXPORT_SQL = """
SELECT c.id AS claim_id,
       c.assertion_id,
       a.claim AS assertion,
       c.stance,
       c.party_id,
       coalesce(p.name, 'Unknown') AS party,
       coalesce(s.speaker_name, s.speaker_text) AS speaker,
       s.speaker_role,
       s.cue_text AS cue,
       s.content_text AS quote,
       c.statement_date,
       c.date_precision,
       d.published AS published_date,
       d.outlet,
       d.source AS document,
       d.url,
       d.original_url,
       d.title,
       c.evidence_start,
       c.evidence_end,
       c.certainty,
       c.confidence
FROM claims c
JOIN statements s ON s.id = c.statement_id
JOIN documents d ON d.id = c.document_id
LEFT JOIN assertions a ON a.id = c.assertion_id
LEFT JOIN parties p ON p.id = c.party_id
WHERE d.duplicate_of IS NULL
  AND (? OR NOT c.below_threshold)
  AND (?::VARCHAR IS NULL OR c.assertion_id = ?)
  AND (?::DATE IS NULL OR c.statement_date >= ?)
  AND (?::DATE IS NULL OR c.statement_date <= ?)
ORDER BY c.statement_date NULLS LAST, c.assertion_id, d.source, c.evidence_start
"""


def claims_export(
    con: duckdb.DuckDBPyConnection,
    assertion_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    include_below_threshold: bool = False,
) -> pd.DataFrame:
    """One row per claim of an original document (copies excluded), optionally filtered by assertion and dates.

    A date filter keeps only claims whose statement date is known and inside the range.
    """
    return con.execute(
        CLAIMS_EXPORT_SQL,
        [include_below_threshold, assertion_id, assertion_id, since, since, until, until],
    ).df()


ASSERTION_SUMMARY_SQL = """
WITH counted AS (
    SELECT c.*
    FROM claims c JOIN documents d ON d.id = c.document_id
    WHERE d.duplicate_of IS NULL AND NOT c.below_threshold
)
SELECT a.id AS assertion_id,
       a.claim,
       a.counterclaim,
       count(DISTINCT c.party_id) FILTER (WHERE c.stance = 'asserts') AS asserting_parties,
       count(DISTINCT c.party_id) FILTER (WHERE c.stance = 'denies') AS denying_parties,
       count(c.id) FILTER (WHERE c.stance = 'asserts') AS asserting_statements,
       count(c.id) FILTER (WHERE c.stance = 'denies') AS denying_statements,
       min(c.statement_date) AS first_date,
       max(c.statement_date) AS last_date
FROM assertions a
LEFT JOIN counted c ON c.assertion_id = a.id
GROUP BY a.id, a.claim, a.counterclaim, a.position
ORDER BY a.position
"""


def assertion_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per catalog assertion: asserting and denying parties and statements, first and last dates."""
    return con.execute(ASSERTION_SUMMARY_SQL).df()
