"""DuckDB: the single-writer protocol, and every write the pipeline makes.

DuckDB allows one writing process, and while it holds the file no other process may open it, even
read-only. So writers never write the published file: a run copies it to a private working file,
writes there (one transaction per document) and atomically renames it over the published file when
it ends, or is interrupted. Readers (the dashboard) open the published file read-only and are never
blocked; a killed run leaves the published file exactly as it was. A lock file serialises writers.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.ingest.dedupe import Fingerprint
from pipeline.models import (
    Assertion,
    Attribution,
    Claim,
    Document,
    DocumentStance,
    Party,
    QuarantineRecord,
    Span,
    Statement,
)
from pipeline.store import read_model, reviews
from pipeline.store.connection import (
    StoreBusy,
    Unwritable,
    insert_rows,
    raise_if_not_a_database,
    transaction,
    utc_now,
)
from pipeline.store.migrations import migrate


@contextlib.contextmanager
def writer(path: Path, wait_seconds: float = 600.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the database; publish it atomically on exit.

    Publication also happens on Ctrl-C and on errors: every committed document is whole, so what
    was written is worth keeping. A killed process never publishes; its working file is removed by
    the next writer. Reviews appended to the review log while the writer ran are applied before it
    lets go of the lock (pipeline/store/reviews.py says why that is enough).
    """
    path = Path(path)
    with _writer_lock(path, wait_seconds):
        with _private_copy(path) as (con, _):
            yield con
        _apply_reviews_locked(path)
    if _reviews_pending(path):
        apply_pending_reviews(path, wait_seconds=0.0)


def apply_pending_reviews(path: Path, wait_seconds: float = 0.0) -> bool:
    """Publish the database with every review in its log applied; return False when another writer holds it.

    That writer applies them before it lets go (see `writer`), so a busy database loses nothing.
    """
    path = Path(path)
    if not path.exists():
        return True
    try:
        with _writer_lock(path, wait_seconds):
            _apply_reviews_locked(path)
    except StoreBusy:
        return False
    return True


def _apply_reviews_locked(path: Path, rounds: int = 5) -> None:
    # Each round copies the log as it is then; a review appended during a round makes another. The
    # rounds are bounded: a file whose rebuild fails would otherwise never catch up.
    for _ in range(rounds):
        if not _reviews_pending(path):
            return
        with _private_copy(path):
            pass


def _reviews_pending(path: Path) -> bool:
    size = reviews.log_size(path)
    return bool(size) and path.exists() and size > _published_reviews(path)


def _published_reviews(path: Path) -> int:
    """Return how many bytes of the review log the published file has applied."""
    if not path.exists():
        return 0
    try:
        with contextlib.closing(duckdb.connect(str(path), read_only=True)) as con:
            return reviews.synced_bytes(con)
    except duckdb.Error:
        return 0


@contextlib.contextmanager
def _writer_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a+")
    except OSError as exc:
        raise Unwritable(f"{path}: cannot write a database there ({exc.strerror or exc})") from None
    with lock:
        _acquire(lock, path, wait_seconds)
        yield


@contextlib.contextmanager
def _private_copy(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """Yield a connection to a private copy of the published file, then rebuild, publish and close it."""
    working = path.with_name(f"{path.name}.writing-{os.getpid()}")
    _remove_stale_working_files(path)
    if path.exists():
        shutil.copyfile(path, working)
    try:
        con = duckdb.connect(str(working))
    except duckdb.IOException as exc:
        working.unlink(missing_ok=True)
        raise_if_not_a_database(path, exc)
        raise
    # DuckDB draws its own progress bar on long statements (the read-model rebuild on a big file);
    # the commands report progress themselves.
    con.execute("SET enable_progress_bar = false")
    try:
        migrate(con)
        read_model.mark_stale(con)
        yield con, working
    finally:
        # The dashboard's tables are rebuilt from what was written and the reviews made so far, even
        # after Ctrl-C; if that fails too, the published file says they are stale and the dashboard warns.
        # Apart: a review log that cannot be read must not keep the dashboard's tables from the claims.
        with contextlib.suppress(Exception), transaction(con):
            reviews.sync(con, path)
        with contextlib.suppress(Exception), transaction(con):
            read_model.rebuild(con)
        with contextlib.suppress(Exception):
            con.execute("CHECKPOINT")
        con.close()
        os.replace(working, path)
        wal = working.with_name(working.name + ".wal")
        with contextlib.suppress(FileNotFoundError):
            wal.unlink()


def _acquire(lock, path: Path, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise StoreBusy(f"{path}: another process is writing this database") from None
            time.sleep(0.2)


def _remove_stale_working_files(path: Path) -> None:
    # Only called with the writer lock held, so any working file left is from a killed writer.
    for stale in path.parent.glob(f"{glob.escape(path.name)}.writing-*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def remove_dead_writers_files(path: Path) -> list[Path]:
    """Remove the working files (and their WAL) that killed writers left beside the database; return them.

    Safe without the writer lock: a file is removed only when the process its name carries is gone.
    """
    removed = []
    for working in Path(path).parent.glob(f"{glob.escape(Path(path).name)}.writing-*"):
        pid = working.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(FileNotFoundError):
            working.unlink()
            removed.append(working)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


# --- writes -----------------------------------------------------------------------------------


def load_document(con: duckdb.DuckDBPyConnection, document_id: str) -> Document | None:
    """Return a stored document, or None."""
    cursor = con.execute(
        "SELECT id, source, source_kind, url, title, outlet, original_outlet, original_url, authors, published, "
        "published_precision, body, captions, raw_sha256, duplicate_of FROM documents WHERE id = ?",
        [document_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cursor.description]
    return Document(**dict(zip(names, row)))


def find_exact_body(con: duckdb.DuckDBPyConnection, body_sha256: str) -> str | None:
    """Return the id of the original stored document with this normalised body, if any."""
    row = con.execute(
        "SELECT coalesce(duplicate_of, id) FROM documents WHERE body_sha256 = ? ORDER BY ingested_at LIMIT 1",
        [body_sha256],
    ).fetchone()
    return row[0] if row else None


def near_copy_candidates(con: duckdb.DuckDBPyConnection, bands: list[int]) -> list[tuple[str, str]]:
    """Return (id, body) of original documents sharing an LSH band with the given fingerprint."""
    if not bands:
        return []
    return con.execute(
        """
        SELECT d.id, d.body
        FROM documents d
        WHERE d.duplicate_of IS NULL
          AND d.id IN (SELECT document_id FROM document_bands WHERE band IN (SELECT unnest(?::UBIGINT[])))
        ORDER BY d.ingested_at
        """,
        [bands],
    ).fetchall()


def insert_document(
    con: duckdb.DuckDBPyConnection,
    document: Document,
    fingerprint: Fingerprint,
    statements: list[Statement],
    claims: list[Claim],
) -> None:
    """Store a document, its band buckets, source, statements and claims in one transaction."""
    now = utc_now()
    with transaction(con):
        con.execute(
            """
            INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
            """,
            [
                document.id, document.source, document.source_kind.value, document.url, document.title,
                document.outlet, document.original_outlet, document.original_url, document.authors,
                document.published, document.published_precision.value, document.body, document.captions,
                document.raw_sha256, fingerprint.body_sha256, document.duplicate_of, now,
            ],
        )
        if document.duplicate_of is None and fingerprint.bands:
            insert_rows(con, "document_bands", [[document.id, band] for band in fingerprint.bands])
        con.execute("INSERT INTO document_sources VALUES (?, ?, ?)", [document.id, document.source, now])
        _insert_statements(con, statements)
        _insert_claims(con, claims)


def _insert_statements(con: duckdb.DuckDBPyConnection, statements: list[Statement]) -> None:
    insert_rows(
        con, "statements",
        [
            [
                s.id, s.document_id,
                s.speaker.text if s.speaker else None,
                s.speaker.start if s.speaker else None,
                s.speaker.end if s.speaker else None,
                s.speaker_name, s.speaker_role, s.party_id,
                s.cue.text, s.cue.start, s.cue.end,
                s.content.text, s.content.start, s.content.end,
                s.direct, s.certainty, s.statement_date, s.date_precision.value,
            ]
            for s in statements
        ],
    )


def replace_statements(con: duckdb.DuckDBPyConnection, document_id: str, statements: list[Statement],
                       claims: list[Claim]) -> None:
    """Replace one document's statements and claims in one transaction; its stances become stale."""
    with transaction(con):
        con.execute("DELETE FROM claims WHERE document_id = ?", [document_id])
        con.execute("DELETE FROM statements WHERE document_id = ?", [document_id])
        con.execute("DELETE FROM document_stances WHERE document_id = ?", [document_id])
        con.execute("UPDATE documents SET stances_version = NULL WHERE id = ?", [document_id])
        _insert_statements(con, statements)
        _insert_claims(con, claims)


def documents_needing_stances(con: duckdb.DuckDBPyConnection, version: str) -> list[str]:
    """Return ids of documents whose stances were not computed for this catalog and actors."""
    return [r[0] for r in con.execute(
        "SELECT id FROM documents WHERE stances_version IS DISTINCT FROM ? ORDER BY ingested_at, id", [version]
    ).fetchall()]


def linked_assertions(con: duckdb.DuckDBPyConnection, document_ids: list[str]) -> dict[str, set[str]]:
    """Return {document id: assertion ids its statements speak to above the threshold}."""
    rows = con.execute(
        "SELECT DISTINCT document_id, assertion_id FROM claims WHERE NOT below_threshold "
        "AND document_id IN (SELECT unnest(?::VARCHAR[]))",
        [document_ids],
    ).fetchall()
    out: dict[str, set[str]] = {}
    for document_id, assertion_id in rows:
        out.setdefault(document_id, set()).add(assertion_id)
    return out


def write_stances(con: duckdb.DuckDBPyConnection, document_ids: list[str], stances: list[DocumentStance],
                  version: str) -> None:
    """Replace the stances of some documents and mark them current, in one transaction."""
    with transaction(con):
        con.execute("DELETE FROM document_stances WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
                    [document_ids])
        if stances:
            insert_rows(con, "document_stances",
                         [[s.document_id, s.assertion_id, s.stance.value, s.confidence] for s in stances])
        con.execute("UPDATE documents SET stances_version = ? WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                    [version, document_ids])


def _insert_claims(con: duckdb.DuckDBPyConnection, claims: list[Claim]) -> None:
    insert_rows(
        con, "claims",
        [
            [c.id, c.statement_id, c.document_id, c.assertion_id, c.stance.value, c.confidence, c.relatedness,
             c.below_threshold, c.party_id, c.statement_date, c.date_precision.value, c.certainty,
             c.evidence_start, c.evidence_end, c.speaker, c.quote_excerpt]
            for c in claims
        ],
    )


def replace_catalog(con: duckdb.DuckDBPyConnection, assertions: list[Assertion], parties: list[Party]) -> None:
    """Replace the stored snapshots of the catalog and the parties in one transaction."""
    with transaction(con):
        con.execute("DELETE FROM assertions")
        con.executemany(
            "INSERT INTO assertions VALUES (?, ?, ?, ?, ?)",
            [[a.id, a.claim, a.counterclaim, a.notes, i] for i, a in enumerate(assertions)],
        )
        con.execute("DELETE FROM parties")
        con.executemany("INSERT INTO parties VALUES (?, ?, ?)", [[p.id, p.name, p.kind] for p in parties])


def get_setting(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """Return a stored setting, or None."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Store a setting."""
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])


def load_attributions(con: duckdb.DuckDBPyConnection, document_id: str) -> list[Attribution]:
    """Return a document's stored statements as attributions, in text order (for relinking)."""
    rows = con.execute(
        "SELECT speaker_text, speaker_start, speaker_end, speaker_name, speaker_role, cue_text, cue_start, cue_end, "
        "content_text, content_start, content_end, direct, certainty FROM statements WHERE document_id = ? "
        "ORDER BY cue_start, content_start",
        [document_id],
    ).fetchall()
    return [
        Attribution(
            speaker=Span(text=r[0], start=r[1], end=r[2]) if r[0] is not None else None,
            speaker_name=r[3], speaker_role=r[4],
            cue=Span(text=r[5], start=r[6], end=r[7]),
            content=Span(text=r[8], start=r[9], end=r[10]),
            direct=r[11], certainty=r[12],
        )
        for r in rows
    ]


def document_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return every stored document id, oldest first."""
    return [r[0] for r in con.execute("SELECT id FROM documents ORDER BY ingested_at, id").fetchall()]


def update_metadata(con: duckdb.DuckDBPyConnection, document: Document) -> bool:
    """Update a stored document's metadata when it differs (e.g. a manifest now supplies it); return True if changed."""
    current = con.execute(
        "SELECT url, title, outlet, original_outlet, original_url, authors, published, published_precision "
        "FROM documents WHERE id = ?",
        [document.id],
    ).fetchone()
    wanted = (
        document.url, document.title, document.outlet, document.original_outlet, document.original_url,
        document.authors, document.published, document.published_precision.value,
    )
    if current is None or tuple(current) == wanted:
        return False
    con.execute(
        "UPDATE documents SET url = ?, title = ?, outlet = ?, original_outlet = ?, original_url = ?, authors = ?, "
        "published = ?, published_precision = ? WHERE id = ?",
        [*wanted, document.id],
    )
    return True


def record_source(con: duckdb.DuckDBPyConnection, document_id: str, source: str) -> None:
    """Remember another place the same document was found (no-op when already known)."""
    con.execute(
        "INSERT INTO document_sources VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [document_id, source, utc_now()]
    )


def insert_quarantine(con: duckdb.DuckDBPyConnection, record: QuarantineRecord) -> bool:
    """Store a quarantine record unless the same input was already quarantined; return True if new."""
    exists = con.execute("SELECT 1 FROM quarantine WHERE id = ?", [record.id]).fetchone()
    if exists:
        return False
    con.execute(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [record.id, record.source, record.line, record.reason, record.raw_sha256, record.raw_size,
         record.raw_copy, record.quarantined_at],
    )
    return True


def reviewed_examples(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None, str | None]]:
    """Return (document id, statement id, assertion id, stance or None for a rejection, party) of every reviewed link.

    The stance and the party are the link's after review (a correction, or the linker's when confirmed).
    Links of copies are left out: a copy's statements never count.
    """
    return con.execute(
        """
        SELECT r.document_id, r.statement_id, r.assertion_id,
               CASE WHEN r.status = 'rejected' THEN NULL ELSE coalesce(r.stance, c.stance) END,
               coalesce(r.party_id, c.party_id, s.party_id)
        FROM reviewed_links r
        JOIN documents d ON d.id = r.document_id AND d.duplicate_of IS NULL
        LEFT JOIN statements s ON s.id = r.statement_id
        LEFT JOIN claims c ON c.statement_id = r.statement_id AND c.assertion_id = r.assertion_id
        WHERE r.status IS NOT NULL AND (r.status = 'rejected' OR coalesce(r.stance, c.stance) IS NOT NULL)
        ORDER BY r.reviewed_at, r.document_id, r.statement_id, r.assertion_id
        """
    ).fetchall()
