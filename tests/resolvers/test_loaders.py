"""``resolvers.loaders.load_now``: what ``load_many`` returns, one batch call, cache primed."""

from __future__ import annotations

from typing import Any

import pytest
from aiodataloader import DataLoader

from resolvers.loaders import load_now


class Batches:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[Any]] = []
        self.fail = fail

    async def batch(self, keys: list[Any]) -> list[Any]:
        self.calls.append(keys)
        if self.fail:
            raise RuntimeError("statement failed")
        return [f"row {k}" if k != 3 else None for k in keys]


async def test_load_now_returns_what_load_many_does_and_primes_the_cache() -> None:
    batches = Batches()
    loader: DataLoader[Any, Any] = DataLoader(batch_load_fn=batches.batch, max_batch_size=1000)
    reference: DataLoader[Any, Any] = DataLoader(batch_load_fn=Batches().batch, max_batch_size=1000)
    assert await load_now(loader, [1, 2, 3]) == await reference.load_many([1, 2, 3])
    assert batches.calls == [[1, 2, 3]]
    assert await loader.load(2) == "row 2" and await loader.load(3) is None
    assert batches.calls == [[1, 2, 3]]  # served from the primed cache


async def test_a_failed_batch_caches_nothing() -> None:
    batches = Batches(fail=True)
    loader: DataLoader[Any, Any] = DataLoader(batch_load_fn=batches.batch, max_batch_size=1000)
    with pytest.raises(RuntimeError, match="statement failed"):
        await load_now(loader, [1, 2])
    batches.fail = False
    assert await loader.load(1) == "row 1"
    assert batches.calls == [[1, 2], [1]]


async def test_more_keys_than_a_batch_go_through_load_many() -> None:
    batches = Batches()
    loader: DataLoader[Any, Any] = DataLoader(batch_load_fn=batches.batch, max_batch_size=2)
    assert await load_now(loader, [1, 2, 4]) == ["row 1", "row 2", "row 4"]
    assert batches.calls == [[1, 2], [4]]
