"""CPU-heavy work off the event loop: ``await run_cpu(fn, *args)``.

Statistics, model fitting, forecasting and rendering are pure functions of their arguments; run
on the event loop they stall every other request of the process. :func:`run_cpu` runs them on a
bounded worker pool instead and awaits the result:

- ``thread`` (default): a pool of :data:`DEFAULT_WORKERS` threads. numpy, scipy and
  statsmodels release the GIL inside their compiled kernels, and in pure-Python stretches the
  interpreter still switches to the event loop every ``sys.getswitchinterval()`` (5 ms), so a
  light request waits milliseconds, not the whole computation. Arguments are not copied.
- ``process``: a pool of worker processes (``forkserver``), for pure-Python work that holds the
  GIL; ``fn`` and its arguments must be picklable (module-level functions, frozen dataclasses,
  arrays), and each call pays for pickling them.

The pool is bounded, so at most that many computations run at once; further calls queue
(fairly, in call order) instead of oversubscribing the 2 cores. :func:`configure` (called by the
gateway at start-up from ``GATEWAY_CPU_POOL``/``GATEWAY_CPU_WORKERS``) chooses the kind and size.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Workers when not configured: two, the cores of the machine this was measured on.
DEFAULT_WORKERS = 2
KINDS = ("thread", "process")

_kind = "thread"
_workers = DEFAULT_WORKERS
_executor: Executor | None = None


def configure(kind: str = "thread", workers: int = DEFAULT_WORKERS) -> None:
    """Choose the pool (``thread`` or ``process``) and its size; replaces a running pool."""
    global _kind, _workers
    if kind not in KINDS:
        raise ValueError(f"the CPU pool is one of {', '.join(KINDS)}, got {kind!r}")
    if workers < 1:
        raise ValueError("the CPU pool needs at least one worker")
    shutdown()
    _kind, _workers = kind, workers


def _pool() -> Executor:
    global _executor
    if _executor is None:
        if _kind == "process":
            context = multiprocessing.get_context("forkserver")
            _executor = ProcessPoolExecutor(_workers, mp_context=context)
        else:
            _executor = ThreadPoolExecutor(_workers, thread_name_prefix="cpu")
    return _executor


async def run_cpu(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` on the worker pool, awaited without blocking the event loop."""
    loop = asyncio.get_running_loop()
    call: Callable[[], T] = functools.partial(fn, *args, **kwargs)
    return await loop.run_in_executor(_pool(), call)


def shutdown() -> None:
    """Stop the pool (a later :func:`run_cpu` starts a new one)."""
    global _executor
    executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


def pool_info() -> dict[str, Any]:
    return {"kind": _kind, "workers": _workers, "running": _executor is not None}
