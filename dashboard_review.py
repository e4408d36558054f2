"""The dashboard's Review page: a queue of links to check, one at a time, and the reviewer's actions.

Layout only, like dashboard.py (which hands it its reads and filters): the queue and the link come
from pipeline.store.review_queries, a decision becomes a line of the review log
(pipeline.store.reviews) at once, and the database is republished with it in the background, so a
click never waits for a writer, and never fails because an ingest is running.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from pipeline.store import database, reviews
from pipeline.store.queries import ClaimFilter

QUEUE_LIMIT = 200
REASONS = {
    "near_threshold": "near the linking threshold",
    "disagrees_with_document": "stance differs from its article's",
    "busy_unknown_speaker": "busy speaker, party unknown",
    "new_since_review": "new since the last review",
}


def reviewer_name() -> str | None:
    """Return the reviewer's name: asked once per browser session, or $CLAIMS_REVIEWER."""
    if not st.session_state.get("reviewer"):
        st.session_state["reviewer"] = os.environ.get("CLAIMS_REVIEWER", "").strip()
    if st.session_state["reviewer"]:
        return st.session_state["reviewer"]
    name = st.text_input("Your name", key="reviewer_input", help="Kept with every review you make (asked once).")
    if name.strip():
        st.session_state["reviewer"] = name.strip()
        st.rerun()
    st.info("Give your name to start reviewing: every decision is recorded with who made it and when.")
    return None


_APPLYING = threading.Lock()


def apply_in_background(db: Path) -> None:
    """Republish the database with the reviews of its log, in a thread, unless one is at it already.

    The reviews are in the log already; republishing takes a writer round (or is left to the writer
    that holds the lock), which no page waits for. Also called when a page finds reviews the file
    does not have yet (a writer was killed before it could apply them). Not a daemon: a server
    stopping mid-round finishes publishing first.
    """
    if not _APPLYING.acquire(blocking=False):
        return

    def run() -> None:
        try:
            database.apply_pending_reviews(db, wait_seconds=0.0)
        finally:
            _APPLYING.release()

    threading.Thread(target=run).start()


def _record(db: Path, event: reviews.ReviewEvent, message: str) -> None:
    reviews.append(db, event)
    apply_in_background(db)
    st.session_state["review_message"] = message


def _pending_keys(db: Path) -> set[tuple[str, str, str]]:
    """The links reviewed in the log (applied or not): the queue skips them at once."""
    events, _ = reviews.read_log(db)
    return {(e.document_id, reviews.quote_key(e.quote), e.assertion_id) for e in events}


def review_page(read: Callable, filters_ui: Callable[[dict], ClaimFilter], db: Path,
                escape: Callable[[str], str]) -> None:
    """The page; `escape` makes text safe in Markdown (dashboard.md_escape: one rule for every page)."""
    global _escape
    _escape = escape
    st.title("Review")
    reviewer = reviewer_name()
    if reviewer is None:
        return
    st.caption(f"Reviewing as **{reviewer}**. Decisions are kept in `{reviews.log_path(db).name}` beside the "
               "database and survive every re-ingest and relink. Shortcuts: Y confirm, X reject, W wrong "
               "assertion, N next.")
    if st.session_state.get("review_message"):
        st.success(st.session_state.pop("review_message"))
    options = read("filter_options")
    choices = read("review_choices")
    filters = filters_ui(options)
    queue = read("review_queue", filters, limit=QUEUE_LIMIT)
    if not queue.empty:
        done = _pending_keys(db)
        keys = list(zip(queue["document_id"], queue["quote"].map(reviews.quote_key), queue["assertion_id"]))
        queue = queue[[key not in done for key in keys]].reset_index(drop=True)
    st.markdown(f"**{len(queue)}{'+' if len(queue) >= QUEUE_LIMIT - 1 else ''} links to check**")
    if queue.empty:
        st.success("Nothing left to review for these filters.")
    else:
        position = min(st.session_state.get("review_position", 0), len(queue) - 1)
        _item(read, db, reviewer, choices, queue.iloc[position].to_dict(), position, len(queue))
        with st.expander("The queue"):
            st.dataframe(queue[["assertion_id", "stance", "party", "speaker", "quote", "confidence", "priority"]],
                         hide_index=True, width="stretch")
    _orphans(read)


def _item(read: Callable, db: Path, reviewer: str, choices: dict, item: dict, position: int, total: int) -> None:
    with st.container(border=True, key="review-item"):
        reasons = [label for column, label in REASONS.items() if item.get(column)]
        st.caption(f"{position + 1} of {total} · " + (" · ".join(reasons) or "in the queue"))
        st.markdown(f"**{_text(item['speaker'], '(no speaker)')}** ({_text(item['party'], 'Unknown')}"
                    f"{', ' + _text(item.get('speaker_role'), '') if _text(item.get('speaker_role'), '') else ''}) "
                    f"**{item['stance']}** “{_text(choices['assertion'].get(item['assertion_id']), item['assertion_id'])}”")
        before, quote, after = read("paragraph_around", item["document_id"], int(item["evidence_start"]),
                                    int(item["evidence_end"]))
        st.markdown(f"{_text(before, '')}**{_text(quote, '')}**{_text(after, '')}")
        link = item.get("link") or ""
        day = "date unknown" if pd.isna(item["statement_date"]) else f"{pd.Timestamp(item['statement_date']):%Y-%m-%d}"
        st.caption(f"{_text(item.get('outlet'), 'outlet unknown')} · {_text(item.get('title'), 'untitled')} · {day} · "
                   f"confidence {item['confidence']:.2f}"
                   + (" (below the threshold: not counted yet)" if item["below_threshold"] else "")
                   + (f" · article stance: {item['document_stance']}" if item.get("document_stance") else ""))
        if link.startswith(("http://", "https://")):
            st.link_button("Open the source", link)
        else:
            st.caption(f"Source: `{link}`")

        link_row = {"claim_id": item["claim_id"], "document_id": item["document_id"], "quote": item["quote"],
                    "assertion_id": item["assertion_id"], "stance": item["stance"], "party_id": item["party_id"],
                    "review": "unreviewed"}
        buttons = st.columns(4)
        if buttons[0].button("Confirm", key="review-confirm", type="primary", shortcut="Y"):
            _record(db, reviews.link_review(link_row, choices, reviewer, confirm=True), "Confirmed.")
            st.rerun()
        if buttons[1].button("Reject: not a claim", key="review-reject", shortcut="X"):
            _record(db, reviews.link_review(link_row, choices, reviewer, reject="not a claim"), "Rejected.")
            st.rerun()
        if buttons[2].button("Reject: wrong assertion", key="review-wrong", shortcut="W"):
            _record(db, reviews.link_review(link_row, choices, reviewer, reject="wrong assertion"), "Rejected.")
            st.rerun()
        if buttons[3].button("Next", key="review-next", shortcut="N"):
            st.session_state["review_position"] = (position + 1) % total
            st.rerun()
        _corrections(db, reviewer, choices, link_row)
        _add_missed(read, db, reviewer, choices, item)


def _corrections(db: Path, reviewer: str, choices: dict, link_row: dict) -> None:
    with st.form("review-correct", border=False):
        columns = st.columns([1, 2, 3])
        stance = columns[0].radio("Stance", ["asserts", "denies"], index=["asserts", "denies"].index(link_row["stance"]),
                                  key="review-stance")
        parties = list(choices["party"])
        party = columns[1].selectbox("Party", parties, index=parties.index(link_row["party_id"])
                                     if link_row["party_id"] in parties else 0,
                                     format_func=lambda p: choices["party"].get(p, p), key="review-party")
        assertions = list(choices["assertion"])
        assertion = columns[2].selectbox("Assertion", assertions, index=assertions.index(link_row["assertion_id"])
                                         if link_row["assertion_id"] in assertions else 0,
                                         format_func=lambda a: choices["assertion"].get(a, a), key="review-assertion")
        note = st.text_input("Note", key="review-note")
        if st.form_submit_button("Save correction"):
            changes = {"stance": stance if stance != link_row["stance"] else None,
                       "party_id": party if party != link_row["party_id"] else None,
                       "assertion_id": assertion if assertion != link_row["assertion_id"] else None}
            events = [reviews.link_review(link_row, choices, reviewer, **{name: value}, note=note)
                      for name, value in changes.items() if value]
            if not events and note.strip():
                events = [reviews.link_review(link_row, choices, reviewer, note=note)]
            if not events:
                st.warning("Nothing changed: pick another stance, party or assertion, or write a note.")
                return
            for event in events:
                reviews.append(db, event)
            apply_in_background(db)
            st.session_state["review_message"] = f"Saved {len(events)} change{'s' if len(events) > 1 else ''}."
            st.rerun()


def _add_missed(read: Callable, db: Path, reviewer: str, choices: dict, item: dict) -> None:
    with st.expander("Add a link the linker missed, from this article"):
        statements = read("document_statements", item["document_id"])
        if statements.empty:
            st.caption("No statements in this article.")
            return
        labels = {row.statement_id: f"{_text(row.speaker, '(no speaker)')}: “{row.quote[:120]}”"
                  + (f" — counts for {row.linked_to}" if row.linked_to else "")
                  for row in statements.itertuples()}
        with st.form("review-add", border=False):
            statement_id = st.selectbox("Statement", list(labels), format_func=labels.get, key="review-add-statement")
            columns = st.columns([3, 1])
            assertion = columns[0].selectbox("Assertion", list(choices["assertion"]),
                                             format_func=lambda a: choices["assertion"].get(a, a),
                                             key="review-add-assertion")
            stance = columns[1].radio("Stance", ["asserts", "denies"], key="review-add-stance")
            if st.form_submit_button("Add the link"):
                row = statements[statements["statement_id"] == statement_id].iloc[0]
                statement = {"document_id": item["document_id"], "quote": row["quote"], "party_id": row["party_id"]}
                _record(db, reviews.added_link(statement, choices, reviewer, assertion, stance), "Link added.")
                st.rerun()


def _orphans(read: Callable) -> None:
    orphaned = read("orphaned_reviews")
    if not orphaned.empty:
        st.warning(f"{len(orphaned)} review(s) no longer match a statement (listed on Needs attention).")


def _text(value, default: str) -> str:
    """Return the value as Markdown-safe text, or the default for a missing one."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return default
    return _escape(str(value))


_escape: Callable[[str], str] = str
