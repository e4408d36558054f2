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

from pipeline.store import read_model

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
WHERE ($outlet IS NULL OR d.outlet = $outlet)
  AND ($since IS NULL OR d.published >= $since)
  AND ($until IS NULL OR d.published <= $until)
  AND ($originals IS NULL OR d.duplicate_of IS NULL)
ORDER BY d.published NULLS LAST, d.source
LIMIT $limit
"""


def documents(con: duckdb.DuckDBPyConnection, outlet: str | None = None, since: date | None = None,
              until: date | None = None, originals_only: bool = False, limit: int | None = None) -> pd.DataFrame:
    """One row per stored document with its metadata, duplicate link and statement count (filters optional)."""
    params = {"outlet": outlet, "since": since, "until": until, "originals": True if originals_only else None,
              "limit": limit if limit is not None else 2**62}
    return con.execute(DOCUMENTS_SQL, params).df()


SOURCE_OUTLETS_BODY = """
SELECT outlet, count(*) AS claims FROM filtered WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY claims DESC, outlet
"""


def source_outlets(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> list[str]:
    """Return the outlets of the claims matching the filters, the most quoted first (a briefing's sources)."""
    return [row[0] for row in con.execute(*_filtered_sql(con, SOURCE_OUTLETS_BODY, filters)).fetchall()]


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
       (SELECT count(*) FROM reviewed_claims c JOIN documents d ON d.id = c.document_id
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
       c.confidence,
       c.review,
       c.reviewer
FROM reviewed_claims c
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
    FROM reviewed_claims c JOIN documents d ON d.id = c.document_id
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
# The pages read the derived tables of pipeline/store/read_model.py (`claim_rows`, `timeline_points`,
# `quote_words`, `filter_values`), which hold only counted claims (no copies of an article, no links
# below the linking threshold) with every column a page shows, so each read is one table, pruned by
# its sort order. The SQL has a few fixed variants chosen by which filters are set (the quote
# search adds one condition per word) — never by their values, which are always parameters.


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
    reviewed_only: bool = False  # only links a reviewer confirmed, corrected or added

    def params(self) -> dict:
        """Return the named SQL parameters of the filters that are set (see `_CONDITIONS`)."""
        values = {
            "assertions": list(self.assertions),
            "parties": list(self.parties),
            "speakers": list(self.speakers),
            "stances": list(self.stances),
            "outlets": list(self.outlets),
            "certainties": list(self.certainties),
            "since": self.since,
            "until": self.until,
            "reviews": ["confirmed", "corrected", "added"] if self.reviewed_only else None,
        }
        return {name: value for name, value in values.items() if value not in (None, [])}

    def words(self) -> list[str]:
        """Return the words of the quote search, lower case, each once, in the order typed."""
        return list(dict.fromkeys(quote_search_words(self.text)))

    def only_point_dimensions(self) -> bool:
        """True when every filter set is one the precomputed timeline points carry."""
        return not (self.speakers or self.outlets or self.certainties or self.text.strip() or self.reviewed_only)


# The same words as read_model.WORD_PATTERN finds in quotes: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")


def quote_search_words(text: str) -> list[str]:
    """Return the words of a quote search as the index holds them (lower case letters and digits)."""
    return _WORD.findall(text.lower())


# One condition per filter that is set; a filter left empty adds nothing for DuckDB to evaluate.
_CONDITIONS = {
    "assertions": "list_contains($assertions::VARCHAR[], c.assertion_id)",
    "parties": "list_contains($parties::VARCHAR[], c.party_id)",
    "speakers": "list_contains($speakers::VARCHAR[], c.speaker)",
    "stances": "list_contains($stances::VARCHAR[], c.stance)",
    "outlets": "list_contains($outlets::VARCHAR[], c.outlet)",
    "certainties": "list_contains($certainties::VARCHAR[], c.certainty)",
    "since": "c.statement_date >= $since::DATE",
    "until": "c.statement_date <= $until::DATE",
    "reviews": "list_contains($reviews::VARCHAR[], c.review)",
}

_FILTERED_CTE = """
WITH filtered AS (
    SELECT * FROM claim_rows c
    WHERE TRUE{conditions}{search}
)
"""

# Each word typed must begin a word of the quote ("drone" finds "drones"), in any order. How the
# rows are found depends on how many quote words the rarest typed word begins, which the word index
# (quote_words, sorted by word, so DuckDB reads only the zone of a word) counts in a millisecond:
# - a few: the other words are checked in those rows' search_text, fetched through the ART index on
#   claim_rows.row_no, and the rows left are fetched the same way;
# - more: each word is a semi-join with its zone of the word index;
# - a large share of all rows ("the", a party's name): the semi-join would hash most of the table,
#   so every row's `search_text` (its quote's words, each after a space) is searched for
#   ' ' + word instead — a plain substring scan, several times cheaper than a regular expression.
# All three give the same rows (tests/store/test_read_model.py): search_text and quote_words are cut from
# the quote by the same expression (read_model.WORD_PATTERN).
# Up to this many rows go through the row_no index; at 256, a rare word at 10,000,000 claims (1,100 rows)
# fell to the semi-join over a common word's zone: 328 and 708 ms, against 64 and 44 ms now.
INDEXED_CANDIDATES = 4096
SCANNED_SHARE = 0.2
CANDIDATE_ROWS_SQL = """
SELECT DISTINCT row_no FROM quote_words WHERE word >= ? AND word <= ? || '\U0010FFFF' ORDER BY row_no
"""
WORD_COUNT_SQL = "SELECT count(*) FROM quote_words WHERE word >= ? AND word <= ? || '\U0010FFFF'"
ROW_COUNT_SQL = "SELECT count(*) FROM claim_rows"
CANDIDATE_TEXTS_SQL = "SELECT row_no, search_text FROM claim_rows WHERE row_no IN ({rows}) ORDER BY row_no"
_WORD_IN_INDEX = """
      AND c.row_no IN (SELECT row_no FROM quote_words WHERE word >= $word{i} AND word <= $word{i} || '\U0010FFFF')"""
_WORD_IN_SEARCH_TEXT = """
      AND contains(c.search_text, ' ' || $word{i})"""
# Text without any letter or digit ("%", "—") is looked for literally in every quote.
_LITERAL_TEXT = """
      AND contains(lower(c.quote), $literal)"""


def rarest_word(con: duckdb.DuckDBPyConnection, words: list[str]) -> tuple[str, int]:
    """Return the search word that begins the fewest quote words, and how many it begins."""
    counts = [con.execute(WORD_COUNT_SQL, [word, word]).fetchall()[0][0] for word in words]
    count, _, word = min(zip(counts, [-len(w) for w in words], words))
    return word, count


def _search(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> tuple[str, dict]:
    """Return the quote search's conditions and their parameters (nothing when no text is given)."""
    words = filters.words()
    if not words:
        text = filters.text.strip()
        return (_LITERAL_TEXT, {"literal": text.lower()}) if text else ("", {})
    params = {f"word{i}": word for i, word in enumerate(words)}
    rarest, count = rarest_word(con, words)
    if count > INDEXED_CANDIDATES:
        scan = count > SCANNED_SHARE * con.execute(ROW_COUNT_SQL).fetchall()[0][0]
        each_word = _WORD_IN_SEARCH_TEXT if scan else _WORD_IN_INDEX
        return "".join(each_word.format(i=i) for i in range(len(words))), params
    rows = [r[0] for r in con.execute(CANDIDATE_ROWS_SQL, [rarest, rarest]).fetchall()]
    if len(words) > 1 and rows:
        # The other words are checked here on the few candidates' search_text: as a condition of the
        # page's query, DuckDB would evaluate them on every row before looking at row_no.
        texts = con.execute(CANDIDATE_TEXTS_SQL.format(rows=_placeholders("row", rows)),
                            {f"row{i}": r for i, r in enumerate(rows)}).fetchall()
        rows = [row for row, text in texts if all(f" {word}" in text for word in words)]
    # One placeholder per candidate row (DuckDB uses the index only for a list of values).
    return f"\n      AND c.row_no IN ({_placeholders('row', rows)})", {f"row{i}": r for i, r in enumerate(rows)}


def _placeholders(name: str, values: list) -> str:
    return ", ".join(f"${name}{i}" for i in range(len(values))) or "NULL"


def _filtered_sql(con: duckdb.DuckDBPyConnection, body: str, filters: ClaimFilter, **extra) -> tuple[str, dict]:
    """Return (SQL, parameters): the filtered-claims CTE variant the filters need, then `body` (fixed SQL text)."""
    params = filters.params()
    conditions = "".join(f"\n      AND {_CONDITIONS[name]}" for name in params)
    search, search_params = _search(con, filters)
    sql = _FILTERED_CTE.format(conditions=conditions, search=search) + body
    # DuckDB rejects named parameters the SQL does not use, so only the set filters' are passed.
    return sql, {**params, **search_params, **extra}


def _run(con: duckdb.DuckDBPyConnection, body: str, filters: ClaimFilter, **extra) -> duckdb.DuckDBPyRelation:
    """Run the filtered-claims CTE variant the filters need, followed by `body`, as a relation (for frames)."""
    return _relation(con, *_filtered_sql(con, body, filters, **extra))


def _relation(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> duckdb.DuckDBPyRelation:
    """Return a relation over `sql`, on a cursor of `con` (same database, same snapshot rules).

    A relation (what Arrow output needs without an extra copy) cannot start on a connection whose
    last execute() result was read with fetchone() and not to its end; a cursor has no such result.
    """
    return con.cursor().sql(sql, params=params)


def _frame(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """Return the relation's rows as a DataFrame, by way of Arrow.

    Same columns and dtypes as `relation.df()` (strings are pandas' Arrow-backed `str`), but
    DuckDB's own conversion builds a Python object per string first: on the 23,000 points of 12
    assertions that is 50 ms against 25 (bench/queries.py).
    """
    frame = relation.to_arrow_table().to_pandas(date_as_object=False)
    # Arrow dates arrive as datetime64[ms]; DuckDB's own frames (and every other read here) use [us].
    for name in frame.columns[frame.dtypes == "datetime64[ms]"]:
        frame[name] = frame[name].astype("datetime64[us]")
    return frame


# The shown rows: the export's columns (ClaimExportRow order) plus `link`.
FILTERED_CLAIMS_BODY = """
SELECT claim_id, assertion_id, assertion, stance, party_id, party, speaker, speaker_role, cue, quote,
       statement_date, date_precision, published_date, outlet, document, url, original_url, title,
       evidence_start, evidence_end, certainty, confidence, review, reviewer, link
FROM filtered
ORDER BY row_no
LIMIT $limit
"""


def filtered_claims(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int | None = 5000) -> pd.DataFrame:
    """The export's columns (ClaimExportRow) plus `link` (url, else document path) for the claims matching the filters.

    At most `limit` rows (None: all), oldest statements first and undated ones last.
    """
    return _frame(_run(con, FILTERED_CLAIMS_BODY, filters, limit=limit))


EXPLORER_TABLE_BODY = """
SELECT statement_date, date_precision, assertion_id, party, stance, speaker, quote, outlet, title, link,
       certainty, confidence, review
FROM filtered
ORDER BY row_no
LIMIT $limit
"""


def explorer_table(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 5000) -> pd.DataFrame:
    """The explorer's columns for the first `limit` claims matching the filters (the order of `filtered_claims`).

    The assertion comes right after the date: one statement linked to two assertions is two rows that
    would otherwise read as the same row twice until the table is scrolled sideways.
    """
    return _frame(_run(con, EXPLORER_TABLE_BODY, filters, limit=limit))


# Documents are counted as the set bits of a bitmap over document_no (1..number of documents, from
# the column's statistics): no hash table, a fifth faster than count(DISTINCT) on a million rows.
# Parties likewise, as the set bits of one 128-bit integer while there are at most PARTY_BITS of
# them: a count(DISTINCT) next to other aggregates makes DuckDB materialise the filtered rows once
# more (about 6 ms of 32 for a word found in every quote, bench/queries.py).
PARTY_BITS = 127
PARTY_COUNT_SQL = "SELECT coalesce(max(party_no), 0) FROM claim_rows"
PARTIES_AS_BITS = "coalesce(bit_count(bit_or(1::HUGEINT << (party_no - 1)::HUGEINT)), 0)"
PARTIES_DISTINCT = "count(DISTINCT party_id)"
FILTERED_TOTALS_BODY = """
SELECT count(*) AS claims, coalesce(bit_count(bitstring_agg(document_no)), 0) AS documents,
       {parties} AS parties,
       count(*) FILTER (WHERE statement_date IS NULL) AS undated
FROM filtered
"""


def filtered_totals(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> dict[str, int]:
    """Return counts of the claims matching the filters: claims, documents, parties, undated."""
    # The highest party number comes from the column's statistics (well under a millisecond).
    few_parties = con.execute(PARTY_COUNT_SQL).fetchall()[0][0] <= PARTY_BITS
    body = FILTERED_TOTALS_BODY.format(parties=PARTIES_AS_BITS if few_parties else PARTIES_DISTINCT)
    # One row: a plain execute, not a relation (whose set-up costs ~5 ms on a scan of every quote).
    result = con.execute(*_filtered_sql(con, body, filters))
    names = [column[0] for column in result.description]
    return dict(zip(names, result.fetchall()[0]))


BUSIEST_ASSERTIONS_BODY = """
SELECT assertion_id FROM filtered
WHERE statement_date IS NOT NULL
GROUP BY assertion_id
ORDER BY count(*) DESC, assertion_id
LIMIT $limit
"""


def busiest_assertions(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 12) -> list[str]:
    """Return the ids of the assertions with the most dated claims matching the filters, most first."""
    rows = con.execute(*_filtered_sql(con, BUSIEST_ASSERTIONS_BODY, filters, limit=limit)).fetchall()
    return [r[0] for r in rows]


_POINT_COLUMNS = """assertion_id, assertion, party_id, party, stance, statement_date, date_precision, date_key,
       statements, documents, speakers, lowest_confidence, speaker, quote_excerpt, outlet"""
_POINT_ORDER = "ORDER BY assertion_id, statement_date, party, stance, date_precision"

# Filters the points carry (assertion, party, stance, dates) read the precomputed points, which are
# stored in point order (_POINT_ORDER; read_model.TIMELINE_POINTS_SQL). The scan below has no ORDER BY:
# with DuckDB's preserve_insertion_order (on by default; nothing here turns it off) a filtered
# scan returns rows in stored order, and sorting 23,000 points with their strings again cost ~10 ms.
# Assertions are found by their rowid ranges (read_model.TIMELINE_RANGES_SQL): DuckDB seeks to those
# rows instead of decoding every zone an `assertion_id` filter touches.
STORED_POINTS_SQL = f"""
SELECT {_POINT_COLUMNS}
FROM timeline_points c
WHERE TRUE{{conditions}}
"""
_POINT_CONDITIONS = ("parties", "stances", "since", "until")
POINT_ROWS_SQL = """
SELECT r.first_point - o.offset, r.last_point - o.offset
FROM timeline_ranges r, (SELECT point_no - rowid AS offset FROM timeline_points LIMIT 1) o
WHERE list_contains($assertions::VARCHAR[], r.assertion_id)
ORDER BY r.first_point
"""
_POINT_RANGE = "c.rowid BETWEEN $first{i} AND $last{i}"


def _stored_points(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> pd.DataFrame:
    params = {k: v for k, v in filters.params().items() if k in _POINT_CONDITIONS}
    conditions = "".join(f"\n  AND {_CONDITIONS[name]}" for name in params)
    if filters.assertions:
        ranges = con.execute(POINT_ROWS_SQL, {"assertions": list(filters.assertions)}).fetchall()
        within = " OR ".join(_POINT_RANGE.format(i=i) for i in range(len(ranges))) or "FALSE"
        # The ranges are exact (the points are stored sorted by assertion first), so no id is compared:
        # that comparison alone cost a fifth of the read.
        conditions = f"\n  AND ({within})" + conditions
        for i, (first, last) in enumerate(ranges):
            params[f"first{i}"], params[f"last{i}"] = first, last
    return _frame(_relation(con, STORED_POINTS_SQL.format(conditions=conditions), params))


# Any other filter (speaker, outlet, certainty, quote words) aggregates the matching claims the way
# the stored points were aggregated.
TIMELINE_POINTS_BODY = f"""
, points AS ({read_model.POINTS_AGGREGATE.format(rows="filtered")})
SELECT {_POINT_COLUMNS} FROM points
{_POINT_ORDER}
"""


def timeline_points(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> pd.DataFrame:
    """One row per assertion, party, stance, statement date and date precision: the count and an example.

    Undated statements are left out (see `undated_claims`); a month-precision date is the month's first day.
    """
    if filters.only_point_dimensions():
        return _stored_points(con, filters)
    return _frame(_run(con, TIMELINE_POINTS_BODY, filters))


WEEKLY_COUNTS_BODY = """
SELECT assertion_id, party_id, any_value(party) AS party, date_trunc('week', statement_date)::DATE AS week,
       count(*) FILTER (WHERE stance = 'asserts') AS asserts,
       count(*) FILTER (WHERE stance = 'denies') AS denies
FROM filtered
WHERE statement_date IS NOT NULL
GROUP BY assertion_id, party_id, week
ORDER BY assertion_id, week, party
"""


def weekly_counts(con: duckdb.DuckDBPyConnection, filters: ClaimFilter) -> pd.DataFrame:
    """One row per assertion, party and ISO week (its Monday): statements asserting and denying."""
    return _frame(_run(con, WEEKLY_COUNTS_BODY, filters))


UNDATED_CLAIMS_BODY = """
SELECT assertion_id, party, stance, speaker, quote, outlet, title, link
FROM filtered
WHERE statement_date IS NULL
ORDER BY assertion_id, document, evidence_start
LIMIT $limit
"""


def undated_claims(con: duckdb.DuckDBPyConnection, filters: ClaimFilter, limit: int = 1000) -> pd.DataFrame:
    """Claims matching the filters whose statement date is unknown (never plotted at an invented date)."""
    return _frame(_run(con, UNDATED_CLAIMS_BODY, filters, limit=limit))


EVIDENCE_BODY = """
, chosen AS (
    SELECT * FROM filtered
    WHERE ($party_id::VARCHAR IS NULL OR party_id = $party_id::VARCHAR)
      AND ($stance::VARCHAR IS NULL OR stance = $stance::VARCHAR)
      AND ($day::DATE IS NULL OR statement_date = $day::DATE)
    ORDER BY statement_date NULLS LAST, document, evidence_start
    LIMIT $limit
)
SELECT f.claim_id, f.assertion_id, f.party, f.stance, f.speaker, f.speaker_role, f.outlet, f.title,
       f.statement_date, f.date_precision, f.published_date, f.certainty, f.confidence, f.link,
       -- Up to 400 characters either side; `in_sentence` trims them to the quote's sentence.
       substr(d.body, greatest(f.evidence_start - 400, 0) + 1,
              f.evidence_start - greatest(f.evidence_start - 400, 0)) AS before,
       substr(d.body, f.evidence_start + 1, f.evidence_end - f.evidence_start) AS evidence,
       substr(d.body, f.evidence_end + 1, 400) AS after
FROM chosen f
JOIN documents d ON d.id = f.document_id
ORDER BY f.statement_date NULLS LAST, f.document, f.evidence_start
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
    return _frame(_run(con, EVIDENCE_BODY, filters, party_id=party_id, stance=stance, day=day, limit=limit))


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
SELECT kind, value, label FROM filter_values
"""


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Return {kind: {value: label}} for the filters: every catalog assertion, and the parties, speakers,
    outlets and certainties of counted claims (sorted by name)."""
    out: dict[str, dict[str, str]] = {k: {} for k in ("assertion", "party", "speaker", "outlet", "certainty")}
    rows = con.execute(FILTER_OPTIONS_SQL).fetchall()
    for kind, value, label in rows:
        out[kind][value] = label if label is not None else value
    # Catalog order for assertions; names for the rest.
    return {k: (v if k == "assertion" else dict(sorted(v.items(), key=lambda kv: kv[1].lower())))
            for k, v in out.items()}


DATE_RANGE_SQL = "SELECT min(statement_date), max(statement_date) FROM claim_rows"


def date_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """Return the first and last known statement dates of counted claims (None, None when there are none)."""
    first, last = con.execute(DATE_RANGE_SQL).fetchone()
    return first, last


def read_model_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when the dashboard's derived tables match the stored claims (see pipeline/store/read_model.py)."""
    return read_model.is_current(con)


ASSERTION_SQL = "SELECT id, claim, counterclaim, notes FROM assertions WHERE id = ?"


def assertion(con: duckdb.DuckDBPyConnection, assertion_id: str) -> dict | None:
    """Return the catalog snapshot of one assertion (id, claim, counterclaim, notes), or None."""
    cursor = con.execute(ASSERTION_SQL, [assertion_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row))


UNKNOWN_PARTY_SPEAKERS_SQL = "SELECT * EXCLUDE (position) FROM unknown_party_speakers ORDER BY position"


def unknown_party_speakers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per speaker whose party is `unknown` (statements of originals): counts and an example quote.

    Precomputed by read_model.rebuild (it reads every statement).
    """
    return con.execute(UNKNOWN_PARTY_SPEAKERS_SQL).df()
