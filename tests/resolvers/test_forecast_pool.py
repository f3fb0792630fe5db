"""The forecasts' model choice runs on the gateway's CPU pool as a module-level function of
arrays, so a process pool (GATEWAY_CPU_POOL=process) runs it in a worker process: the result
(pickled back) equals the one computed in this process."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from resolvers import offload
from resolvers.statistics_forecast import ChosenForecast, choose_forecast


def test_choose_forecast_on_a_process_pool_equals_in_process() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(28 * 24)
    history = [float(v) for v in rng.poisson(9 + 5 * np.sin(2 * np.pi * t / 24))]
    flags = np.zeros(len(history) + 48, dtype=bool)
    flags[24 * 10 : 24 * 11] = True
    here = choose_forecast(history, 48, 168, periods=(24, 168), holidays=flags, max_origins=2)

    async def pooled() -> ChosenForecast:
        offload.configure("process", 1)
        try:
            return await offload.run_cpu(choose_forecast, history, 48, 168, periods=(24, 168),
                                         holidays=flags, max_origins=2)  # fmt: skip
        finally:
            offload.configure("thread")

    there = asyncio.run(pooled())
    assert there.model == here.model and there.description == here.description
    assert list(there.prediction.mean) == pytest.approx(list(here.prediction.mean), rel=1e-12)
    assert list(there.prediction.hi95) == pytest.approx(list(here.prediction.hi95), rel=1e-12)
