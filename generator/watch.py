"""Watch: rebuild the digest whenever the seeds folder or the templates change (`make serve`).

Polls file names, sizes and modification times; a change starts a build, which reuses every
cached result, so only what changed is redone. `mkdocs serve` watches docs/ and reloads the
browser when the pages it serves change (unchanged pages are not rewritten).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Callable

from generator.build import build
from generator.errors import DigestError
from generator.settings import BuildSettings

log = logging.getLogger(__name__)


def snapshot(*folders: Path) -> frozenset[tuple[str, int, int]]:
    """Every file under the folders, with its size and modification time."""
    found = set()
    for folder in folders:
        for dirpath, _, filenames in os.walk(folder):
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found.add((path, stat.st_size, stat.st_mtime_ns))
    return frozenset(found)


def watch(settings: BuildSettings, interval: float = 0.5, rounds: int | None = None,
          on_build: Callable[[], None] = lambda: None) -> None:
    """Build now, then again after every change, polling every `interval` seconds (`rounds` polls, or forever)."""
    seen = None
    while rounds is None or rounds > 0:
        current = snapshot(settings.seeds, settings.templates)
        if current != seen:
            seen = current
            started = time.perf_counter()
            try:
                result = build(settings)
                log.warning("%s %d stories from %d articles in %.1f s",
                            "rebuilt" if result.digest is not None else "nothing changed: kept",
                            result.stories, result.articles, time.perf_counter() - started)
            except DigestError as exc:
                log.error("%s", exc)
            on_build()
        if rounds is not None:
            rounds -= 1
        time.sleep(interval)
