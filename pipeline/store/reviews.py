"""Reviews: the corrections a person makes, kept apart from everything the pipeline derives.

Every table of the database can be rebuilt from the articles, the catalog and the models; reviews
cannot. So they never live only in the database file, which every writer replaces (a run writes a
private copy and renames it over the published file, pipeline.store.database). They are appended,
one JSON line per change, to a log beside the database (`claims.duckdb.reviews.jsonl`):

- Appending is a single write of one line under an exclusive `flock` on the log, so the dashboard,
  the command line and an ingest never wait on each other (a database writer never touches the log)
  and no line is ever half-written or interleaved. Nothing is updated in place: a later change is a
  later line, and the log is the audit trail (who, when, what, before -> after).
- A review names what it corrects the way a person would: the document (its id is a hash of its
  text), the text the statement quotes, and the assertion, never only offsets or statement ids, which
  change with `--reextract` or a new model. Quotes are compared in a normal form (lower case, runs of
  letters and digits); a re-extracted statement whose quote holds the reviewed one, or is held by it,
  still matches. A review whose statement is gone is *orphaned*: listed, never dropped.
- Every database writer copies the log into its private file (`review_events`, and the folded
  `review_states`) just before it rebuilds the dashboard's tables, so whatever it publishes counts the
  reviews made up to then. A review appended while a writer runs is applied by that writer before it
  lets go of the writer lock, or by the review's own `apply_pending` if it finds the lock free: one of
  the two always sees the other (the reviewer appends, then tries the lock; the writer lets go, then
  looks at the log).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import Field

from pipeline.models import Stance, Strict
from pipeline.store.connection import insert_rows, utc_now

ReviewAction = Literal["confirm", "reject", "stance", "party", "assertion", "add", "note"]
ReviewStatus = Literal["confirmed", "rejected", "corrected", "added"]
REJECT_REASONS = ("not a claim", "wrong assertion")
SYNCED_KEY = "reviews_synced_bytes"


class ReviewEvent(Strict):
    """One change a reviewer made to one link (document, quote, assertion): one line of the log."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = Field(default_factory=utc_now)
    reviewer: str = Field(min_length=1)
    action: ReviewAction
    document_id: str
    quote: str = Field(min_length=1, description="the statement's content as it was shown")
    assertion_id: str = Field(description="the link's assertion (for `assertion`: the one it is moved from)")
    stance: Stance | None = None  # stance, add, assertion: the stance the link has after the change
    party_id: str | None = None  # party, add: the party after the change
    to_assertion_id: str | None = None  # assertion: the assertion the link is moved to
    reason: str | None = None  # reject: "not a claim" or "wrong assertion"
    note: str = ""
    claim_id: str | None = None  # the link's id when it was reviewed (for the record; matching uses the quote)
    before: dict[str, str | None] = {}  # the link as shown: stance, party_id, assertion_id


class ReviewState(Strict):
    """What the reviews of one link add up to."""

    document_id: str
    quote: str
    quote_key: str
    assertion_id: str
    status: ReviewStatus | None
    stance: Stance | None = None
    party_id: str | None = None
    reason: str | None = None
    note: str = ""
    reviewer: str
    reviewed_at: datetime
    events: int


_NOT_WORD = re.compile(r"[\W_]+")


def quote_key(text: str) -> str:
    """Return a quote's normal form: lower case, runs of letters and digits joined by one space.

    The database computes the same form (QUOTE_KEY_SQL) for the statements it matches against.
    """
    return _NOT_WORD.sub(" ", text.lower()).strip()


QUOTE_KEY_SQL = r"trim(regexp_replace(lower({column}), '[^\pL\pN]+', ' ', 'g'))"


def log_path(db: Path) -> Path:
    """Return the review log of a database: a file beside it, named after it (like its quarantine folder)."""
    db = Path(db)
    return db.parent / f"{db.name}.reviews.jsonl"


@contextlib.contextmanager
def _locked(path: Path, mode: str, exclusive: bool) -> Iterator:
    with open(path, mode, encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append(db: Path, event: ReviewEvent) -> ReviewEvent:
    """Append one review to the database's log (durable once this returns) and return it."""
    path = log_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = event.model_dump_json() + "\n"
    with _locked(path, "a", exclusive=True) as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return event


def read_log(db: Path) -> tuple[list[ReviewEvent], int]:
    """Return every review in the log, oldest first, and the log's size in bytes as read.

    A line that is not a review (edited by hand and broken) is skipped here and reported by
    `unreadable_lines`; it is never rewritten.
    """
    events, _, size = _parse_log(db)
    return events, size


def unreadable_lines(db: Path) -> list[int]:
    """Return the line numbers (1-based) of log lines that are not reviews."""
    return _parse_log(db)[1]


def _parse_log(db: Path) -> tuple[list[ReviewEvent], list[int], int]:
    path = log_path(db)
    if not path.exists():
        return [], [], 0
    with _locked(path, "r", exclusive=False) as handle:
        text = handle.read()
    events, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            events.append(ReviewEvent.model_validate_json(line))
        except ValueError:
            bad.append(number)
    return events, bad, len(text.encode("utf-8"))


def log_size(db: Path) -> int:
    """Return the log's size in bytes (0 when there is none)."""
    try:
        return log_path(db).stat().st_size
    except FileNotFoundError:
        return 0


def fold(events: list[ReviewEvent]) -> list[ReviewState]:
    """Return the state of every reviewed link after all its reviews, in the order first reviewed.

    - confirm: the link stands as shown (with any correction made before);
    - reject: the link is not counted (its reason kept); a later confirm or correction revives it;
    - stance / party: the link counts with the new value (status corrected, or added if a person made it);
    - assertion: the link is rejected as the wrong assertion and a link to the new one is added;
    - add: a link a person made from a statement;
    - note: a note only; the status stays.
    """
    states: dict[tuple[str, str, str], ReviewState] = {}

    def touch(event: ReviewEvent, assertion_id: str) -> ReviewState:
        key = (event.document_id, quote_key(event.quote), assertion_id)
        state = states.get(key)
        if state is None:
            state = states[key] = ReviewState(document_id=event.document_id, quote=event.quote, quote_key=key[1],
                                              assertion_id=assertion_id, status=None, reviewer=event.reviewer,
                                              reviewed_at=event.at, events=0)
        state.reviewer, state.reviewed_at, state.events = event.reviewer, event.at, state.events + 1
        if event.note:
            state.note = event.note
        return state

    for event in events:
        state = touch(event, event.assertion_id)
        if event.action == "confirm":
            state.status = "added" if state.status == "added" else (
                "corrected" if state.stance or state.party_id else "confirmed")
        elif event.action == "reject":
            state.status, state.reason = "rejected", event.reason or "not a claim"
        elif event.action == "stance":
            state.stance = event.stance
            state.status = "added" if state.status == "added" else "corrected"
        elif event.action == "party":
            state.party_id = event.party_id
            state.status = "added" if state.status == "added" else "corrected"
        elif event.action == "add":
            state.status, state.stance, state.party_id, state.reason = "added", event.stance, event.party_id, None
        elif event.action == "assertion":
            state.status, state.reason = "rejected", "wrong assertion"
            moved = touch(event, event.to_assertion_id or event.assertion_id)
            moved.status, moved.reason = "added", None
            moved.stance = event.stance or (Stance(event.before["stance"]) if event.before.get("stance") else None)
            moved.party_id = event.party_id or event.before.get("party_id")
    return list(states.values())


class ReviewRejected(ValueError):
    """A review that names something that does not exist (a stance, party or assertion), or is incomplete."""


def link_review(link: dict, choices: dict[str, dict[str, str]], reviewer: str, *, confirm: bool = False,
                reject: str | None = None, stance: str | None = None, party_id: str | None = None,
                assertion_id: str | None = None, note: str = "") -> ReviewEvent:
    """Return the review of one link (a row of review_queries.link) a reviewer asked for.

    Exactly one of confirm, reject (a reason), stance, party_id, assertion_id, or a note alone.
    """
    chosen = [name for name, value in (("confirm", confirm), ("reject", reject), ("stance", stance),
                                       ("party", party_id), ("assertion", assertion_id)) if value]
    if len(chosen) > 1:
        raise ReviewRejected(f"one change at a time: {', '.join(chosen)} given")
    if not chosen and not note.strip():
        raise ReviewRejected("nothing to record: confirm, reject, a stance, a party, an assertion or a note")
    action = chosen[0] if chosen else "note"
    if reject is not None and reject not in REJECT_REASONS:
        raise ReviewRejected(f"reject reason {reject!r} is not one of: {', '.join(REJECT_REASONS)}")
    _check(choices, stance=stance, party_id=party_id, assertion_id=assertion_id)
    if assertion_id is not None and assertion_id == link["assertion_id"]:
        raise ReviewRejected(f"the link is already to {assertion_id!r}")
    return ReviewEvent(
        reviewer=_reviewer(reviewer), action=action, document_id=link["document_id"], quote=link["quote"],
        assertion_id=link["assertion_id"], stance=stance or (link["stance"] if action == "assertion" else None),
        party_id=party_id, to_assertion_id=assertion_id, reason=reject, note=note.strip(),
        claim_id=link["claim_id"],
        before={"stance": link["stance"], "party_id": link["party_id"], "assertion_id": link["assertion_id"],
                "review": link.get("review")},
    )


def added_link(statement: dict, choices: dict[str, dict[str, str]], reviewer: str, assertion_id: str,
               stance: str, party_id: str | None = None, note: str = "") -> ReviewEvent:
    """Return the review that adds a link the linker missed, from a statement to an assertion."""
    if not assertion_id or not stance:
        raise ReviewRejected("a link added from a statement needs an assertion and a stance")
    _check(choices, stance=stance, party_id=party_id, assertion_id=assertion_id)
    return ReviewEvent(
        reviewer=_reviewer(reviewer), action="add", document_id=statement["document_id"], quote=statement["quote"],
        assertion_id=assertion_id, stance=stance, party_id=party_id or statement["party_id"], note=note.strip(),
        before={"stance": None, "party_id": statement["party_id"], "assertion_id": None, "review": None},
    )


def _reviewer(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ReviewRejected("who is reviewing? give --reviewer NAME or set $CLAIMS_REVIEWER")
    return name


def _check(choices: dict[str, dict[str, str]], stance: str | None, party_id: str | None,
           assertion_id: str | None) -> None:
    if stance is not None and stance not in {s.value for s in Stance}:
        raise ReviewRejected(f"stance {stance!r} is not one of: asserts, denies")
    if party_id is not None and party_id not in choices["party"]:
        raise ReviewRejected(f"party {party_id!r} is not in the actors file (known: {', '.join(choices['party'])})")
    if assertion_id is not None and assertion_id not in choices["assertion"]:
        raise ReviewRejected(f"assertion {assertion_id!r} is not in the catalog")


# --- the database side ------------------------------------------------------------------------


def sync(con: duckdb.DuckDBPyConnection, db: Path) -> int:
    """Copy the log into the writer's database: every event, and the state of every reviewed link.

    Runs in the writer's private file, before the dashboard's tables are rebuilt; returns the log's
    size as read, which is recorded so that a later review is known to be pending.
    """
    events, size = read_log(db)
    states = fold(events)
    con.execute("DELETE FROM review_events")
    con.execute("DELETE FROM review_states")
    if events:
        insert_rows(con, "review_events", [
            [i, e.id, e.at, e.reviewer, e.action, e.document_id, e.quote, e.assertion_id,
             e.stance.value if e.stance else None, e.party_id, e.to_assertion_id, e.reason, e.note, e.claim_id,
             json.dumps(e.before)]
            for i, e in enumerate(events, start=1)
        ])
    if states:
        insert_rows(con, "review_states", [
            [s.document_id, s.quote, s.quote_key, s.assertion_id, s.status, s.stance.value if s.stance else None,
             s.party_id, s.reason, s.note, s.reviewer, s.reviewed_at, s.events]
            for s in states
        ])
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [SYNCED_KEY, str(size)])
    return size


def synced_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """Return how much of the log the database has applied (0 for a file older than reviews)."""
    with contextlib.suppress(duckdb.Error):
        row = con.execute("SELECT value FROM settings WHERE key = ?", [SYNCED_KEY]).fetchone()
        return int(row[0]) if row else 0
    return 0


# How reviews reach the claims, as views (created by migration m009), so every reader of claims —
# the read model's rebuild, exports, `assertions`, counts — applies them the same way:
# - review_matches: each reviewed link's statement now: same document, same quote in normal form, or
#   (quotes of 20 characters or more) one quote holding the other; the closest such statement wins.
#   A reviewed link with no row here is orphaned.
# - reviewed_links: one review per (statement, assertion): the latest, should two match one statement.
# - reviewed_claims: the claims as counted: rejected links left out, stance and party as corrected,
#   links a person added (with confidence 1.0: a person decided), a reviewed link never below the
#   threshold; `review` is unreviewed / confirmed / corrected / added, and the proposed values stay.
_STATEMENT_KEY = QUOTE_KEY_SQL.format(column="s.content_text")
VIEWS = [
    f"""
    CREATE VIEW review_matches AS
    WITH reviewed_statements AS (
        SELECT s.id AS statement_id, s.document_id, {_STATEMENT_KEY} AS statement_key
        FROM statements s
        WHERE s.document_id IN (SELECT document_id FROM review_states)
    ), candidates AS (
        SELECT r.*, rs.statement_id,
               CASE WHEN rs.statement_key = r.quote_key THEN 0
                    ELSE 1 + abs(length(rs.statement_key) - length(r.quote_key)) END AS distance
        FROM review_states r
        JOIN reviewed_statements rs ON rs.document_id = r.document_id
         AND (rs.statement_key = r.quote_key
              OR (length(r.quote_key) >= 20 AND length(rs.statement_key) >= 20
                  AND (contains(rs.statement_key, r.quote_key) OR contains(r.quote_key, rs.statement_key))))
    )
    SELECT * EXCLUDE (distance) FROM candidates
    QUALIFY row_number() OVER (PARTITION BY document_id, quote_key, assertion_id ORDER BY distance, statement_id) = 1
    """,
    """
    CREATE VIEW reviewed_links AS
    SELECT * FROM review_matches
    WHERE status IS NOT NULL OR note <> ''
    QUALIFY row_number() OVER (PARTITION BY statement_id, assertion_id ORDER BY reviewed_at DESC) = 1
    """,
    """
    CREATE VIEW reviewed_claims AS
    SELECT c.id, c.statement_id, c.document_id, c.assertion_id,
           coalesce(r.stance, c.stance) AS stance, c.confidence, c.relatedness,
           c.below_threshold AND r.status IS NULL AS below_threshold,
           coalesce(r.party_id, c.party_id) AS party_id,
           c.statement_date, c.date_precision, c.certainty, c.evidence_start, c.evidence_end,
           c.speaker, c.quote_excerpt,
           coalesce(r.status, 'unreviewed') AS review, r.reviewer, r.reviewed_at, r.note AS review_note,
           c.stance AS proposed_stance, c.party_id AS proposed_party_id, c.below_threshold AS proposed_below_threshold
    FROM claims c
    LEFT JOIN reviewed_links r ON r.statement_id = c.statement_id AND r.assertion_id = c.assertion_id
    WHERE r.status IS DISTINCT FROM 'rejected'
    UNION ALL
    SELECT left(sha256(s.id || '|' || r.assertion_id), 16), s.id, s.document_id, r.assertion_id,
           coalesce(r.stance, 'asserts'), 1.0, 1.0, FALSE,
           coalesce(r.party_id, s.party_id),
           s.statement_date, s.date_precision, s.certainty, s.content_start, s.content_end,
           coalesce(s.speaker_name, s.speaker_text), left(s.content_text, 160),
           'added', r.reviewer, r.reviewed_at, r.note,
           NULL, NULL, NULL
    FROM reviewed_links r
    JOIN statements s ON s.id = r.statement_id
    WHERE r.status = 'added'
      AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.statement_id = r.statement_id AND c.assertion_id = r.assertion_id)
    """,
]
