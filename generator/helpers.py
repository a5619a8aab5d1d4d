"""Helpers: processes forked while a build is still small, that work out items sent to them.

A rebuild that adds a day's articles has a hundred misses in each per-article stage, met after the
build has read every cached result: forking a pool from that process then costs about what the
second core saves (each worker copies the pages of the build's memory its reference counts touch),
so the work stayed on one core. Helpers are forked once, when the build starts and holds little;
a stage's function and items go to them pickled (a hundred articles are a few hundred kilobytes),
and the build's own process works out items beside them.
"""

from __future__ import annotations

import gc
import pickle
import time
from multiprocessing import get_context
from multiprocessing.connection import wait
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK_SECONDS = 0.02
"""About how long a chunk of items sent to a helper should take: long enough that sending it costs
little beside it, short enough that no process idles long at the end."""


class Helpers:
    """`count` helper processes, and the build's own process, working out a map together."""

    def __init__(self, count: int):
        context = get_context("fork")
        self._links = []
        self._processes = []
        self._calls = 0
        for _ in range(count):
            here, there = context.Pipe()
            process = context.Process(target=_serve, args=(there, [*self._links, here]), daemon=True)
            process.start()
            there.close()
            self._links.append(here)
            self._processes.append(process)

    def map(self, func: Callable[[T], R], items: Sequence[T]) -> list[R] | None:
        """`func(item)` for every item, in order, over the helpers and this process; None when the
        function cannot be sent to a helper (a closure: the caller works the items out otherwise)."""
        try:
            sent_func = pickle.dumps(func, protocol=5)
        except (pickle.PicklingError, AttributeError, TypeError):
            return None
        self._calls += 1
        call = self._calls
        results: list = [None] * len(items)
        chunk = 1
        pending = list(range(len(items)))
        pending.reverse()  # taken from the end: items go out in order
        busy: dict[int, list[int]] = {}  # helper -> the positions it is working out
        told: set[int] = set()  # helpers that have this call's function

        def send(helper: int) -> None:
            positions = [pending.pop() for _ in range(min(chunk, len(pending)))]
            if not positions:
                return
            busy[helper] = positions
            message = (call, None if helper in told else sent_func, [items[i] for i in positions])
            told.add(helper)
            self._links[helper].send_bytes(pickle.dumps(message, protocol=5))

        def receive(helper: int) -> None:
            try:
                failed, values = pickle.loads(self._links[helper].recv_bytes())
            except EOFError:
                raise RuntimeError(f"a helper process ended (exit code {self._processes[helper].exitcode})") from None
            positions = busy.pop(helper)
            if failed:
                raise values
            for i, value in zip(positions, values):
                results[i] = value

        try:
            # the first item, worked out here, sets the chunk size; each helper then gets a chunk,
            # and this process takes one item at a time, handing a helper its next chunk as it
            # finishes one
            if pending:
                started = time.perf_counter()
                first = pending.pop()
                results[first] = func(items[first])
                took = time.perf_counter() - started
                chunk = max(1, min(64, int(CHUNK_SECONDS / took) if took > 0 else 64))
            helper_of = {link: helper for helper, link in enumerate(self._links)}
            for helper in helper_of.values():
                send(helper)
            while pending:
                i = pending.pop()
                results[i] = func(items[i])
                for link in wait([self._links[h] for h in busy], timeout=0):
                    receive(helper_of[link])
                    send(helper_of[link])
            while busy:
                for link in wait([self._links[h] for h in busy]):
                    receive(helper_of[link])
        finally:  # after an error, what the helpers are still working out is waited for and dropped
            for helper in list(busy):
                try:
                    self._links[helper].recv_bytes()
                except (EOFError, OSError):
                    pass
            busy.clear()
        return results

    def close(self) -> None:
        """End the helpers (each stops when its pipe closes)."""
        for link in self._links:
            link.close()
        for process in self._processes:
            process.join(timeout=1)
            if process.is_alive():
                process.terminate()
                process.join()
        self._links, self._processes = [], []


def _serve(link, inherited: list) -> None:
    """A helper: work out each chunk sent until the pipe closes; send back the results, or the
    error. The build's ends of the pipes, which it inherited, are closed first: its own pipe then
    closes when the build closes its end."""
    for end in inherited:
        end.close()
    collect_own_garbage()
    func, call = None, None
    while True:
        try:
            message = link.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            number, sent_func, items = pickle.loads(message)
            if number != call:
                func, call = pickle.loads(sent_func), number
            outcome = (False, [func(item) for item in items])
        except BaseException as exc:  # noqa: BLE001 - the build's own process raises it
            outcome = (True, exc)
        try:
            link.send_bytes(pickle.dumps(outcome, protocol=5))
        except Exception as exc:  # the result or the error would not pickle: send what it says
            link.send_bytes(pickle.dumps((True, RuntimeError(f"{type(exc).__name__}: {exc}")), protocol=5))


YOUNG_OBJECTS = 10_000
"""Objects a worker makes before the collector looks for cycles among the youngest (Python's
default is 700): keyword extraction, which makes and drops millions of small objects, ran 8 %
faster (1.16 to 1.07 s over 400 articles), the few cycles it makes kept a little longer."""


def collect_own_garbage() -> None:
    """In a worker: collect cycles among the objects it makes, never walking the ones it inherited
    (the build pauses collection in its own process, so a worker starts with all of them pending:
    walking them would copy every page of the build's memory into the worker)."""
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    gc.enable()
