"""The batcher on its own: merging, order, size cap and isolation of failures."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.serving.api.batching import Batcher


class Doubler:
    """A model that doubles `x`, refuses records marked `poison`, and records its call sizes."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, records: Sequence[Mapping[str, Any]]) -> list[int]:
        self.calls.append(len(records))
        if any(record.get("poison") for record in records):
            raise ValueError("poisoned record")
        return [2 * record["x"] for record in records]


def requests_of(sizes: list[int]) -> list[list[dict[str, Any]]]:
    start, requests = 0, []
    for size in sizes:
        requests.append([{"x": start + i} for i in range(size)])
        start += size
    return requests


async def submit_all(
    batcher: Batcher[int], requests: list[list[dict[str, Any]]]
) -> list[list[int] | BaseException]:
    return await asyncio.gather(
        *(batcher.submit(records) for records in requests), return_exceptions=True
    )


def test_concurrent_requests_are_merged_and_answered_in_order() -> None:
    model = Doubler()
    requests = requests_of([1, 3, 2, 1, 4])

    async def scenario() -> list[list[int] | BaseException]:
        async with Batcher(model, max_batch_size=64, max_wait_ms=50) as batcher:
            return await submit_all(batcher, requests)

    results = asyncio.run(scenario())
    assert results == [[2 * record["x"] for record in records] for records in requests]
    assert model.calls == [11]


def test_batches_respect_the_size_cap_without_splitting_a_request() -> None:
    model = Doubler()
    requests = requests_of([2, 2, 3, 1, 4, 5])

    async def scenario() -> list[list[int] | BaseException]:
        async with Batcher(model, max_batch_size=5, max_wait_ms=50) as batcher:
            return await submit_all(batcher, requests)

    results = asyncio.run(scenario())
    assert results == [[2 * record["x"] for record in records] for records in requests]
    assert model.calls == [4, 4, 4, 5]


def test_a_failing_record_fails_only_its_own_request() -> None:
    model = Doubler()
    requests = requests_of([2, 1, 3])
    requests[1][0]["poison"] = True

    async def scenario() -> list[list[int] | BaseException]:
        async with Batcher(model, max_batch_size=64, max_wait_ms=50) as batcher:
            return await submit_all(batcher, requests)

    good_first, bad, good_last = asyncio.run(scenario())
    assert good_first == [0, 2]
    assert isinstance(bad, ValueError)
    assert good_last == [6, 8, 10]
    # One merged call failed; then each request was retried alone.
    assert model.calls == [6, 2, 1, 3]


class Tripler(Doubler):
    """Another call of the same batcher (as explanations are beside predictions): triples `x`."""

    def __call__(self, records: Sequence[Mapping[str, Any]]) -> list[int]:
        self.calls.append(len(records))
        return [3 * record["x"] for record in records]


def test_only_requests_for_the_same_call_share_a_model_call() -> None:
    doubler, tripler = Doubler(), Tripler()
    requests = requests_of([1, 2, 1, 2])

    async def scenario() -> list[list[int]]:
        async with Batcher(doubler, max_batch_size=64, max_wait_ms=50) as batcher:
            calls = [None, None, tripler, tripler]
            return await asyncio.gather(
                *(batcher.submit(r, call) for r, call in zip(requests, calls, strict=True))
            )

    results = asyncio.run(scenario())
    assert results == [[0], [2, 4], [9], [12, 15]]
    assert doubler.calls == [3]
    assert tripler.calls == [3]


def test_a_lone_request_is_answered_without_waiting() -> None:
    model = Doubler()

    async def scenario() -> float:
        async with Batcher(model, max_batch_size=64, max_wait_ms=5000) as batcher:
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert await batcher.submit([{"x": 1}]) == [2]
            return loop.time() - start

    assert asyncio.run(scenario()) < 2.5


def test_a_batch_waits_for_as_many_callers_as_the_last_one() -> None:
    model = Doubler()

    async def staggered(batcher: Batcher[int], x: int, delay: float) -> list[int]:
        await asyncio.sleep(delay)
        return await batcher.submit([{"x": x}])

    async def scenario() -> list[list[int]]:
        async with Batcher(model, max_batch_size=64, max_wait_ms=5000) as batcher:
            await submit_all(batcher, requests_of([1, 1, 1]))
            # Three callers again, arriving 20 ms apart: still one model call.
            return await asyncio.gather(*(staggered(batcher, x, 0.02 * x) for x in range(3)))

    assert asyncio.run(scenario()) == [[0], [2], [4]]
    assert model.calls == [3, 3]


def test_submitting_to_a_stopped_batcher_is_an_error() -> None:
    async def scenario() -> None:
        batcher = Batcher(Doubler(), max_batch_size=4, max_wait_ms=1)
        await batcher.submit([{"x": 1}])

    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(scenario())
