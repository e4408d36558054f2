"""Orchestrates one ingest run: load -> clean -> metadata -> dedupe -> statements -> store.

Every stage is a function of its inputs; this module only wires them, counts what happened and
turns rejections into quarantine records, so one bad input never stops the run.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline.config import ARTICLE_EXTENSIONS, BATCH_EXTENSIONS, quarantine_dir
from pipeline.ingest import clean, dedupe, load, metadata
from pipeline.link.analyzer import Analysis, Analyzer
from pipeline.models import Document, QuarantineRecord, Strict
from pipeline.store import database


class IngestSummary(Strict):
    """What one run did; printed as the run's last line."""

    read: int = 0
    new: int = 0
    duplicates: int = 0
    unchanged: int = 0
    updated: int = 0
    quarantined: int = 0
    statements: int = 0
    claims: int = 0
    relinked: int = 0
    interrupted: bool = False

    def line(self) -> str:
        """Return the one-line summary shown at the end of a run."""
        text = (
            f"read {self.read}, new {self.new}, duplicates {self.duplicates}, unchanged {self.unchanged}, "
            f"updated {self.updated}, quarantined {self.quarantined}, statements {self.statements}, "
            f"claims {self.claims}"
        )
        if self.relinked:
            text += f" (catalog or actors changed: {self.relinked} documents relinked)"
        return text + (" (interrupted: everything before this point is stored)" if self.interrupted else "")

    @property
    def usable(self) -> int:
        """Return how many inputs ended up as stored documents (new, duplicate or already stored)."""
        return self.new + self.duplicates + self.unchanged + self.updated


def document_id(raw_sha256: str) -> str:
    """Return a document id: the first 16 hex digits of its raw input's SHA-256."""
    return raw_sha256[:16]


def build_document(raw: load.RawArticle) -> Document | load.Rejection:
    """Return the cleaned document with metadata for a raw article, or a rejection when it has no text."""
    cleaned = clean.clean(raw.text, raw.kind.value)
    if not cleaned.body.strip():
        what = "HTML page has no article text" if raw.kind.value == "html" else "no article text after cleaning"
        return load.Rejection(source=raw.source, source_path=raw.source_path, line=raw.line, reason=what,
                              raw=raw.text.encode())
    meta = metadata.extract_metadata(cleaned, raw.hints or None)
    return Document(
        id=document_id(raw.raw_sha256),
        source=raw.source,
        source_kind=raw.kind,
        url=meta.url,
        title=meta.title,
        outlet=meta.outlet,
        original_outlet=meta.original_outlet,
        original_url=meta.original_url,
        authors=meta.authors,
        published=meta.published,
        published_precision=meta.published_precision,
        body=cleaned.body,
        captions=cleaned.captions,
        raw_sha256=raw.raw_sha256,
    )


def find_original(con: duckdb.DuckDBPyConnection, body: str, fingerprint: dedupe.Fingerprint) -> str | None:
    """Return the id of a stored original this body copies (exactly or nearly), or None."""
    exact = database.find_exact_body(con, fingerprint.body_sha256)
    if exact:
        return exact
    for candidate_id, candidate_body in database.near_copy_candidates(con, fingerprint.bands):
        if dedupe.is_near_copy(body, candidate_body):
            return candidate_id
    return None


def quarantine(con: duckdb.DuckDBPyConnection, rejection: load.Rejection, db: Path) -> bool:
    """Keep the raw input under the quarantine folder and record why; return True if the record is new."""
    folder = quarantine_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    if rejection.copy_whole_file:
        digest, size = _hash_file(Path(rejection.source_path))
        copy = folder / digest
        if not copy.exists():
            shutil.copyfile(rejection.source_path, copy)
    else:
        digest, size = load.sha256(rejection.raw), len(rejection.raw)
        copy = folder / digest
        if not copy.exists():
            copy.write_bytes(rejection.raw)
    record_id = hashlib.sha256(f"{rejection.source}|{rejection.line}|{digest}".encode()).hexdigest()[:16]
    record = QuarantineRecord(
        id=record_id, source=rejection.source, line=rejection.line, reason=rejection.reason, raw_sha256=digest,
        raw_size=size, raw_copy=str(copy), quarantined_at=datetime.now(timezone.utc).replace(tzinfo=None),
    )
    return database.insert_quarantine(con, record)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class StopRequest:
    """Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop after the current document.

    DuckDB turns a SIGINT that lands inside a query into a "Query interrupted" error, so the run
    checks this flag between documents instead of relying on KeyboardInterrupt. A second signal
    stops at once; the working copy is then published with every document committed so far.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "StopRequest":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


def analysis_version(analyze: Analyzer) -> str:
    """Return a hash of what claims depend on besides the text: the catalog and the actors."""
    payload = analyze.catalog.model_dump_json() + analyze.actors.model_dump_json()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def sync_catalog(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None) -> int:
    """Store the catalog and parties; when they changed since the last run, relink every document.

    Returns how many documents were relinked.
    """
    version = analysis_version(analyze)
    if database.get_setting(con, "analysis_version") == version:
        return 0
    database.replace_catalog(con, analyze.catalog.assertions, analyze.actors.parties)
    count = relink(con, analyze, console) if database.get_setting(con, "analysis_version") is not None else 0
    database.set_setting(con, "analysis_version", version)
    return count


def relink(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None,
           reextract: bool = False) -> int:
    """Re-derive every stored document's parties, dates, claims and stances (one transaction each).

    The stored attributions are reused unless `reextract` asks to run attribution again (after a
    change to the extractor). Returns the number of documents.
    """
    ids = database.document_ids(con)
    progress = _progress(console, len(ids))
    with progress, StopRequest() as stop:
        task = progress.add_task("relinking", total=len(ids))
        for doc_id in ids:
            if stop.requested:
                raise KeyboardInterrupt
            document = database.load_document(con, doc_id)
            if reextract:
                result = analyze(document)
            else:
                result = analyze.derive(document, database.load_attributions(con, doc_id))
            database.replace_statements(con, doc_id, result.statements, result.claims)
            progress.advance(task)
    database.replace_catalog(con, analyze.catalog.assertions, analyze.actors.parties)
    database.set_setting(con, "analysis_version", analysis_version(analyze))
    fill_document_stances(con, analyze, console)
    return len(ids)


def fill_document_stances(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None,
                          chunk: int = 64) -> int:
    """Compute the stances of every document that lacks current ones, in chunks (one transaction each).

    Runs after the documents are stored; a run stopped before it leaves them for the next run.
    Returns how many documents were done.
    """
    version = analysis_version(analyze)
    ids = database.documents_needing_stances(con, version)
    progress = _progress(console, len(ids) // chunk + 1)
    with progress, StopRequest() as stop:
        task = progress.add_task("document stances", total=len(ids))
        for start in range(0, len(ids), chunk):
            if stop.requested:
                raise KeyboardInterrupt
            part = ids[start:start + chunk]
            documents = [database.load_document(con, doc_id) for doc_id in part]
            stances = analyze.document_stances(documents, database.linked_assertions(con, part))
            database.write_stances(con, part, stances, version)
            progress.advance(task, len(part))
    return len(ids)


def _progress(console: Console | None, total: int) -> Progress:
    console = console or Console(stderr=True, highlight=False)
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, transient=True, disable=total < 20 or not console.is_terminal,
    )


def passed_over_message(files: list[Path]) -> str:
    """Return the one line that says which files inside the folders given were not article files."""
    kinds = ", ".join(sorted({f.suffix.lower() or "(no extension)" for f in files}))
    article_types = " ".join(sorted(ARTICLE_EXTENSIONS | BATCH_EXTENSIONS))
    return (f"passed over {len(files)} file{'s' if len(files) != 1 else ''} of other types ({kinds}), e.g. {files[0]}; "
            f"ingested types: {article_types}")


def ingest(
    paths: list[Path],
    db: Path,
    analyze: Analyzer,
    manifest: Path | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    console: Console | None = None,
) -> IngestSummary:
    """Ingest files and folders into the database; return what happened. Never raises on bad input."""
    console = console or Console(stderr=True, highlight=False)
    summary = IngestSummary()
    passed_over: list[Path] = []
    files = list(load.discover(paths, passed_over))
    if passed_over:
        console.print(passed_over_message(passed_over), markup=False, soft_wrap=True)
    with database.writer(db) as con:
        summary.relinked = sync_catalog(con, analyze, console)
        manifest_hints: dict[str, dict[str, str]] = {}
        if manifest is not None:
            manifest_hints, bad_rows = load.load_manifest(manifest)
            for rejection in bad_rows:
                _report(console, rejection)
                quarantine(con, rejection, db)
        progress = _progress(console, len(files))
        try:
            with progress, StopRequest() as stop:
                task = progress.add_task("ingesting", total=len(files))
                for file, root in files:
                    for item in load.read_file(file, root, max_bytes, manifest_hints):
                        if stop.requested:
                            raise KeyboardInterrupt
                        summary.read += 1
                        _ingest_one(con, item, db, analyze, summary, console)
                    progress.advance(task)
            fill_document_stances(con, analyze, console)
        except KeyboardInterrupt:
            summary.interrupted = True
    return summary


def _ingest_one(con, item, db: Path, analyze: Analyzer, summary: IngestSummary, console: Console) -> None:
    if isinstance(item, load.Rejection):
        _report(console, item)
        quarantine(con, item, db)
        summary.quarantined += 1
        return
    doc_id = document_id(item.raw_sha256)
    built = build_document(item)
    if isinstance(built, load.Rejection):
        _report(console, built)
        quarantine(con, built, db)
        summary.quarantined += 1
        return
    stored = database.load_document(con, doc_id)
    if stored is not None:
        database.record_source(con, doc_id, item.source)
        hinted = apply_hints(stored, item.hints) if item.hints else stored
        if hinted != stored:
            _update(con, hinted, analyze)
            summary.updated += 1
        else:
            summary.unchanged += 1
        return
    fingerprint = dedupe.fingerprint(built.body)
    original_id = find_original(con, built.body, fingerprint)
    if original_id:
        original = database.load_document(con, original_id)
        built = fill_from_copy(built.model_copy(update={"duplicate_of": original_id}), original)
    result = analyze(built)
    database.insert_document(con, built, fingerprint, result.statements, result.claims)
    if original_id:
        filled = fill_from_copy(original, built)
        if filled != original:
            _update(con, filled, analyze)
        summary.duplicates += 1
    else:
        summary.new += 1
        summary.statements += len(result.statements)
        summary.claims += sum(1 for c in result.claims if not c.below_threshold)


def _update(con, document: Document, analyze: Analyzer) -> Analysis:
    # Statement dates hang on the publication date, so new metadata means re-extracting statements.
    database.update_metadata(con, document)
    result = analyze(document)
    database.replace_statements(con, document.id, result.statements, result.claims)
    return result


def apply_hints(document: Document, hints: dict[str, str]) -> Document:
    """Return the document with the fields a manifest or batch row supplies overriding stored ones."""
    from_hints = metadata.extract_metadata(clean.CleanedText(body=""), hints)
    update = {}
    for field, key in (("url", "url"), ("title", "title"), ("outlet", "outlet"), ("authors", "author")):
        if key in hints:
            update[field] = getattr(from_hints, field)
    if "published" in hints and from_hints.published is not None:
        update["published"] = from_hints.published
        update["published_precision"] = from_hints.published_precision
    return document.model_copy(update=update)


def fill_from_copy(document: Document, other: Document) -> Document:
    """Return the document with metadata it lacks taken from another copy of the same article.

    Two copies of one article share its publication date, title and authors: a clean-text copy with
    no date learns it from the page scrape, whichever of the two arrived first.
    """
    update = {}
    if document.published is None and other.published is not None:
        update["published"] = other.published
        update["published_precision"] = other.published_precision
    for field in ("title", "outlet", "original_outlet", "original_url"):
        if not getattr(document, field) and getattr(other, field):
            update[field] = getattr(other, field)
    if not document.authors and other.authors:
        update["authors"] = other.authors
    return document.model_copy(update=update)


def _report(console: Console, rejection: load.Rejection) -> None:
    console.print(f"quarantined {rejection.message()}", markup=False, soft_wrap=True)
