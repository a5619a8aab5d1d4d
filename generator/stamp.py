"""Stamp: what the last build read and wrote, so that a build with nothing changed stops at once.

Most commits touch neither the articles nor the templates nor the settings. A build records what
its output was made from (the identity of every file under the seeds folder and the templates
folder, the theme file, the settings that shape the pages), what it wrote (the identity of every
generated file) and the warnings it gave. The next build checks those first: when all are as
they were, the pages already in docs/ are the pages it would write, and it ends there, giving the
same warnings again (and failing the same way under --strict).

A file's identity is its size, modification time and inode, as for the seeds' own manifest; the
generator's code is part of the cache's key, so a stamp never outlives a change to the code.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.render import GENERATED
from generator.runner import Runner, file_identity, item_key
from generator.settings import BuildSettings

if TYPE_CHECKING:
    from generator.build import BuildResult

OWNER = None
"""Stamps are kept under the fingerprint of all the generator's code and data."""


@dataclass(frozen=True)
class Stamp:
    """What a finished build read, wrote and said."""

    inputs: str
    """Hash of the identities of everything the pages are made from."""
    written: tuple[tuple[str, tuple[int, int, int] | None], ...]
    """Each generated file (path under docs/) and its identity after the build."""
    notes: tuple[tuple[str, int, str], ...]
    """The warnings the build logged: logger, level and message."""
    problem: str | None
    """The first skipped file or warning, which fails a build under --strict."""
    stories: int
    articles: int
    skipped: int


def inputs_key(settings: BuildSettings, looked: dict[str, tuple | None] | None = None) -> str:
    """Hash of what the pages are made from: the files under the seeds and templates folders, the
    theme file, and the settings that shape the output. `looked` gets the identity of each file under
    the seeds folder by its path, for the reading of the seeds to take instead of looking again."""
    parts = [str(settings.seeds.resolve()), str(settings.docs.resolve()), folder_identity(settings.seeds, looked),
             folder_identity(settings.templates), file_identity(settings.themes) if settings.themes else None]
    return item_key(tuple(parts))


def last_stamp(runner: Runner, settings: BuildSettings, inputs: str,
               on_disk: Callable[[], dict[str, tuple | None]]) -> Stamp | None:
    """The previous build's stamp when nothing it read or wrote has changed since, else None.
    `on_disk`: gives the identities of the files under docs/ a build writes (`write.files_on_disk`),
    called only once the stamp's inputs are found to be the same."""
    key = str(settings.docs.resolve())
    if runner.get("stamp-inputs", key, OWNER) != inputs:  # the stamp itself (megabytes) is not read
        return None
    stamp = runner.get("stamp", key, OWNER)
    if not isinstance(stamp, Stamp) or stamp.inputs != inputs:
        return None
    found = on_disk()
    if any(found.get(path) != identity for path, identity in stamp.written):
        return None
    generated = {path for path, _ in stamp.written if path.startswith(f"{GENERATED}/")}
    if {path for path in found if path.startswith(f"{GENERATED}/")} != generated:
        return None  # a file added to the generated folder by hand: a build would remove it
    return stamp


def keep_stamp(runner: Runner, settings: BuildSettings, inputs: str, notes: Notes, problem: str | None,
               result: BuildResult, known: dict[str, tuple] | None = None) -> None:
    """Record what this build read, wrote and said, for the next build (only when every warning
    could be heard: a build whose warnings were silenced cannot give them again). `known`: the
    identities of files the build has just looked at or written (the pages' manifest), which are
    not looked up again."""
    stamp = None
    if notes.complete:
        docs = os.fspath(settings.docs)  # paths as strings: no Path made per page
        known = known or {}
        identities = tuple((path, known[path] if path in known else file_identity(f"{docs}/{path}"))
                           for path in result.pages)
        stamp = Stamp(inputs, identities, tuple(notes.records), problem, result.stories, result.articles,
                      result.skipped)
    key = str(settings.docs.resolve())
    runner.put("stamp", key, stamp, OWNER)
    runner.put("stamp-inputs", key, stamp.inputs if stamp is not None else None, OWNER)


class Notes(logging.Handler):
    """The warnings logged while it is attached to the generator's logger, to give them again."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []
        self.complete = False
        """Whether warnings reached it (not when the generator's logging is set above them)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self) -> Notes:
        logger = logging.getLogger("generator")
        loggers = [logger] + [logging.getLogger(name) for name in sorted(logger.manager.loggerDict)
                              if name.startswith("generator.")]
        self.complete = all(one.isEnabledFor(logging.WARNING) and not one.disabled for one in loggers)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("generator").removeHandler(self)


def repeat_notes(stamp: Stamp) -> None:
    """Log the warnings of the build that made the stamp again."""
    for name, level, message in stamp.notes:
        logging.getLogger(name).log(level, "%s", message)


def folder_identity(folder: Path, looked: dict[str, tuple | None] | None = None) -> str:
    """Hash of the path and identity of every file and folder under a folder (links followed for
    files): the same as long as nothing in it was added, removed or changed. `looked` gets each
    file's identity by its path (the folder's path, `/`, the path under it).

    The listing is written out as text and hashed once: at 20,000 files, a tuple of entries walked
    by the key's writer took three times as long."""
    entries = []
    looked = {} if looked is None else looked
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        rel = os.path.relpath(dirpath, folder)
        entries.append(f"d{len(rel)}:{rel}{len(dirnames)}:" + "".join(f"{len(d)}:{d}" for d in dirnames))
        for name in sorted(filenames):
            path = f"{dirpath}/{name}"
            identity = looked[path] = file_identity(path)
            entries.append(f"f{len(name)}:{name}{identity}")
    return hashlib.sha256("".join(entries).encode("utf-8", "surrogatepass")).hexdigest()
