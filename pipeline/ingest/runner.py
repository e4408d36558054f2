"""Orchestrates one ingest run: discover -> load -> (worker: clean, metadata, statements) -> dedupe -> store.

Every stage is a function of its inputs; this module only wires them, counts what happened and
turns rejections into quarantine records, so one bad input never stops the run.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path, PurePath

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from pipeline.config import ARTICLE_EXTENSIONS, BATCH_EXTENSIONS, DEFAULT_DOCUMENT_SECONDS, ERROR_LOG, SECONDS_PER_MB, quarantine_dir
from pipeline.extract.parties import UNKNOWN_PARTY_ID
from pipeline.ingest import clean, dedupe, discover, load, metadata
from pipeline.ingest.documents import document_id
from pipeline.ingest.pool import InProcess, Outcome, Request, WorkerPool
from pipeline.ingest.worker import DocumentFailed, DocumentTimeout, collection_paused
from pipeline.link.analyzer import Analysis, Analyzer
from pipeline.models import AssertionExample, Document, QuarantineRecord, Strict
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
    skipped: int = 0  # entries of the folders given that are not articles (hidden, other types): not read
    interrupted: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """Return the one-line summary shown at the end of a run."""
        text = (
            f"read {self.read}, new {self.new}, duplicates {self.duplicates}, unchanged {self.unchanged}, "
            f"updated {self.updated}, quarantined {self.quarantined}, statements {self.statements}, "
            f"claims {self.claims}"
        )
        if self.skipped:
            text += f", skipped {self.skipped}"
        if self.relinked:
            text += f" (catalog or actors changed: {self.relinked} documents relinked)"
        if self.seconds:
            text += f"; {self.seconds:.1f} s, {_rate(self.read / self.seconds)} inputs/s"
        return text + (" (interrupted: everything before this point is stored)" if self.interrupted else "")

    @property
    def usable(self) -> int:
        """Return how many inputs ended up as stored documents (new, duplicate or already stored)."""
        return self.new + self.duplicates + self.unchanged + self.updated


def find_original(con: duckdb.DuckDBPyConnection, body: str, fingerprint: dedupe.Fingerprint) -> str | None:
    """Return the id of a stored original this body copies (exactly or nearly), or None."""
    exact = database.find_exact_body(con, fingerprint.body_sha256)
    if exact:
        return exact
    for candidate_id, candidate_body in database.near_copy_candidates(con, fingerprint.bands):
        if dedupe.is_near_copy(body, candidate_body):
            return candidate_id
    return None


def quarantine(con: duckdb.DuckDBPyConnection, rejection: load.Rejection, db: Path) -> str:
    """Keep the raw input under the quarantine folder and record why; return the record's id.

    The copy is the input's bytes exactly: the whole file, or a batch row's own bytes. An input with no
    bytes to keep (unreadable, a FIFO, a link refused) is recorded with size 0 and no copy.
    """
    folder = quarantine_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    reason = rejection.reason
    digest, size, copy = load.sha256(b""), 0, None
    if rejection.copy_whole_file:
        try:
            digest, size = _hash_file(Path(rejection.source_path))
            copy = folder / digest
            if not copy.exists():
                shutil.copyfile(rejection.source_path, copy)
        except OSError as exc:
            reason += f" (raw bytes not kept: {exc.strerror or exc})"
            digest, size, copy = load.sha256(b""), 0, None
    elif not rejection.no_raw:
        digest, size = load.sha256(rejection.raw), len(rejection.raw)
        copy = folder / digest
        if not copy.exists():
            copy.write_bytes(rejection.raw)
    record_id = hashlib.sha256(f"{rejection.source}|{rejection.line}|{digest}".encode()).hexdigest()[:16]
    record = QuarantineRecord(
        id=record_id, source=rejection.source, line=rejection.line, reason=reason, raw_sha256=digest,
        raw_size=size, raw_copy=str(copy) if copy is not None else None,
        quarantined_at=datetime.now(timezone.utc).replace(tzinfo=None),
    )
    database.insert_quarantine(con, record)
    return record_id


def log_error(db: Path, record_id: str, details: str) -> None:
    """Append a failure's traceback to the error log beside the quarantine copies."""
    folder = quarantine_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open(folder / ERROR_LOG, "a", encoding="utf-8", errors="backslashreplace") as log:
        log.write(f"--- {stamp} quarantine record {record_id}\n{details.rstrip()}\n")


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
    A StopRequest entered inside another shares its flag (the stances of an ingest, a relink inside
    an ingest), so the workers of the outer run see a signal whichever part of it is running.
    """

    _active: "StopRequest | None" = None

    def __init__(self) -> None:
        self._requested = False
        self._outer: StopRequest | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self._outer.requested if self._outer is not None else self._requested

    def __enter__(self) -> "StopRequest":
        if StopRequest._active is not None:
            self._outer = StopRequest._active
            return self
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
            StopRequest._active = self
        return self

    def __exit__(self, *exc) -> None:
        if self._outer is not None:
            return
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        if StopRequest._active is self:
            StopRequest._active = None

    def _handle(self, signum, frame) -> None:
        if self._requested:
            raise KeyboardInterrupt
        self._requested = True


def analysis_version(analyze: Analyzer) -> str:
    """Return a hash of what claims depend on besides the text: the catalog and the actors.

    Reviewed examples are left out: a review must not make the next ingest relink a whole archive;
    `relink` applies them (with_review_examples).
    """
    catalog = analyze.catalog.model_dump_json(exclude={"assertions": {"__all__": {"examples"}}})
    payload = catalog + analyze.actors.model_dump_json()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def with_review_examples(con: duckdb.DuckDBPyConnection, analyze: Analyzer) -> Analyzer:
    """Return the analyzer with every reviewed link of the database as a labelled example of its assertion.

    An example is the reviewed statement as the linker reads it (its sentence, and its context when it
    is bare), with the stance it has after review, or none when the link was rejected; the linker then
    lets statements that read almost the same follow the verdict (contextual.ExampleIndex).
    """
    rows = database.reviewed_examples(con)
    if not rows:
        return analyze
    readings: dict[str, dict[str, str]] = {}
    examples: dict[str, list[AssertionExample]] = {}
    known = {a.id for a in analyze.catalog.assertions}
    for document_id, statement_id, assertion_id, stance, party_id in rows:
        if assertion_id not in known:
            continue
        if document_id not in readings:
            document = database.load_document(con, document_id)
            readings[document_id] = analyze.readings(document, database.load_attributions(con, document_id)) \
                if document else {}
        text = readings[document_id].get(statement_id)
        if text:
            examples.setdefault(assertion_id, []).append(AssertionExample(
                text=text, stance=stance, party_id=None if party_id == UNKNOWN_PARTY_ID else party_id))
    return analyze.with_examples(examples)


def sync_catalog(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None,
                 workers: int = 0) -> int:
    """Store the catalog and parties; when they changed since the last run, relink every document.

    Returns how many documents were relinked.
    """
    version = analysis_version(analyze)
    if database.get_setting(con, "analysis_version") == version:
        return 0
    database.replace_catalog(con, analyze.catalog.assertions, analyze.actors.parties)
    if database.get_setting(con, "analysis_version") is None:  # a new database: nothing to relink
        database.set_setting(con, "analysis_version", version)
        return 0
    return relink(con, analyze, console, workers=workers)  # it stores the version when every document is done


# Fewer documents than this are relinked in this process: starting workers (seconds each, to load the
# models) would cost more than sharing the work saves.
PARALLEL_RELINK_MIN = 64


def relink(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None,
           reextract: bool = False, workers: int = 0) -> int:
    """Re-derive every stored document's parties, dates, claims and stances (one transaction each).

    The stored attributions are reused unless `reextract` asks to run attribution again (after a
    change to the extractor). Many documents are shared among `workers` processes (default: one per
    core); a document whose relinking fails keeps what it had, and is named. Returns the number of
    documents.
    """
    console = console or Console(stderr=True, highlight=False)
    analyze = with_review_examples(con, analyze)
    ids = database.document_ids(con)
    progress = _progress(console, len(ids))
    parallel = workers != 1 and len(ids) >= PARALLEL_RELINK_MIN
    with progress, StopRequest() as stop, _relink_pool(analyze, workers, parallel, lambda: stop.requested) as pool:
        task = progress.add_task("relinking", total=len(ids))
        failed = 0
        for doc_id, result in _relinked(con, ids, reextract, pool):
            if stop.requested:
                raise KeyboardInterrupt
            if isinstance(result, Exception):
                failed += 1
                console.print(f"document {doc_id} keeps its earlier statements: relinking failed: "
                              f"{_failure_reason(result)}", markup=False, soft_wrap=True)
            else:
                database.replace_statements(con, doc_id, result.statements, result.claims)
            progress.advance(task)
        database.replace_catalog(con, analyze.catalog.assertions, analyze.actors.parties)
        if failed:
            # Their claims still follow the earlier catalog: the stored version stays as it was, so the
            # next ingest (or relink) relinks again instead of taking the database as current.
            console.print(f"{failed} document{'s' if failed != 1 else ''} could not be relinked; run relink again",
                          markup=False)
        else:
            database.set_setting(con, "analysis_version", analysis_version(analyze))
        fill_document_stances(con, analyze, console, pool=pool)
    return len(ids)


def _relink_pool(analyze: Analyzer, workers: int, parallel: bool, should_stop) -> WorkerPool | InProcess:
    if not parallel:
        return InProcess(analyze)
    return WorkerPool(analyze.actors, analyze.catalog, workers, should_stop)


def _failure_reason(exc: Exception) -> str:
    return "took too long" if isinstance(exc, DocumentTimeout) else getattr(exc, "reason", str(exc))


def _relinked(con, ids: list[str], reextract: bool, pool: WorkerPool | InProcess):
    """Yield (document id, its new Analysis or the exception its relinking ended with), in order."""

    def request(doc_id: str) -> Request:
        document = database.load_document(con, doc_id)
        seconds = document_budget(DEFAULT_DOCUMENT_SECONDS, len(document.body))
        if reextract:
            return Request("analyze", document, seconds)
        return Request("derive", (document, database.load_attributions(con, doc_id)), seconds)

    for doc_id, outcome in pool.ordered(ids, request):
        try:
            yield doc_id, outcome.result()
        except (DocumentTimeout, DocumentFailed) as exc:
            yield doc_id, exc


def fill_document_stances(con: duckdb.DuckDBPyConnection, analyze: Analyzer, console: Console | None = None,
                          chunk: int = 32, pool: WorkerPool | InProcess | None = None) -> int:
    """Compute the stances of every document that lacks current ones, in chunks (one transaction each).

    Runs after the documents are stored; a run stopped before it leaves them for the next run. With a
    pool, its workers compute the chunks (the stance model is mostly per call, so a chunk is one call).
    Returns how many documents were done.
    """
    console = console or Console(stderr=True, highlight=False)
    version = analysis_version(analyze)
    ids = database.documents_needing_stances(con, version)
    parts = [ids[start:start + chunk] for start in range(0, len(ids), chunk)]
    progress = _progress(console, len(ids))

    def request(part: list[str]) -> Request:
        documents = [database.load_document(con, doc_id) for doc_id in part]
        seconds = sum(document_budget(DEFAULT_DOCUMENT_SECONDS, len(d.body)) for d in documents)
        return Request("stances", (documents, database.linked_assertions(con, part)), seconds)

    with progress, StopRequest() as stop:
        task = progress.add_task("document stances", total=len(ids))
        for part, outcome in (pool or InProcess(analyze)).ordered(parts, request):
            if stop.requested:
                raise KeyboardInterrupt
            try:
                stances = outcome.result()
            except (DocumentTimeout, DocumentFailed) as exc:
                # Left without current stances: the next run tries these documents again.
                console.print(f"stances of {len(part)} documents left for the next run: {_failure_reason(exc)}",
                              markup=False)
                continue
            database.write_stances(con, part, stances, version)
            progress.advance(task, len(part))
    return len(ids)


def _progress(console: Console | None, total: int):
    """Return a progress display: a bar on a terminal, else a line on stderr every few seconds."""
    console = console or Console(stderr=True, highlight=False)
    if not console.is_terminal:
        return LineProgress(console, total)
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        _RateColumn(), TimeRemainingColumn(), console=console, transient=True, disable=total < 20,
    )


class _RateColumn(ProgressColumn):
    """How many a second, as the closing line and the log lines say it: 13.2/s, 0.45/s."""

    def render(self, task) -> Text:
        return Text(f"{_rate(task.speed)}/s" if task.speed else "", style="progress.data.speed")


def _rate(per_second: float) -> str:
    """Return a rate with the digits that matter: 13.2, 0.45, 0.037."""
    return f"{per_second:.1f}" if per_second >= 1 else f"{per_second:.2g}"


class LineProgress:
    """Progress for a log or a pipe: "ingesting: 120/900 files, 13.2/s, about 59 s left", every few seconds.

    Speaks only after the first interval, so a quick run prints nothing; the same calls as rich's Progress.
    """

    INTERVAL = 5.0

    def __init__(self, console: Console, total: int) -> None:
        self.console, self.total = console, total
        self.description, self.done = "", 0
        self.started = self.last = time.monotonic()

    def __enter__(self) -> "LineProgress":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, description: str, total: int | None = None) -> int:
        self.description = description
        self.total = total if total is not None else self.total
        return 0

    def advance(self, task: int, amount: int = 1) -> None:
        self.done += amount
        now = time.monotonic()
        if now - self.last >= self.INTERVAL:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            left = (self.total - self.done) / rate if rate > 0 else 0
            self.console.print(f"{self.description}: {self.done}/{self.total}, {_rate(rate)}/s, about {left:.0f} s left",
                               markup=False, highlight=False, soft_wrap=True)


def passed_over_message(files: list[str]) -> str:
    """Return the one line that says which files inside the folders given were not article files."""
    kinds = ", ".join(sorted({PurePath(f).suffix.lower() or "(no extension)" for f in files}))
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
    time_limit: float = DEFAULT_DOCUMENT_SECONDS,
    workers: int = 0,
    dask: str | None = None,
) -> IngestSummary:
    """Ingest files and folders into the database; return what happened. Never raises on bad input.

    Each input is guarded: whatever goes wrong with one (it cannot be read, holds no article, takes
    longer than `time_limit` seconds, or makes a stage raise) becomes one quarantine record with the
    reason, the traceback goes to the error log beside the quarantine copies, and the run goes on.
    Documents are analysed by `workers` processes (default: one per core) and stored in input order,
    one transaction each, so any number of workers gives the same database. With `dask` (a
    dask.distributed scheduler's address) the documents are analysed on that cluster instead.
    """
    console = console or Console(stderr=True, highlight=False)
    summary = IngestSummary()
    started = time.monotonic()
    skipped: list[discover.Skipped] = []
    files = list(discover.discover(paths, skipped))
    other_types = [entry.path for entry in skipped if entry.reason == "other file type"]
    if other_types:
        console.print(passed_over_message(other_types), markup=False, soft_wrap=True)
    summary.skipped = sum(1 for entry in skipped if not entry.quarantine)
    with database.writer(db) as con, StopRequest() as stop:
        analyze = with_review_examples(con, analyze)  # new documents follow the reviews made so far
        summary.relinked = sync_catalog(con, analyze, console, workers)
        for entry in skipped:
            if entry.quarantine:
                _quarantine(con, load.Rejection(source=entry.path, source_path=entry.path, reason=entry.reason,
                                                raw=b"", no_raw=True), db, summary, console)
        if summary.skipped:
            hidden = [entry for entry in skipped if not entry.quarantine and entry.reason != "other file type"]
            if hidden:
                console.print(discover.skipped_summary(hidden), markup=False, soft_wrap=True)
        manifest_hints = load.Manifest()
        if manifest is not None:
            manifest_hints, bad_rows = load.load_manifest(manifest)
            for rejection in bad_rows:
                _quarantine(con, rejection, db, summary, console)
        progress = _progress(console, len(files))
        if dask:
            from pipeline.ingest.cluster import DaskPool

            pool = DaskPool(dask, analyze.actors, analyze.catalog, should_stop=lambda: stop.requested)
        else:
            pool = WorkerPool(analyze.actors, analyze.catalog, workers, should_stop=lambda: stop.requested)
        limits = _Limits(time_limit)
        try:
            with pool:
                with progress:
                    task = progress.add_task("ingesting", total=len(files))
                    inputs = _inputs(files, max_bytes, manifest_hints)
                    for item, outcome in pool.ordered(inputs, lambda item: _request(con, item, limits)):
                        if item is _FILE_DONE:
                            progress.advance(task)
                            continue
                        if stop.requested:
                            raise KeyboardInterrupt
                        summary.read += 1
                        _ingest_guarded(con, item, outcome, db, pool, limits, summary, console)
                if manifest is not None:
                    _report_unmatched_manifest(manifest, manifest_hints, console)
                fill_document_stances(con, analyze, console, pool=pool)
        except KeyboardInterrupt:
            summary.interrupted = True
    summary.seconds = time.monotonic() - started
    return summary


_FILE_DONE = object()  # marks the end of one file's inputs in the stream, for the progress display


def _inputs(files, max_bytes: int, manifest_hints: load.Manifest):
    """Yield every input of every file (articles and rejections), then _FILE_DONE after each file."""
    for file, root in files:
        yield from _guarded(load.read_file(file, root, max_bytes, manifest_hints), file, root)
        yield _FILE_DONE


def _guarded(items, file: Path, root: Path):
    """Yield what read_file yields; if reading itself fails, one rejection for the file instead of a crash."""
    try:
        yield from items
    except Exception as exc:
        yield load.Rejection(source=load.relative_source(file, root), source_path=str(file),
                             reason=f"cannot read: {type(exc).__name__}: {exc}", raw=b"", copy_whole_file=True)


class _Limits:
    """Each document's time budget (see document_budget) and the reason given when it runs over."""

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit

    def seconds(self, text: str) -> float:
        return document_budget(self.time_limit, len(text))

    def reason(self, text: str) -> str:
        return (f"took too long: over its limit of {self.seconds(text):.0f} s ({self.time_limit:g} s per "
                f"document + {SECONDS_PER_MB:g} s per MB of text)")


def _request(con, item, limits: _Limits) -> Request | None:
    """Return what a worker must do for an input read ahead: build and analyse it, unless it is stored."""
    if item is _FILE_DONE or isinstance(item, load.Rejection):
        return None
    if database.load_document(con, document_id(item.raw_sha256)) is not None:
        return None  # stored by an earlier run: the writer only records the source (or applies new hints)
    return Request("prepare", item, limits.seconds(item.text))


def _ingest_guarded(con, item, outcome: Outcome | None, db: Path, pool: WorkerPool, limits: _Limits,
                    summary: IngestSummary, console: Console) -> None:
    """Store one input; any failure of this input becomes its quarantine record (KeyboardInterrupt stops)."""
    if isinstance(item, load.Rejection):
        _quarantine(con, item, db, summary, console)
        return
    try:
        with collection_paused():  # the analysis received is some 100,000 objects without cycles (see there)
            rejection = _ingest_one(con, item, outcome, pool, limits.seconds(item.text), summary)
        if rejection is not None:
            _quarantine(con, rejection, db, summary, console)
    except DocumentTimeout:
        _quarantine(con, item.rejected(limits.reason(item.text)), db, summary, console)
    except DocumentFailed as exc:
        _quarantine(con, item.rejected(f"analysis failed: {exc.reason}"), db, summary, console, exc.details)
    except (KeyboardInterrupt, duckdb.FatalException):
        raise
    except Exception as exc:
        _quarantine(con, item.rejected(f"internal error: {type(exc).__name__}: {exc}"), db, summary, console,
                    traceback.format_exc())


def document_budget(time_limit: float, characters: int) -> float:
    """Return one document's time budget: the limit per document, plus time in proportion to its size.

    Analysis is linear in a text's length (about 17 s per MB of dense news on a 2-core machine), so a
    long transcript is given the time it needs, and a text that is slow for its size (a quadratic
    corner of some rule) is stopped all the same.
    """
    return time_limit + characters / 1_000_000 * SECONDS_PER_MB


def _quarantine(con, rejection: load.Rejection, db: Path, summary: IngestSummary, console: Console,
                details: str = "") -> None:
    _report(console, rejection)
    record = quarantine(con, rejection, db)
    summary.quarantined += 1
    if details:
        log_error(db, record, details)


def _ingest_one(con, item: load.RawArticle, outcome: Outcome | None, pool: WorkerPool, seconds: float,
                summary: IngestSummary) -> load.Rejection | None:
    """Store one raw article (or count it as stored already); return its rejection when it holds no article.

    `outcome` is the worker's build and analysis of it, done ahead while earlier inputs were stored.
    """
    doc_id = document_id(item.raw_sha256)
    stored = database.load_document(con, doc_id)
    if stored is not None:  # by an earlier run, or by an earlier input of this one (the same bytes twice)
        database.record_source(con, doc_id, item.source)
        hinted = apply_hints(stored, item.hints) if item.hints else stored
        if hinted != stored:
            _update(con, hinted, pool, seconds)
            summary.updated += 1
        else:
            summary.unchanged += 1
        return
    prepared = outcome.result()  # None only for an input stored when read ahead, and so stored now
    if isinstance(prepared, load.Rejection):
        return prepared
    built, fingerprint, result = prepared
    original_id = find_original(con, built.body, fingerprint)
    if original_id:
        original = database.load_document(con, original_id)
        copy = fill_from_copy(built.model_copy(update={"duplicate_of": original_id}), original)
        if _analysed_fields(copy) != _analysed_fields(built):
            result = pool.call(Request("analyze", copy, seconds))
        built = copy
    database.insert_document(con, built, fingerprint, result.statements, result.claims)
    if original_id:
        filled = fill_from_copy(original, built)
        if filled != original:
            _update(con, filled, pool, seconds)
        summary.duplicates += 1
    else:
        summary.new += 1
        summary.statements += len(result.statements)
        summary.claims += sum(1 for c in result.claims if not c.below_threshold)
    return None


def _analysed_fields(document: Document) -> tuple:
    """Return what a document's analysis reads besides its text: a copy that changes none of it reuses it."""
    return document.id, document.body, document.title, document.published, document.published_precision


def _update(con, document: Document, pool: WorkerPool, seconds: float) -> Analysis:
    # Statement dates hang on the publication date, so new metadata means re-extracting statements.
    result = pool.call(Request("analyze", document, seconds))
    database.update_metadata(con, document)
    database.replace_statements(con, document.id, result.statements, result.claims)
    return result


def _report_unmatched_manifest(manifest: Path, hints: load.Manifest, console: Console) -> None:
    """Say which manifest rows matched no file or batch row of this run (a typo in a path, a missing file)."""
    unmatched = hints.unmatched()
    if unmatched:
        shown = "; ".join(f"line {line}: {key}" for key, line in unmatched[:5])
        more = f"; and {len(unmatched) - 5} more" if len(unmatched) > 5 else ""
        console.print(f"{discover.display_path(manifest)}: {len(unmatched)} manifest row"
                      f"{'s' if len(unmatched) != 1 else ''} matched no file or batch row read: {shown}{more}",
                      markup=False, soft_wrap=True)


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
