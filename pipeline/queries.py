"""Every read the dashboard, the CLI listings and the exports need: named, parameterised SQL.

Counting queries skip documents stored as `duplicate_of` another, so a copy of an article never
adds its statements twice.
"""

from __future__ import annotations

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
       (SELECT count(*) FROM quarantine) AS quarantined
"""


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return totals: documents, originals, statements of originals, quarantined inputs."""
    row = con.execute(COUNTS_SQL).fetchone()
    return dict(zip(("documents", "originals", "statements", "quarantined"), row))
