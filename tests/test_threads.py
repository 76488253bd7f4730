"""The worker threads of the fast kernels: how work is split, run, and kept serial."""

from __future__ import annotations

import multiprocessing
import threading

import numpy as np
import pytest

import convlib
from convlib import reference
from convlib._engine import threads as _threads

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture
def two_workers(monkeypatch):
    """As on a 2-core machine whatever this one has, and split even small tasks."""
    monkeypatch.setattr(_threads, "MIN_WORK", 1)

    def budget():
        nested = getattr(_threads._local, "in_worker", False) or _threads._state["active"]
        return 1 if nested else 2

    monkeypatch.setattr(_threads, "budget", budget)


@pytest.fixture
def ranges_run(monkeypatch):
    """The ranges of every ``_threads.run`` call, in order (the calls still run)."""
    calls = []
    real_run = _threads.run

    def recording_run(fn, ranges):
        calls.append(ranges)
        return real_run(fn, ranges)

    monkeypatch.setattr(_threads, "run", recording_run)
    return calls


@pytest.mark.parametrize(("total", "step"), [(1, 1), (7, 1), (100, 64), (1000, 64), (5, 8)])
def test_split_covers_every_index_once_in_whole_steps(two_workers, total, step):
    ranges = _threads.split(total, work=10**9, step=step)
    assert ranges[0][0] == 0 and ranges[-1][1] == total
    assert all(a < b for a, b in ranges)
    assert all(b == c for (_, b), (c, _) in zip(ranges, ranges[1:], strict=False))
    assert all(b % step == 0 for _, b in ranges[:-1])
    assert len(ranges) <= 2


def test_split_keeps_small_work_on_one_thread(monkeypatch):
    monkeypatch.setattr(_threads, "budget", lambda: 2)
    assert _threads.split(1000, work=_threads.MIN_WORK) == [(0, 1000)]
    assert len(_threads.split(1000, work=2 * _threads.MIN_WORK)) == 2


def test_budget_follows_blas_threads_and_is_one_inside_a_worker():
    with threadpoolctl.threadpool_limits(1):
        assert _threads.budget() == 1
    seen = []
    _threads.run(lambda a, b: seen.append(_threads.budget()), [(0, 1), (1, 2)])
    assert seen == [1, 1]


def blas_threads() -> set[int]:
    return {lib.num_threads for lib in _threads._blas_libraries()}  # numpy's BLAS


def test_run_calls_every_range_and_restores_blas_threads(two_workers):
    calls, during = [], []

    def record(start, stop):
        calls.append((start, stop))
        during.append(blas_threads())

    with threadpoolctl.threadpool_limits(2):
        _threads.run(record, [(0, 3), (3, 5), (5, 9)])
        assert blas_threads() == {2}
    assert sorted(calls) == [(0, 3), (3, 5), (5, 9)]
    assert all(threads == {1} for threads in during)  # BLAS single-threaded in the workers


def test_an_error_in_a_worker_is_raised_after_every_range_finished(two_workers):
    finished = []

    def fail_on_the_second(start, stop):
        if start == 1:
            raise ValueError("range 1")
        finished.append(start)

    with threadpoolctl.threadpool_limits(2), pytest.raises(ValueError, match="range 1"):
        try:
            _threads.run(fail_on_the_second, [(0, 1), (1, 2), (2, 3)])
        finally:
            assert blas_threads() == {2}
    assert sorted(finished) == [0, 2]


@pytest.mark.parametrize("method", ["gemm", "direct"])
def test_split_work_gives_the_serial_result(two_workers, method, ranges_run):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 11, 9))
    w = rng.standard_normal((4, 1 if method == "direct" else 2, 3, 3))
    groups = 4 if method == "direct" else 2
    for kwargs in ({"padding": 1}, {"stride": 2, "dilation": (1, 2)}):
        got = convlib.conv2d(x, w, groups=groups, method=method, **kwargs)
        want = reference.conv(x, w, groups=groups, **kwargs)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
        wt = rng.standard_normal((4, 2, 3, 3))
        got_t = convlib.conv_transpose2d(x, wt, groups=2, method=method, **kwargs)
        want_t = reference.conv_transpose(x, wt, groups=2, **kwargs)
        np.testing.assert_allclose(got_t, want_t, rtol=1e-10, atol=1e-10)
    assert any(len(ranges) > 1 for ranges in ranges_run)  # the split path really ran
    one_sample = convlib.conv2d(x[:1], w, groups=groups, method=method, padding=1)
    np.testing.assert_allclose(
        one_sample, reference.conv(x[:1], w, groups=groups, padding=1), rtol=1e-10, atol=1e-10
    )


def test_transposed_products_split_samples_or_output_rows_and_give_the_serial_result(
    two_workers, ranges_run
):
    """Fewer output than input channels per group: one product per block, then one add per
    tap (the samples split between workers, or a single sample's output rows)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 6, 7, 5))
    w = rng.standard_normal((6, 5, 3, 2))  # 6 input channels, 5 output channels
    for batch in (x, x[:1]):
        for kwargs in ({"stride": 2, "padding": 1}, {"stride": (3, 1), "dilation": (1, 2)}):
            ranges_run.clear()
            got = convlib.conv_transpose2d(batch, w, method="gemm", **kwargs)
            want = reference.conv_transpose(batch, w, **kwargs)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
            assert (
                [(0, 2), (2, 3)] in ranges_run if len(batch) > 1 else [(0, 3), (3, 5)] in ranges_run
            )


def test_calls_from_several_threads_at_once_agree_with_the_reference(two_workers):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6, 16, 16))
    w = rng.standard_normal((6, 6, 3, 3))
    want = reference.conv(x, w, padding=1)
    results = {}

    def call(index):
        results[index] = convlib.conv2d(x, w, padding=1)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got in results.values():
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    assert _threads._state["active"] == 0


def _convolve_in_child(queue):
    x = np.ones((4, 2, 12, 12))
    queue.put(float(convlib.conv2d(x, np.ones((2, 2, 3, 3)), padding=1).sum()))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_child_gets_its_own_workers(two_workers):
    convlib.conv2d(np.ones((4, 2, 12, 12)), np.ones((2, 2, 3, 3)), padding=1)  # pool started
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_convolve_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    want = reference.conv(np.ones((4, 2, 12, 12)), np.ones((2, 2, 3, 3)), padding=1).sum()
    assert queue.get(timeout=5) == pytest.approx(want)


def test_a_worker_never_starts_workers_whatever_blas_reports(monkeypatch):
    class TwoThreadBlas:  # a BLAS that reports two threads and ignores every setting
        num_threads = 2

        def set_num_threads(self, threads):
            pass

    monkeypatch.setattr(_threads, "_blas_libraries", lambda: [TwoThreadBlas()])
    monkeypatch.setattr(_threads, "_cores", lambda: 2)
    assert _threads.budget() == 2
    seen = []
    _threads.run(lambda a, b: seen.append(_threads.budget()), [(0, 1), (1, 2)])
    assert seen == [1, 1]


def test_the_workers_share_one_chunk_of_temporary_memory(two_workers, monkeypatch):
    import tracemalloc

    from convlib._engine import fast as _kernels_fast

    monkeypatch.setattr(_kernels_fast, "CHUNK_BYTES", 2**21)
    monkeypatch.setattr(_kernels_fast, "BLOCK_BYTES", 2**14)
    monkeypatch.setattr(_kernels_fast, "REUSE_BYTES", 0)  # every workspace is a new allocation
    x = np.random.default_rng(5).standard_normal((64, 8, 30, 30))  # planes of all: 8.4 MB
    w = np.ones((8, 8, 3, 3))
    tracemalloc.start()
    try:
        out = convlib.conv2d(x, w, padding=1, method="gemm")
        peak = tracemalloc.get_traced_memory()[1] - out.nbytes
    finally:
        tracemalloc.stop()
    assert peak < 1.25 * 2**21
