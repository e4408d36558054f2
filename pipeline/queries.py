"""Every read the dashboard, the CLI listings and the exports need: named, parameterised SQL.

Counting queries skip documents stored as `duplicate_of` another, so a copy of an article never
adds its statements twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


DOCUMENT_STANCES_SQL = """
SELECT d.source AS document,
       ds.assertion_id,
       ds.stance,
       ds.confidence,
       d.duplicate_of
FROM document_stances ds
JOIN documents d ON d.id = ds.document_id
WHERE (?::VARCHAR IS NULL OR ds.assertion_id = ?)
ORDER BY ds.assertion_id, d.source
"""


def document_stances(con: duckdb.DuckDBPyConnection, assertion_id: str | None = None) -> pd.DataFrame:
    """One row per related (document, assertion) pair: the document's stance and confidence.

    Pairs without a row are unrelated; copies of a document carry their own row and duplicate_of.
    """
    return con.execute(DOCUMENT_STANCES_SQL, [assertion_id, assertion_id]).df()


# --- dashboard reads --------------------------------------------------------------------------
# Every dashboard filter is one parameter; an empty list or a NULL means "no filter on this".
# Counting always excludes copies of articles (duplicate_of) and links below the linking threshold.
#
# Speed (1M claims, see bench/queries.py): the filters first pick claim rows from `claims` alone;
# statements and documents are joined only when a filter needs them (speaker, quote text, outlet) or
# for the few rows finally shown. So each query has a few fixed SQL variants, chosen by which
# filters are set — never by their values, which are always parameters.


@dataclass(frozen=True)
class ClaimFilter:
    """What the user picked: empty tuples and None mean "everything"."""

    assertions: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    text: str = ""

    def params(self) -> dict:
        """Return the named SQL parameters of the filtered-claims CTE."""
        return {
            "assertions": list(self.assertions),
            "parties": list(self.parties),
            "speakers": list(self.speakers),
            "stances": list(self.stances),
            "outlets": list(self.outlets),
            "certainties": list(self.certainties),
            "since": self.since,
            "until": self.until,
            "pattern": ilike_pattern(self.text) if self.text.strip() else None,
        }

    def variant(self) -> tuple[bool, bool, bool]:
        """Return which optional joins the filters need: (statements, escaped pattern, outlets)."""
        text = self.text.strip()
        return bool(self.speakers or text), any(ch in text for ch in "%_\\"), bool(self.outlets)


def ilike_pattern(text: str) -> str:
    """Return an ILIKE pattern (escape character backslash) matching the text literally anywhere."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_FILTERED_CTE = r"""
WITH filtered AS (
    SELECT c.id AS claim_id, c.statement_id, c.document_id, c.assertion_id, c.stance, c.party_id,
           c.statement_date, c.date_precision, c.certainty, c.confidence, c.evidence_start, c.evidence_end,
           c.speaker, c.quote_excerpt
    FROM claims c
    WHERE NOT c.below_threshold
      -- Copies are few: an anti-join against them is cheaper than joining every document.
      AND c.document_id NOT IN (SELECT id FROM documents WHERE duplicate_of IS NOT NULL)
      AND (len($assertions::VARCHAR[]) = 0 OR list_contains($assertions::VARCHAR[], c.assertion_id))
      AND (len($parties::VARCHAR[]) = 0 OR list_contains($parties::VARCHAR[], c.party_id))
      AND (len($stances::VARCHAR[]) = 0 OR list_contains($stances::VARCHAR[], c.stance))
      AND (len($certainties::VARCHAR[]) = 0 OR list_contains($certainties::VARCHAR[], c.certainty))
      AND ($since::DATE IS NULL OR c.statement_date >= $since::DATE)
      AND ($until::DATE IS NULL OR c.statement_date <= $until::DATE)
      {outlets}
      {statements}
)
"""

_OUTLETS_FILTER = """
      AND c.document_id IN (SELECT id FROM documents WHERE list_contains($outlets::VARCHAR[], outlet))"""

_STATEMENTS_FILTER = r"""
      AND c.statement_id IN (
          SELECT s.id FROM statements s
          WHERE (len($speakers::VARCHAR[]) = 0
                 OR list_contains($speakers::VARCHAR[], coalesce(s.speaker_name, s.speaker_text)))
            AND ($pattern::VARCHAR IS NULL OR s.content_text ILIKE $pattern::VARCHAR {escape}))"""


def _filtered_sql(body: str, filters: ClaimFilter) -> str:
    """Return the CTE variant the filters need, followed by the query body (all fixed SQL text)."""
    statements, escaped, outlets = filters.variant()
    statements_sql = _STATEMENTS_FILTER.format(escape="ESCAPE '\\'" if escaped else "") if statements else ""
    return _FILTERED_CTE.format(outlets=_OUTLETS_FILTER if outlets else "", statements=statements_sql) + body


def _params(filters: ClaimFilter, **extra) -> dict:
    """Return the parameters a query variant uses (DuckDB rejects unused named parameters)."""
    params = filters.params()
    statements, _, outlets = filters.variant()
    if not statements:
        del params["speakers"], params["pattern"]
    if not outlets:
        del params["outlets"]
    return {**params, **extra}


# The shown rows: the export's columns (ClaimExportRow order) plus `link`.
_DETAIL_COLUMNS = """
       f.claim_id, f.assertion_id, a.claim AS assertion, f.stance, f.party_id,
       coalesce(p.name, 'Unknown') AS party, coalesce(s.speaker_name, s.speaker_text) AS speaker,
       s.speaker_role, s.cue_text AS cue, s.content_text AS quote, f.statement_date, f.date_precision,
       d.published AS published_date, d.outlet, d.source AS document, d.url, d.original_url, d.title,
       f.evidence_start, f.evidence_end, f.certainty, f.confidence,
       coalesce(d.url, d.source) AS link"""

_DETAIL_JOINS = """
JOIN statements s ON s.id = f.statement_id
JOIN documents d ON d.id = f.document_id
LEFT JOIN assertions a ON a.id = f.assertion_id
LEFT JOIN parties p ON p.id = f.party_id"""

FILTERED_CLAIMS_BODY = f"""
, page AS (
    -- Top rows first, from the claims alone; the joins then touch only the rows shown.
    SELECT * FROM filtered
    ORDER BY statement_date NULLS LAST, assertion_id, document_id, evidence_start
    LIMIT $limit
)
SELECT {_DETAIL_COLUMNS}
FROM page f {_DETAIL_JOINS}
ORDER BY f.statement_date NULLS LAST, f.assertion_id, f.document_id, f.evidence_start
"""


def filtered_claims(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int | None = 5000) -> pd.DataFrame:
    """The export's columns (ClaimExportRow) plus `link` (url, else document path) for the claims matching the filters.

    At most `limit` rows (None: all), oldest statements first and undated ones last.
    """
    return con.execute(_filtered_sql(FILTERED_CLAIMS_BODY, filters), _params(filters, limit=limit)).df()


FILTERED_TOTALS_BODY = """
SELECT count(*) AS claims, count(DISTINCT document_id) AS documents, count(DISTINCT party_id) AS parties,
       count(*) FILTER (WHERE statement_date IS NULL) AS undated
FROM filtered
"""


def filtered_totals(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> dict[str, int]:
    """Return counts of the claims matching the filters: claims, documents, parties, undated."""
    cursor = con.execute(_filtered_sql(FILTERED_TOTALS_BODY, filters), _params(filters))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


BUSIEST_ASSERTIONS_BODY = """
SELECT assertion_id FROM filtered
WHERE statement_date IS NOT NULL
GROUP BY assertion_id
ORDER BY count(*) DESC, assertion_id
LIMIT $limit
"""


def busiest_assertions(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 12) -> list[str]:
    """Return the ids of the assertions with the most dated claims matching the filters, most first."""
    rows = con.execute(_filtered_sql(BUSIEST_ASSERTIONS_BODY, filters), _params(filters, limit=limit)).fetchall()
    return [r[0] for r in rows]


TIMELINE_POINTS_BODY = """
, points AS (
    SELECT assertion_id, party_id, stance, statement_date, date_precision,
           count(*) AS statements, count(DISTINCT document_id) AS documents,
           arg_min(speaker, claim_id) AS speaker,
           arg_min(quote_excerpt, claim_id) AS quote_excerpt,
           arg_min(document_id, claim_id) AS example_document
    FROM filtered
    WHERE statement_date IS NOT NULL
    GROUP BY assertion_id, party_id, stance, statement_date, date_precision
)
-- One example per point (its first claim) for the tooltip: joined for the points only.
SELECT pt.assertion_id, a.claim AS assertion, pt.party_id, coalesce(p.name, 'Unknown') AS party, pt.stance,
       pt.statement_date, pt.date_precision, strftime(pt.statement_date, '%Y-%m-%d') AS date_key,
       pt.statements, pt.documents, pt.speaker, pt.quote_excerpt, d.outlet
FROM points pt
JOIN documents d ON d.id = pt.example_document
LEFT JOIN assertions a ON a.id = pt.assertion_id
LEFT JOIN parties p ON p.id = pt.party_id
ORDER BY pt.assertion_id, pt.statement_date, party, pt.stance
"""


def timeline_points(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> pd.DataFrame:
    """One row per assertion, party, stance, statement date and date precision: the count and an example.

    Undated statements are left out (see `undated_claims`); a month-precision date is the month's first day.
    """
    return con.execute(_filtered_sql(TIMELINE_POINTS_BODY, filters), _params(filters)).df()


WEEKLY_COUNTS_BODY = """
, weeks AS (
    SELECT assertion_id, party_id, date_trunc('week', statement_date)::DATE AS week,
           count(*) FILTER (WHERE stance = 'asserts') AS asserts,
           count(*) FILTER (WHERE stance = 'denies') AS denies
    FROM filtered
    WHERE statement_date IS NOT NULL
    GROUP BY assertion_id, party_id, week
)
SELECT w.assertion_id, w.party_id, coalesce(p.name, 'Unknown') AS party, w.week, w.asserts, w.denies
FROM weeks w LEFT JOIN parties p ON p.id = w.party_id
ORDER BY w.assertion_id, w.week, party
"""


def weekly_counts(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> pd.DataFrame:
    """One row per assertion, party and ISO week (its Monday): statements asserting and denying."""
    return con.execute(_filtered_sql(WEEKLY_COUNTS_BODY, filters), _params(filters)).df()


UNDATED_CLAIMS_BODY = """
, undated AS (SELECT * FROM filtered WHERE statement_date IS NULL)
SELECT f.assertion_id, coalesce(p.name, 'Unknown') AS party, f.stance,
       coalesce(s.speaker_name, s.speaker_text) AS speaker, s.content_text AS quote, d.outlet, d.title,
       coalesce(d.url, d.source) AS link
FROM undated f
JOIN statements s ON s.id = f.statement_id
JOIN documents d ON d.id = f.document_id
LEFT JOIN parties p ON p.id = f.party_id
ORDER BY f.assertion_id, d.source, f.evidence_start
LIMIT $limit
"""


def undated_claims(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 1000) -> pd.DataFrame:
    """Claims matching the filters whose statement date is unknown (never plotted at an invented date)."""
    return con.execute(_filtered_sql(UNDATED_CLAIMS_BODY, filters), _params(filters, limit=limit)).df()


EVIDENCE_BODY = """
, chosen AS (
    SELECT * FROM filtered
    WHERE ($party_id::VARCHAR IS NULL OR party_id = $party_id::VARCHAR)
      AND ($stance::VARCHAR IS NULL OR stance = $stance::VARCHAR)
      AND ($day::DATE IS NULL OR statement_date = $day::DATE)
)
SELECT f.claim_id, f.assertion_id, coalesce(p.name, 'Unknown') AS party, f.stance,
       coalesce(s.speaker_name, s.speaker_text) AS speaker, s.speaker_role, d.outlet, d.title,
       f.statement_date, f.date_precision, d.published AS published_date, f.certainty, f.confidence,
       coalesce(d.url, d.source) AS link,
       -- Up to 400 characters either side; `in_sentence` trims them to the quote's sentence.
       substr(d.body, greatest(f.evidence_start - 400, 0) + 1,
              f.evidence_start - greatest(f.evidence_start - 400, 0)) AS before,
       substr(d.body, f.evidence_start + 1, f.evidence_end - f.evidence_start) AS evidence,
       substr(d.body, f.evidence_end + 1, 400) AS after
FROM chosen f
JOIN statements s ON s.id = f.statement_id
JOIN documents d ON d.id = f.document_id
LEFT JOIN parties p ON p.id = f.party_id
ORDER BY f.statement_date NULLS LAST, d.source, f.evidence_start
LIMIT $limit
"""


def evidence(
    con: duckdb.DuckDBPyConnection,
    filters: ClaimFilter,
    party_id: str | None = None,
    stance: str | None = None,
    day: date | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """The claims behind one chart point: speaker, role, outlet, title, date, link and the text around the quote.

    Columns `before`, `evidence`, `after` are the stored body around the quote (see `in_sentence`).
    """
    return con.execute(
        _filtered_sql(EVIDENCE_BODY, filters),
        _params(filters, party_id=party_id, stance=stance, day=day, limit=limit),
    ).df()


_SENTENCE_END = re.compile(r"(?:[.!?][\"'”’)\]]*\s+|\n\s*\n|\n)")


def in_sentence(before: str, evidence: str, after: str) -> tuple[str, str, str]:
    """Return (before, evidence, after) with the context trimmed to the sentence(s) holding the evidence."""
    starts = [m.end() for m in _SENTENCE_END.finditer(before or "")]
    head = (before or "")[starts[-1]:] if starts else (before or "")
    end = _SENTENCE_END.search(after or "")
    tail = (after or "")[: end.start() + 1] if end else (after or "")
    return head.lstrip(), evidence or "", tail.rstrip()


FILTER_OPTIONS_SQL = """
SELECT 'assertion' AS kind, a.id AS value, a.claim AS label FROM assertions a
UNION ALL
SELECT 'party', c.party_id, coalesce(p.name, 'Unknown')
FROM (SELECT DISTINCT party_id FROM claims) c LEFT JOIN parties p ON p.id = c.party_id
UNION ALL
-- Speakers of any statement (a superset of those with claims: cheaper than joining the claims).
SELECT DISTINCT 'speaker', coalesce(s.speaker_name, s.speaker_text), NULL
FROM statements s
WHERE coalesce(s.speaker_name, s.speaker_text) IS NOT NULL
UNION ALL
SELECT DISTINCT 'outlet', d.outlet, NULL FROM documents d WHERE d.outlet IS NOT NULL AND d.duplicate_of IS NULL
UNION ALL
SELECT DISTINCT 'certainty', c.certainty, NULL FROM claims c
"""


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Return {kind: {value: label}} for the filters: assertion, party, speaker, outlet, certainty (sorted)."""
    out: dict[str, dict[str, str]] = {k: {} for k in ("assertion", "party", "speaker", "outlet", "certainty")}
    rows = con.execute(FILTER_OPTIONS_SQL).fetchall()
    for kind, value, label in rows:
        out[kind][value] = label if label is not None else value
    # Catalog order for assertions; names for the rest.
    return {k: (v if k == "assertion" else dict(sorted(v.items(), key=lambda kv: kv[1].lower())))
            for k, v in out.items()}


DATE_RANGE_SQL = """
SELECT min(c.statement_date), max(c.statement_date)
FROM claims c JOIN documents d ON d.id = c.document_id
WHERE d.duplicate_of IS NULL AND NOT c.below_threshold
"""


def date_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """Return the first and last known statement dates of counted claims (None, None when there are none)."""
    first, last = con.execute(DATE_RANGE_SQL).fetchone()
    return first, last


ASSERTION_SQL = "SELECT id, claim, counterclaim, notes FROM assertions WHERE id = ?"


def assertion(con: duckdb.DuckDBPyConnection, assertion_id: str) -> dict | None:
    """Return the catalog snapshot of one assertion (id, claim, counterclaim, notes), or None."""
    cursor = con.execute(ASSERTION_SQL, [assertion_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row))


UNKNOWN_PARTY_SPEAKERS_SQL = """
SELECT coalesce(s.speaker_name, s.speaker_text, '(no speaker)') AS speaker,
       any_value(s.speaker_role) AS role,
       count(*) AS statements,
       count(DISTINCT s.document_id) AS documents,
       arg_min(left(s.content_text, 160), s.id) AS example_quote,
       arg_min(coalesce(d.url, d.source), s.id) AS example_source
FROM statements s JOIN documents d ON d.id = s.document_id
WHERE s.party_id = 'unknown' AND d.duplicate_of IS NULL
GROUP BY 1
ORDER BY statements DESC, speaker
"""


def unknown_party_speakers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per speaker whose party is `unknown` (statements of originals): counts and an example quote."""
    return con.execute(UNKNOWN_PARTY_SPEAKERS_SQL).df()
