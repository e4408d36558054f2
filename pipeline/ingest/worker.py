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

import gc
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from pipeline.ingest.documents import build_with_fingerprint
from pipeline.ingest.load import RawArticle, Rejection
from pipeline.models import Document, SourceKind

POLL_SECONDS = 0.05
START_SECONDS = 120.0  # imports and model files on a cold disk; no document is timed before this
WARM_UP_TEXT = "Officials said on Monday that the talks would resume. “We are ready,” the minister said."


def warm_up_document() -> Document:
    """Return the short document a worker analyses first, which loads every model it uses."""
    return Document(id="warm-up", source="warm-up", source_kind=SourceKind.TEXT, body=WARM_UP_TEXT,
                    raw_sha256="0" * 64)


class DocumentTimeout(Exception):
    """The document took longer than its time limit."""


class DocumentFailed(Exception):
    """Building or analysing the document raised, or killed the worker; `details` holds the traceback."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def request_handlers(analyze) -> dict[str, Callable]:
    """Return what a worker (a process here, or a Dask worker) can be asked to do, by request kind."""

    def prepare(raw: RawArticle):
        built = build_with_fingerprint(raw)
        if isinstance(built, Rejection):
            return built
        document, fingerprint = built
        return document, fingerprint, analyze(document)

    def warm_up(document: Document):
        analyze.stance_model  # noqa: B018 - loads the document-stance model, as analysing loads the rest
        return analyze(document)

    return {"prepare": prepare, "analyze": analyze, "warm_up": warm_up,
            "derive": lambda pair: analyze.derive(*pair), "stances": lambda pair: analyze.document_stances(*pair)}


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one request is answered, and restore it after.

    Analysing a text allocates hundreds of thousands of objects (tokens, spans, statements) that
    live until it ends and hold no reference cycles: reference counting frees them. The collector,
    counting allocations, would walk all of them again and again as they pile up: a fifth of the
    time of an 810 KB text (about 1 s of 5). The few cycles a request leaves are collected at the
    collector's next turn, after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def answer_request(handlers: dict[str, Callable], kind: str, payload) -> tuple:
    """Return ("ok", answer) or ("error", reason, traceback): a failure on one document is that document's."""
    try:
        with collection_paused():
            return ("ok", handlers[kind](payload))
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                traceback.format_exc())


def _serve(conn: Connection, actors, catalog, threads: int) -> None:
    """The worker's loop: answer (kind, payload) requests (see request_handlers) until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the run decides when the worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import torch

        # Several workers share the machine's cores: each model call gets its share, not all of them.
        torch.set_num_threads(threads)
    except ImportError:  # the word rules alone need no torch
        pass
    from pipeline.link.analyzer import Analyzer

    handlers = request_handlers(Analyzer(actors, catalog))
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            return
        answer = answer_request(handlers, kind, payload)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled is a failure of that document
            conn.send(("error", f"unsendable result: {type(exc).__name__}: {exc}", traceback.format_exc()))


class DocumentWorker:
    """The parent's handle on one worker process: `ready`, then `send` a request and `receive` its answer
    when `connection` has one; a pool (pipeline.ingest.pool) keeps several of them busy at once."""

    def __init__(self, actors, catalog, should_stop: Callable[[], bool] = lambda: False, threads: int = 0) -> None:
        self._actors = actors
        self._catalog = catalog
        self._should_stop = should_stop
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["pipeline.ingest.worker", "pipeline.link.analyzer"])
        self._process = None
        self._conn: Connection | None = None
        self._starting = False

    def __enter__(self) -> "DocumentWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def connection(self) -> Connection | None:
        """The pipe an answer arrives on (for multiprocessing.connection.wait), None when not running."""
        return self._conn

    def ready(self) -> None:
        """Start the worker and load its models now, if it is not running, so no document's time pays for it.

        A run calls this before it sets a document's deadline: the first document, and the first after
        a worker was killed, would otherwise spend their budget on imports and model files (seconds on a
        busy machine) and be quarantined as taking too long.
        """
        if self._process is not None and not self._process.is_alive():
            self.close()  # died while idle (the kernel's OOM killer picks the largest process): a new one
        if self._process is None:
            self.launch()
        if self._starting:
            try:
                self._wait(time.monotonic() + START_SECONDS, starting=True)
            except BaseException:
                self.close()  # a worker that failed its warm-up is never used: the next call starts anew
                raise
            self._starting = False

    def launch(self) -> None:
        """Start the worker process and send it a warm-up document; `ready` waits for it to load."""
        if self._process is not None:
            return
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self._actors, self._catalog, self._threads),
                                        daemon=True, name="document-worker")
        process.start()
        child.close()
        self._process, self._conn = process, parent
        # Load the models now, so that no document's time limit pays for them.
        self._conn.send(("warm_up", warm_up_document()))
        self._starting = True

    def send(self, kind: str, payload) -> None:
        """Hand the worker a request (it must be ready); its answer comes from `receive`."""
        self._conn.send((kind, payload))

    def receive(self):
        """Return the answer to the request sent, or raise DocumentFailed (an error, or the worker died)."""
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

    def _wait(self, deadline: float, starting: bool = False):
        while not self._conn.poll(POLL_SECONDS):
            if self._should_stop():
                self.close()
                raise KeyboardInterrupt
            if time.monotonic() > deadline:
                self.close()
                if starting:
                    raise DocumentFailed("the analysis worker did not start in time")
                raise DocumentTimeout()
        return self.receive()

    def close(self) -> None:
        """Stop the worker process now (a later call starts a new one)."""
        self._starting = False
        if self._process is None:
            return
        if self._conn is not None:
            self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)
        self._process, self._conn = None, None
