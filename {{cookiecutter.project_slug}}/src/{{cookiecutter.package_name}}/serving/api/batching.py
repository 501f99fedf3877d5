"""Adaptive batching: concurrent requests share one model call.

A call of the model has a large fixed cost (building a DataFrame, running the preprocessing
pipeline, the booster) and a small cost per row, so eight single-record requests answered in one
call take about as long as one. Requests wait in a queue; one worker forms a batch and runs the
model once, in a worker thread, while the event loop keeps reading requests.

A batch takes everything already queued (up to `max_batch_size` records, never splitting a
request, and only requests for the same call: predictions, or explanations of one target), then
waits for more only while it is smaller than the previous batch, and never longer
than `max_wait_ms`. So a lone client is answered without any wait, a steady set of concurrent
clients fills each batch without idle time, and when clients leave the batcher waits in vain
only once before it adjusts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

Result = TypeVar("Result")
Records = Sequence[Mapping[str, Any]]
Call = Callable[[list[Mapping[str, Any]]], Sequence[Result]]


@dataclass
class _Job(Generic[Result]):
    records: Records
    future: asyncio.Future[list[Result]]
    # What answers the records; jobs share a model call only when their calls are equal.
    call: Call[Result]


@dataclass
class BatchStats:
    """What the batcher has done so far."""

    requests: int = 0
    calls: int = 0
    records: int = 0
    # The most requests answered by one model call.
    most_requests_per_call: int = 0


class Batcher(Generic[Result]):
    """Merge concurrent `submit` calls into calls of `predict` on the concatenated records.

    `predict` (or the call a request names) must return one result per record, in order. When
    a merged call fails, each request of the batch is retried alone, so a bad record fails only
    its own request. All calls run one at a time, in one thread.
    """

    def __init__(
        self,
        predict: Call[Result],
        max_batch_size: int,
        max_wait_ms: float,
    ) -> None:
        self.predict = predict
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self.stats = BatchStats()
        self._queue: asyncio.Queue[_Job[Result]] = asyncio.Queue()
        self._held: _Job[Result] | None = None
        # Requests in the previous batch: how many concurrent callers to wait for.
        self._expected = 1
        self._worker: asyncio.Task[None] | None = None
        # One model call at a time: the model is not shared between threads.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predict")

    async def __aenter__(self) -> Batcher[Result]:
        self._worker = asyncio.create_task(self._run(), name="batcher")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        self._executor.shutdown(wait=True)
        # Nobody will answer what is still queued: say so instead of leaving callers waiting.
        pending = [self._held] if self._held else []
        while not self._queue.empty():
            pending.append(self._queue.get_nowait())
        for job in pending:
            if not job.future.done():
                job.future.set_exception(RuntimeError("the service is shutting down"))

    async def submit(self, records: Records, call: Call[Result] | None = None) -> list[Result]:
        """Predict `records` (in order), sharing the model call with concurrent requests.

        `call` answers the records instead of `predict` (e.g. explanations); it is merged with
        the requests whose call is equal to it (`==`).
        """
        if self._worker is None or self._worker.done():
            raise RuntimeError("the batcher is not running")
        future: asyncio.Future[list[Result]] = asyncio.get_running_loop().create_future()
        self.stats.requests += 1
        self._queue.put_nowait(_Job(records, future, self.predict if call is None else call))
        return await future

    async def _next_batch(self) -> list[_Job[Result]]:
        """Everything queued, then arrivals until the batch matches the last one or time is up."""
        first = self._held or await self._queue.get()
        self._held = None
        batch, size = [first], len(first.records)
        deadline = time.monotonic() + self.max_wait
        while size < self.max_batch_size:
            try:
                job = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - time.monotonic()
                if len(batch) >= self._expected or remaining <= 0:
                    break
                try:
                    job = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            if job.call != first.call or size + len(job.records) > self.max_batch_size:
                self._held = job  # starts the next batch; a request is never split
                break
            batch.append(job)
            size += len(job.records)
        self._expected = len(batch)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._next_batch()
            batch = [job for job in batch if not job.future.done()]  # drop cancelled callers
            if not batch:
                continue
            outcomes = await loop.run_in_executor(self._executor, self._predict_batch, batch)
            for job, outcome in zip(batch, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    def _predict_batch(self, batch: list[_Job[Result]]) -> list[list[Result] | BaseException]:
        """Results per job: one merged call, or on failure one call per job."""
        records = [record for job in batch for record in job.records]
        self._count(len(batch), len(records))
        try:
            results = list(batch[0].call(records))
        except Exception as error:
            if len(batch) == 1:
                return [error]
            log.info("a batch of %d requests failed (%s); retrying each alone", len(batch), error)
            return [self._predict_alone(job) for job in batch]
        outcomes: list[list[Result] | BaseException] = []
        start = 0
        for job in batch:
            outcomes.append(results[start : start + len(job.records)])
            start += len(job.records)
        return outcomes

    def _predict_alone(self, job: _Job[Result]) -> list[Result] | BaseException:
        self._count(1, len(job.records))
        try:
            return list(job.call(list(job.records)))
        except Exception as error:
            return error

    def _count(self, requests: int, records: int) -> None:
        self.stats.calls += 1
        self.stats.records += records
        self.stats.most_requests_per_call = max(self.stats.most_requests_per_call, requests)
