"""A child process that builds and analyses documents, so that no document can stall or crash a run.

Cleaning, metadata, attribution and linking run on text a stranger wrote. A pathological text may
take minutes in some rule or model, or exhaust memory, and no check inside one process can stop C
code (a regular expression, a CRF) once it runs. So the run hands each document to this worker and
waits for its answer for at most the document's time limit, polling a few times a second: when the
limit passes, the worker is killed (the document is quarantined as taking too long and a new worker
starts), and a stop request (Ctrl-C, SIGTERM) kills it at once instead of waiting for the document.

The worker process comes from a fork server that has already imported the pipeline, and loads the
analyzer's models once, when it starts; a document costs one round trip of pickled data.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

from pipeline.ingest.documents import build_with_fingerprint
from pipeline.ingest.load import RawArticle
from pipeline.models import Document, SourceKind

POLL_SECONDS = 0.05
START_SECONDS = 120.0  # imports and model files on a cold disk; no document is timed before this
WARM_UP_TEXT = "Officials said on Monday that the talks would resume. “We are ready,” the minister said."


class DocumentTimeout(Exception):
    """The document took longer than its time limit."""


class DocumentFailed(Exception):
    """Building or analysing the document raised, or killed the worker; `details` holds the traceback."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _serve(conn: Connection, actors, catalog) -> None:
    """The worker's loop: answer ("build", raw) and ("analyze", document) requests until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the run decides when the worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from pipeline.link.analyzer import Analyzer

    analyze = Analyzer(actors, catalog)
    handlers: dict[str, Callable] = {"build": build_with_fingerprint, "analyze": analyze}
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", handlers[kind](payload))
        except Exception as exc:  # any failure on one document is that document's, never the run's
            answer = ("error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                      traceback.format_exc())
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled is a failure of that document
            conn.send(("error", f"unsendable result: {type(exc).__name__}: {exc}", traceback.format_exc()))


class DocumentWorker:
    """The parent's handle on one worker process; `build` and `analyze` are the only calls a run makes."""

    def __init__(self, actors, catalog, should_stop: Callable[[], bool] = lambda: False) -> None:
        self._actors = actors
        self._catalog = catalog
        self._should_stop = should_stop
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["pipeline.ingest.worker", "pipeline.link.analyzer"])
        self._process = None
        self._conn: Connection | None = None

    def __enter__(self) -> "DocumentWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def build(self, raw: RawArticle, deadline: float):
        """Return build_with_fingerprint(raw), computed in the worker before the deadline (time.monotonic)."""
        return self._call("build", raw, deadline)

    def analyze(self, document: Document, deadline: float):
        """Return the Analysis of a document, computed in the worker before the deadline."""
        return self._call("analyze", document, deadline)

    def ready(self) -> None:
        """Start the worker and load its models now, if it is not running, so no document's time pays for it.

        A run calls this before it sets a document's deadline: the first document, and the first after
        a worker was killed, would otherwise spend their budget on imports and model files (seconds on a
        busy machine) and be quarantined as taking too long.
        """
        if self._process is None:
            self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self._actors, self._catalog), daemon=True,
                                        name="document-worker")
        process.start()
        child.close()
        self._process, self._conn = process, parent
        # Load the models now, so that no document's time limit pays for them.
        warm_up = Document(id="warm-up", source="warm-up", source_kind=SourceKind.TEXT, body=WARM_UP_TEXT,
                           raw_sha256="0" * 64)
        self._call("analyze", warm_up, time.monotonic() + START_SECONDS, starting=True)

    def _call(self, kind: str, payload, deadline: float, starting: bool = False):
        if self._process is None and not starting:
            self._start()
        self._conn.send((kind, payload))
        while not self._conn.poll(POLL_SECONDS):
            if self._should_stop():
                self.close()
                raise KeyboardInterrupt
            if time.monotonic() > deadline:
                self.close()
                if starting:
                    raise DocumentFailed("the analysis worker did not start in time")
                raise DocumentTimeout()
        try:
            answer = self._conn.recv()
        except (EOFError, OSError):
            code = self._process.exitcode if self._process is not None else None
            self.close()
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            raise DocumentFailed(f"the analysis worker died ({how}), e.g. out of memory") from None
        if answer[0] == "error":
            raise DocumentFailed(answer[1], answer[2])
        return answer[1]

    def close(self) -> None:
        """Stop the worker process now (a later call starts a new one)."""
        if self._process is None:
            return
        if self._conn is not None:
            self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)
        self._process, self._conn = None, None
