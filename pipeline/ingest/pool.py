"""Several document workers kept busy at once, their answers handed back in the order of the inputs.

A run's writer stores documents one transaction each, in input order, so that a parallel run gives
exactly the database a one-worker run gives (which copy is the original, which record comes first).
The pool looks ahead a bounded window of inputs, hands each worker the next request as soon as it
is free, and gives each request its own time limit from the moment a ready worker takes it: a worker
whose request runs over is killed and replaced, and that one input fails alone.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from pipeline.ingest.worker import (POLL_SECONDS, DocumentFailed, DocumentTimeout, DocumentWorker, collection_paused,
                                   request_handlers)


def default_workers() -> int:
    """Return the number of workers a run uses unless told: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Request:
    """What a worker is asked to do: a handler of pipeline.ingest.worker and its payload, with a time limit."""

    kind: str
    payload: Any
    seconds: float


@dataclass
class Outcome:
    """A request's answer, or the DocumentTimeout / DocumentFailed it ended with."""

    value: Any = None
    error: Exception | None = None

    def result(self):
        """Return the answer, or raise what the request ended with."""
        if self.error is not None:
            raise self.error
        return self.value


@dataclass
class _Job:
    request: Request
    outcome: Outcome | None = None
    deadline: float = 0.0
    worker: DocumentWorker | None = field(default=None, repr=False)


class InProcess:
    """The pools' `ordered` in this process, for work too small to pay for starting workers (seconds each).

    No time limit applies and an error is raised, not returned: the caller's own process does the work.
    """

    def __init__(self, analyze) -> None:
        self._handlers = request_handlers(analyze)

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def ordered(self, items: Iterable, request_of: Callable[[Any], Request | None],
                window: int = 0) -> Iterator[tuple[Any, Outcome | None]]:
        for item in items:
            request = request_of(item)
            if request is None:
                yield item, None
                continue
            with collection_paused():
                value = self._handlers[request.kind](request.payload)
            yield item, Outcome(value=value)


class WorkerPool:
    """N document workers; `ordered` streams inputs through them, `call` runs one request and waits."""

    def __init__(self, actors, catalog, workers: int = 0, should_stop: Callable[[], bool] = lambda: False) -> None:
        count = workers or default_workers()
        threads = max(1, default_workers() // count)
        self.size = count
        self._should_stop = should_stop
        self._workers = [DocumentWorker(actors, catalog, should_stop, threads=threads) for _ in range(count)]
        self._busy: dict[DocumentWorker, _Job] = {}
        self._waiting: deque[_Job] = deque()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker now."""
        for worker in self._workers:
            worker.close()
        self._busy.clear()
        self._waiting.clear()

    def ordered(self, items: Iterable, request_of: Callable[[Any], Request | None],
                window: int = 0) -> Iterator[tuple[Any, Outcome | None]]:
        """Yield (item, outcome) for every item, in the items' order.

        `request_of(item)` says what a worker must do for it (None: nothing, the outcome is None).
        At most `window` items (default four per worker) are read ahead of the one yielded, so memory
        stays bounded whatever the input's size. While the caller works on a yielded item, the
        workers go on with the next ones.
        """
        window = window or 4 * self.size
        source = iter(items)
        pending: deque[tuple[Any, _Job | None]] = deque()
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                request = request_of(item)
                job = _Job(request) if request is not None else None
                if job is not None:
                    self._waiting.append(job)
                pending.append((item, job))
                self._dispatch()
            if not pending:
                break
            item, job = pending[0]
            if job is None or job.outcome is not None:
                pending.popleft()
                yield item, job.outcome if job is not None else None
                continue
            self._dispatch()
            self._pump()

    def call(self, request: Request):
        """Run one request ahead of the queued ones and return its answer (or raise what it ended with)."""
        job = _Job(request)
        self._waiting.appendleft(job)
        while job.outcome is None:
            self._dispatch()
            if job.outcome is None:
                self._pump()
        return job.outcome.result()

    def _dispatch(self) -> None:
        """Hand waiting jobs to free workers; a worker not running is started (all at once) first."""
        free = [w for w in self._workers if w not in self._busy]
        if not free or not self._waiting:
            return
        for worker in free:
            if not worker.running:
                worker.launch()
        for worker in free:
            if not self._waiting:
                break
            try:
                worker.ready()
            except DocumentFailed as exc:
                job = self._waiting.popleft()
                job.outcome = Outcome(error=exc)
                continue
            job = self._waiting.popleft()
            try:
                worker.send(job.request.kind, job.request.payload)
            except OSError:  # the worker died since it was ready: the job waits for the next one
                worker.close()
                self._waiting.appendleft(job)
                continue
            job.worker, job.deadline = worker, time.monotonic() + job.request.seconds
            self._busy[worker] = job

    def _pump(self) -> None:
        """Wait a moment for answers; collect them, then kill workers whose job ran past its deadline."""
        if self._should_stop():
            self.close()
            raise KeyboardInterrupt
        if not self._busy:
            return
        by_connection = {worker.connection: worker for worker in self._busy}
        for connection in wait(list(by_connection), timeout=POLL_SECONDS):
            worker = by_connection[connection]
            job = self._busy.pop(worker)
            try:
                job.outcome = Outcome(value=worker.receive())
            except DocumentFailed as exc:
                job.outcome = Outcome(error=exc)
        now = time.monotonic()
        for worker, job in list(self._busy.items()):
            if now > job.deadline and not worker.connection.poll(0):  # an answer just in time is taken next
                worker.close()
                del self._busy[worker]
                job.outcome = Outcome(error=DocumentTimeout())
