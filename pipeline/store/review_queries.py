"""Every read the review page and the review commands make (the queue, one link, its context).

They read the views of pipeline/store/reviews.py, so what they show is the claims as reviewed. The
filters are the explorer's (queries.ClaimFilter), applied to the links of the queue, which include
links kept below the linking threshold: those are the ones a reviewer most needs to see.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.store import read_model, reviews
from pipeline.store.queries import ClaimFilter

# The queue is ranked by the read model (read_model.QUEUE_ROWS_SQL, where its priorities are
# explained); a read filters the ranked rows and takes the first.
QUEUE_SQL = """
SELECT q.* EXCLUDE (queue_no), a.claim AS assertion, coalesce(p.name, 'Unknown') AS party, d.title,
       coalesce(d.url, d.source) AS link, d.source AS document
FROM (
    SELECT *
    FROM {queue} q
    WHERE (len($assertions::VARCHAR[]) = 0 OR list_contains($assertions::VARCHAR[], q.assertion_id))
      AND (len($parties::VARCHAR[]) = 0 OR list_contains($parties::VARCHAR[], q.party_id))
      AND (len($stances::VARCHAR[]) = 0 OR list_contains($stances::VARCHAR[], q.stance))
      AND (len($outlets::VARCHAR[]) = 0 OR list_contains($outlets::VARCHAR[], q.outlet))
      AND (len($speakers::VARCHAR[]) = 0 OR list_contains($speakers::VARCHAR[], q.speaker))
      AND ($since::DATE IS NULL OR q.statement_date >= $since::DATE)
      AND ($until::DATE IS NULL OR q.statement_date <= $until::DATE)
      {text_condition}
    ORDER BY q.queue_no
    LIMIT $limit
) q
JOIN documents d ON d.id = q.document_id
LEFT JOIN assertions a ON a.id = q.assertion_id
LEFT JOIN parties p ON p.id = q.party_id
ORDER BY q.queue_no
"""
# The quote search of the explorer, when one is asked for: it reads every statement's text.
QUEUE_TEXT_CONDITION = (
    "AND q.statement_id IN (SELECT id FROM statements WHERE contains(lower(content_text), lower($text)))")

# The statements' words, read for the rows shown only: joining a million statements to rank them was
# most of the queue's time (300 ms on a million claims, bench/queries.py).
QUEUE_STATEMENTS_SQL = """
SELECT id AS statement_id, speaker_role, cue_text AS cue, content_text AS quote
FROM statements
WHERE list_contains($ids::VARCHAR[], id)
"""


QUEUE_COLUMNS = ["claim_id", "statement_id", "document_id", "assertion_id", "assertion", "stance", "party_id", "party",
                 "speaker", "speaker_role", "cue", "quote", "confidence", "below_threshold", "statement_date",
                 "outlet", "title", "link", "document", "evidence_start", "evidence_end", "document_stance",
                 "near_threshold", "disagrees_with_document", "busy_unknown_speaker", "new_since_review", "priority"]


def review_queue(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 200) -> pd.DataFrame:
    """Unreviewed links of original articles, what helps most first, with why each is in the queue."""
    text = filters.text.strip()
    parameters = {
        "limit": limit,
        "assertions": list(filters.assertions), "parties": list(filters.parties), "stances": list(filters.stances),
        "outlets": list(filters.outlets), "speakers": list(filters.speakers), "since": filters.since,
        "until": filters.until,
    }
    if text:
        parameters["text"] = text
    sql = QUEUE_SQL.format(queue=read_model.queue_source(con), text_condition=QUEUE_TEXT_CONDITION if text else "")
    ranked = con.execute(sql, parameters).df()
    words = con.execute(QUEUE_STATEMENTS_SQL, {"ids": ranked["statement_id"].tolist()}).df()
    queue = ranked.merge(words, on="statement_id", how="left")
    return queue[QUEUE_COLUMNS]


# A link as a reviewer acts on it: a claim as reviewed, or a rejected one (so it can be revived).
LINK_SQL = """
SELECT c.id AS claim_id, c.statement_id, c.document_id, s.content_text AS quote, c.assertion_id,
       coalesce(rc.stance, c.stance) AS stance, coalesce(rc.party_id, c.party_id) AS party_id,
       coalesce(rc.review, 'rejected') AS review
FROM claims c
JOIN statements s ON s.id = c.statement_id
LEFT JOIN reviewed_claims rc ON rc.id = c.id
WHERE c.id = $id
UNION ALL
SELECT rc.id, rc.statement_id, rc.document_id, s.content_text, rc.assertion_id, rc.stance, rc.party_id, rc.review
FROM reviewed_claims rc
JOIN statements s ON s.id = rc.statement_id
WHERE rc.id = $id AND rc.review = 'added' AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = $id)
"""


def link(con: duckdb.DuckDBPyConnection, claim_id: str) -> dict | None:
    """Return one link by claim id (document, quote, assertion, stance and party as reviewed), or None."""
    cursor = con.execute(LINK_SQL, {"id": claim_id})
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


STATEMENT_SQL = """
SELECT s.id AS statement_id, s.document_id, s.content_text AS quote, s.party_id,
       coalesce(s.speaker_name, s.speaker_text) AS speaker, s.cue_text AS cue
FROM statements s
WHERE s.id = $id
"""


def statement(con: duckdb.DuckDBPyConnection, statement_id: str) -> dict | None:
    """Return one statement (document, quote, party), or None."""
    cursor = con.execute(STATEMENT_SQL, {"id": statement_id})
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


DOCUMENT_STATEMENTS_SQL = """
SELECT s.id AS statement_id, coalesce(s.speaker_name, s.speaker_text) AS speaker, s.party_id, s.cue_text AS cue,
       s.content_text AS quote, s.content_start,
       (SELECT string_agg(rc.assertion_id, ', ' ORDER BY rc.assertion_id) FROM reviewed_claims rc
        WHERE rc.statement_id = s.id AND NOT rc.below_threshold) AS linked_to
FROM statements s
WHERE s.document_id = $document
ORDER BY s.content_start, s.id
"""


def document_statements(con: duckdb.DuckDBPyConnection, document_id: str) -> pd.DataFrame:
    """Every statement of one document, in text order, with the assertions it counts for now."""
    return con.execute(DOCUMENT_STATEMENTS_SQL, {"document": document_id}).df()


CONTEXT_SQL = """
SELECT greatest($start - $width, 0) AS offset, substr(body, greatest($start - $width, 0) + 1, $end - greatest($start - $width, 0) + $width) AS text
FROM documents WHERE id = $document
"""


def paragraph_around(con: duckdb.DuckDBPyConnection, document_id: str, start: int, end: int,
                     width: int = 1500) -> tuple[str, str, str]:
    """Return (before, quote, after) of the paragraph holding [start, end) of a stored body.

    A paragraph ends at a line break; at most `width` characters are read on either side.
    """
    row = con.execute(CONTEXT_SQL, {"document": document_id, "start": start, "end": end, "width": width}).fetchone()
    if row is None:
        return "", "", ""
    offset, text = row
    before, quote, after = text[: start - offset], text[start - offset: end - offset], text[end - offset:]
    head = before.rsplit("\n", 1)[-1]
    tail = after.split("\n", 1)[0]
    return head, quote, tail


VALUES_SQL = """
SELECT 'assertion' AS kind, id AS value, claim AS label, position FROM assertions
UNION ALL
SELECT 'party', id, name, NULL FROM parties
ORDER BY kind, position, value
"""


def review_choices(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Return the assertions and parties a review may name: {kind: {id: label}} ('unknown' included)."""
    out: dict[str, dict[str, str]] = {"assertion": {}, "party": {}}
    for kind, value, label, _ in con.execute(VALUES_SQL).fetchall():
        out[kind][value] = label
    out["party"].setdefault("unknown", "Unknown")
    return out


EVENTS_SQL = """
SELECT e.seq, e.id, e.reviewed_at, e.reviewer, e.action, d.source AS document, e.quote, e.assertion_id,
       e.before, e.stance, e.party_id, e.to_assertion_id, e.reason, e.note, e.claim_id
FROM review_events e
LEFT JOIN documents d ON d.id = e.document_id
ORDER BY e.seq
"""


def review_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every review applied to this file, oldest first (the log itself is the full record)."""
    return con.execute(EVENTS_SQL).df()


ORPHANED_SQL = """
SELECT r.document_id, d.source AS document, r.quote, r.assertion_id, r.status, r.stance, r.party_id,
       r.reviewer, r.reviewed_at, r.note
FROM review_states r
LEFT JOIN documents d ON d.id = r.document_id
WHERE NOT EXISTS (SELECT 1 FROM review_matches m WHERE m.document_id = r.document_id
                  AND m.quote_key = r.quote_key AND m.assertion_id = r.assertion_id)
ORDER BY r.reviewed_at
"""


def orphaned_reviews(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the reviewed links whose statement no longer exists (a DataFrame)."""
    return con.execute(ORPHANED_SQL).df()


def reviews_synced(con: duckdb.DuckDBPyConnection) -> int:
    """How many bytes of the review log this file has applied (less than the log's size: reviews pending)."""
    return reviews.synced_bytes(con)
