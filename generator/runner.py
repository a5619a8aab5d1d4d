"""Runner: per-item work of a stage, cached by content and spread over the machine's cores.

A stage hands the runner a top-level function and its items; the runner returns the results in
the items' order. Each result is stored under the stage's name, a fingerprint of the generator's
code and bundled data, and a hash of the item itself, so a rebuild redoes only the items that
changed, and any change to the code or data starts afresh. Misses run in a process pool when
there are enough of them to pay for it.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import logging
import os
import pickle
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

POOL_MIN_ITEMS = 64
"""Fewer misses than this run in the build's own process: a pool would cost more than it saves."""


@cache
def code_fingerprint() -> str:
    """Hash of the generator's source and bundled data: results of other code are never reused."""
    digest = hashlib.sha256()
    root = resources.files("generator")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".txt"):
            digest.update(path.relative_to(Path(str(root))).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def item_key(*parts: object) -> str:
    """A stable key for an item: the hash of its pickled parts, where an article stands for itself
    by its path and its source's hash, wherever it is among the parts.

    The pickler runs without its memo, so equal values give equal bytes whether or not they share
    objects (a string read from the cache and the same string made afresh).
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dispatch_table = _key_reducers()
    pickler.dump(parts)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


@cache
def _key_reducers() -> dict:
    from generator.records import Article

    table = copyreg.dispatch_table.copy()
    table[Article] = _article_key
    return table


def _article_key(article) -> tuple:
    if article.source_digest:
        return tuple, (("article", article.id, article.source_digest),)
    return article.__reduce_ex__(5)


class Runner:
    """Maps stage functions over items with a result cache and a process pool."""

    def __init__(self, cache_dir: Path | None = None, jobs: int = 1):
        self.jobs = max(1, jobs)
        self._db: sqlite3.Connection | None = None
        if cache_dir is not None:
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(cache_dir / "results.sqlite", isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS results (stage TEXT, key TEXT, value BLOB, "
                                 "PRIMARY KEY (stage, key)) WITHOUT ROWID")
            except (OSError, sqlite3.Error) as exc:
                log.warning("%s: cache not usable (%s); building without it", cache_dir, exc)
                self._db = None
        self.hits = 0
        self.misses = 0

    def map(self, stage: str, func: Callable[[T], R], items: Sequence[T],
            keys: Iterable[str] | None = None) -> list[R]:
        """`func(item)` for every item, in order; cached results are reused."""
        keys = list(keys) if keys is not None else [item_key(item) for item in items]
        name = f"{stage}@{code_fingerprint()}"
        results: list = self._load(name, keys)
        todo = [i for i, r in enumerate(results) if r is _MISSING]
        self.hits += len(items) - len(todo)
        self.misses += len(todo)
        if todo:
            computed = self._compute(func, [items[i] for i in todo])
            for i, (value, _) in zip(todo, computed):
                results[i] = value
            self._store(name, [(keys[i], data) for i, (_, data) in zip(todo, computed)])
        return results

    def get(self, stage: str, key: str):
        """A value stored with `put`, or None."""
        found = self._load(f"{stage}@{code_fingerprint()}", [key])[0]
        return None if found is _MISSING else found

    def put(self, stage: str, key: str, value) -> None:
        """Store one value (a stage's state between builds)."""
        self._store(f"{stage}@{code_fingerprint()}", [(key, pickle.dumps(value, protocol=5))])

    def close(self) -> None:
        """Drop results of other code versions and close the cache."""
        if self._db is not None:
            try:
                self._db.execute("DELETE FROM results WHERE stage NOT LIKE ?", (f"%@{code_fingerprint()}",))
            except sqlite3.Error:
                pass
            self._db.close()
            self._db = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _compute(self, func, items: list) -> list[tuple[object, bytes]]:
        """Each item's result and its pickled bytes (the form the cache stores)."""
        if self.jobs == 1 or len(items) < POOL_MIN_ITEMS:
            values = [func(item) for item in items]
            return [(v, pickle.dumps(v, protocol=5) if self._db is not None else b"") for v in values]
        return [(pickle.loads(b), b) for b in map_pickled(func, items, self.jobs)]

    def _load(self, name: str, keys: list[str]) -> list:
        out = [_MISSING] * len(keys)
        if self._db is None or not keys:
            return out
        where = {k: i for i, k in enumerate(keys)}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            rows = self._db.execute(
                f"SELECT key, value FROM results WHERE stage = ? AND key IN ({','.join('?' * len(batch))})",
                (name, *batch))
            for key, value in rows:
                try:
                    out[where[key]] = pickle.loads(value)
                except Exception:  # a damaged entry is recomputed
                    continue
        for i, key in enumerate(keys):  # duplicate keys share one result
            if out[i] is _MISSING and out[where[key]] is not _MISSING:
                out[i] = out[where[key]]
        return out

    def _store(self, name: str, pairs: list[tuple[str, bytes]]) -> None:
        if self._db is None or not pairs:
            return
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                                 [(name, k, v) for k, v in pairs])
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("cache write failed (%s); results are not kept for the next build", exc)
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass


def map_parallel(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`func(item)` for every item, in order, over `jobs` processes when there are enough items."""
    if jobs == 1 or len(items) < POOL_MIN_ITEMS:
        return [func(item) for item in items]
    return [pickle.loads(b) for b in map_pickled(func, items, jobs)]


def map_pickled(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[bytes]:
    """`func(item)` for every item, pickled, computed in `jobs` forked processes.

    The workers inherit the function and the items (neither is pickled: a closure will do); only
    indices go to them, and each result comes back pickled once, in the worker.
    """
    global _WORK
    _WORK = (func, items)
    try:
        chunk = max(4, len(items) // (jobs * 32))  # small chunks: no worker idles long at the end
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
            return list(pool.map(_run_pickled, range(len(items)), chunksize=chunk))
    finally:
        _WORK = None


_WORK: tuple[Callable, Sequence] | None = None
"""The function and items of the map in progress, which forked workers inherit."""


def _run_pickled(index: int) -> bytes:
    func, items = _WORK
    return pickle.dumps(func(items[index]), protocol=5)


class _Missing:
    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1
