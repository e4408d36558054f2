"""The worker pool on a Dask cluster: shards of inputs analysed on the cluster's workers, stored here in order.

`ingest --dask ADDRESS` hands this pool to the same writer a local run uses, so a cluster run keeps
every guarantee that lives with the writer: one transaction per document, input order (so the same
database as one worker gives), dedupe across shards, idempotent re-runs, quarantine, Ctrl-C.

What the cluster's workers need: this package and its requirements installed (models included, as
`pip install -r requirements.txt -r requirements-dask.txt` gives), one thread per worker process
(`dask worker ADDRESS --nthreads 1`; the models use the process's cores), and nothing else. The inputs
are read here and their bytes travel with the shard, so no shared file system is needed; the catalog
and actors are sent once to every worker and each worker loads the analyzer once per catalog.

A Dask task cannot be stopped from outside while it runs, so a document is timed on the worker: one
over its time limit is quarantined as taking too long, as in a local run, after it has finished. A
shard that never finishes, or whose task fails (one input killed its worker), is cancelled and its
inputs are run one by one, so only the one at fault is quarantined.
"""

from __future__ import annotations

import hashlib
import time
from asyncio import CancelledError
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pipeline.config import SettingError
from pipeline.ingest.pool import Outcome, Request
from pipeline.ingest.worker import (START_SECONDS, DocumentFailed, DocumentTimeout, answer_request,
                                   request_handlers, warm_up_document)

SHARD_SIZE = 8  # inputs per task: enough to make the scheduler's cost per task small against the work
WAIT_SECONDS = 0.1

_HANDLERS: dict[str, dict[str, Callable]] = {}  # on a Dask worker: request handlers by catalog, built once


def run_shard(requests: list[Request], context: tuple) -> list[tuple]:
    """Answer a shard's requests on a Dask worker: ("ok", answer), ("error", reason, traceback) or ("late",)."""
    actors, catalog = context
    key = hashlib.sha256((catalog.model_dump_json() + actors.model_dump_json()).encode()).hexdigest()
    if key not in _HANDLERS:
        from pipeline.link.analyzer import Analyzer

        _HANDLERS.clear()  # one analyzer per worker: a new catalog replaces the last one
        handlers = request_handlers(Analyzer(actors, catalog))
        handlers["warm_up"](warm_up_document())  # loads the models before any document is timed
        _HANDLERS[key] = handlers
    answers = []
    for request in requests:
        started = time.monotonic()
        answer = answer_request(_HANDLERS[key], request.kind, request.payload)
        answers.append(("late",) if time.monotonic() - started > request.seconds else answer)
    return answers


def _outcome(answer: tuple) -> Outcome:
    if answer[0] == "ok":
        return Outcome(value=answer[1])
    if answer[0] == "late":
        return Outcome(error=DocumentTimeout())
    return Outcome(error=DocumentFailed(answer[1], answer[2]))


class DaskPool:
    """The WorkerPool's `ordered` and `call` on a dask.distributed scheduler."""

    def __init__(self, address: str, actors, catalog, should_stop: Callable[[], bool] = lambda: False,
                 shard_size: int = SHARD_SIZE) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise SettingError("--dask needs Dask: pip install -r requirements-dask.txt") from None
        try:
            self._client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise SettingError(f"no Dask scheduler at {address}: {exc}") from None
        self._should_stop = should_stop
        self._shard_size = shard_size
        self.size = max(1, sum(self._client.nthreads().values()))
        self._context = self._client.scatter((actors, catalog), broadcast=True, hash=False)

    def __enter__(self) -> "DaskPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the scheduler (its workers stay up for the next run)."""
        self._client.close()

    def ordered(self, items: Iterable, request_of: Callable[[Any], Request | None],
                window: int = 0) -> Iterator[tuple[Any, Outcome | None]]:
        """Yield (item, outcome) for every item in order; shards of inputs run on the cluster meanwhile.

        At most `window` shards (default two per worker thread) are in flight or waiting to be stored.
        """
        window = window or 2 * self.size
        source = iter(items)
        shards: deque[tuple[list, list[int], list[Request], Any]] = deque()
        exhausted = False
        while shards or not exhausted:
            while not exhausted and len(shards) < window:
                chunk = []
                for item in source:
                    chunk.append(item)
                    if len(chunk) == self._shard_size:
                        break
                else:
                    exhausted = True
                if chunk:
                    shards.append(self._submit(chunk, request_of))
            if not shards:
                break
            chunk, positions, requests, future = shards.popleft()
            answers = self._answers(requests, future) if future is not None else []
            outcomes = dict(zip(positions, map(_outcome, answers)))
            for position, item in enumerate(chunk):
                yield item, outcomes.get(position)

    def call(self, request: Request):
        """Run one request on the cluster, ahead of the queued shards, and return its answer (or raise)."""
        return _outcome(self._answers([request], self._send([request], priority=10))[0]).result()

    def _send(self, requests: list[Request], priority: int = 0):
        return self._client.submit(run_shard, requests, self._context, pure=False, priority=priority)

    def _submit(self, chunk: list, request_of) -> tuple[list, list[int], list[Request], Any]:
        positions, requests = [], []
        for position, item in enumerate(chunk):
            request = request_of(item)
            if request is not None:
                positions.append(position)
                requests.append(request)
        return chunk, positions, requests, self._send(requests) if requests else None

    def _answers(self, requests: list[Request], future) -> list[tuple]:
        """Return a shard's answers. A shard that runs past its requests' time (plus a worker's start) or
        whose task fails (a worker killed by one input) is cancelled and its requests run one by one, so
        only the input at fault is quarantined."""
        deadline = time.monotonic() + sum(r.seconds for r in requests) + START_SECONDS
        answers = self._wait(future, deadline)
        if answers is not None:
            return answers
        if len(requests) == 1:
            late = time.monotonic() > deadline
            return [("late",) if late else ("error", "the Dask task failed (its worker died or lost it)", "")]
        return [answer for request in requests for answer in self._answers([request], self._send([request], 10))]

    def _wait(self, future, deadline: float) -> list[tuple] | None:
        """Return the task's answers, or None when it failed or ran past the deadline (then it is cancelled)."""
        while True:
            if self._should_stop():
                self._client.cancel(future)
                raise KeyboardInterrupt
            try:
                return future.result(timeout=WAIT_SECONDS)
            except TimeoutError:
                if future.status not in ("error", "cancelled", "lost") and time.monotonic() <= deadline:
                    continue
            except (Exception, CancelledError):  # the task itself failed: a worker died, a result too large
                pass
            self._client.cancel(future)
            return None
