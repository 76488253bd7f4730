"""Worker threads for the fast kernels (private).

numpy's BLAS spreads one matrix product over its threads, but everything around the product
(the copies into planes and window blocks, the elementwise passes of the direct method) runs on
the calling thread only, so a convolution on two cores ran barely faster than on one. Here a
call instead splits its work into contiguous ranges (samples of the batch, or columns of the
output) and runs them on worker threads, each calling BLAS single-threaded: numpy releases the
GIL in its copies, ufunc loops and products, so the ranges really run at once.

The number of workers is BLAS's own thread count at the time of the call (read and set with
``threadpoolctl``), so ``threadpoolctl.threadpool_limits(1)`` makes convlib serial as it makes
numpy serial; without ``threadpoolctl`` every call is serial. A call inside a worker, or while
another call's workers hold BLAS at one thread, is serial too: parallel regions never nest.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # optional: without it every call runs on the calling thread
    ThreadpoolController = None

MIN_WORK = 2**23
"""Multiply-adds each worker must get for a split (below, the hand-off cost more than it saved)."""

_lock = threading.Lock()
_local = threading.local()
_state: dict = {"blas": None, "pool": None, "pid": None, "active": 0, "saved": []}


def _blas_libraries() -> list:
    """The BLAS libraries loaded when this is first asked (numpy's, which convlib calls)."""
    if _state["blas"] is None:
        found = ThreadpoolController().lib_controllers if ThreadpoolController else []
        _state["blas"] = [lib for lib in found if lib.user_api == "blas"]
    return _state["blas"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def budget() -> int:
    """Workers one call may use now: BLAS's thread count, capped by the usable cores.

    1 inside a worker, while another call's workers run, or without ``threadpoolctl``.
    """
    if getattr(_local, "in_worker", False) or _state["active"]:
        return 1
    threads = [lib.num_threads for lib in _blas_libraries()]
    return max(1, min(max(threads, default=1), _cores()))


def split(total: int, work: float, step: int = 1) -> list[tuple[int, int]]:
    """Contiguous ranges covering ``range(total)``, one per worker that gets ``MIN_WORK``.

    ``work`` is the whole task's multiply-adds; range bounds are multiples of ``step`` (except
    the last), so that a worker's share is whole blocks.
    """
    parts = max(1, min(budget(), int(work // MIN_WORK), -(-total // step)))
    bounds = [min(total, -(-total * i // parts // step) * step) for i in range(parts + 1)]
    ranges = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    return ranges or [(0, total)]


def run(fn: Callable[[int, int], None], ranges: list[tuple[int, int]]) -> None:
    """``fn(start, stop)`` for every range: the first on this thread, the rest on workers.

    BLAS is held at one thread while the ranges run. Returns when every range is done; the
    first exception raised by any range is raised here.
    """
    if len(ranges) == 1:
        fn(*ranges[0])
        return
    with _single_threaded_blas():
        pool = _pool()
        futures = [pool.submit(_as_worker, fn, a, b) for a, b in ranges[1:]]
        try:
            _as_worker(fn, *ranges[0])
        finally:
            errors = [f.exception() for f in futures]  # waits for every range
        for error in errors:
            if error is not None:
                raise error


def _as_worker(fn: Callable[[int, int], None], start: int, stop: int) -> None:
    before = getattr(_local, "in_worker", False)
    _local.in_worker = True
    try:
        fn(start, stop)
    finally:
        _local.in_worker = before


def _pool() -> ThreadPoolExecutor:
    """The workers, one per usable core besides the calling thread's (started once)."""
    with _lock:
        if _state["pool"] is None or _state["pid"] != os.getpid():
            workers = max(1, _cores() - 1)
            _state["pool"] = ThreadPoolExecutor(workers, thread_name_prefix="convlib")
            _state["pid"] = os.getpid()
        return _state["pool"]


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    with _lock:
        if _state["active"] == 0:
            _state["saved"] = [(lib, lib.num_threads) for lib in _blas_libraries()]
            for lib, _ in _state["saved"]:
                lib.set_num_threads(1)
        _state["active"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["active"] -= 1
            if _state["active"] == 0:
                for lib, threads in _state["saved"]:
                    lib.set_num_threads(threads)


def _after_fork_in_child() -> None:  # a forked child has none of the parent's threads
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    _state.update(pool=None, pid=None, active=0, saved=[])


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
