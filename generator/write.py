"""Write: put the rendered pages into docs/ without touching hand-written pages.

The generator owns `docs/digest/` and `docs/digest.json`, and `docs/index.md` while that page
carries the generated marker. The new `digest/` folder is written aside and swapped in whole, so
an interrupted build leaves the previous pages as they were; a page whose bytes did not change
keeps its old modification time, so watchers and deploys see only what changed.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
from pathlib import Path

from generator.errors import BuildError
from generator.render import GENERATED, HOME, KEPT, MARKER, Kept
from generator.runner import file_identity

log = logging.getLogger(__name__)


class PreviousPages:
    """The generated pages the previous build left in docs/, with the key each was made from.

    `render_pages` asks `matches(path, key)` for each page it could skip; the answer is yes when
    the previous build wrote that page from the same key and its file is untouched since (same
    size, modification time and inode). It tells `remember(path, key, kept)` the key of every such
    page, for the next build, and whether the previous file was kept (its identity is then known).
    """

    def __init__(self, docs: Path, manifest: dict[str, tuple] | None = None):
        self.docs = docs
        self.manifest = manifest or {}
        self.keys: dict[str, str] = {}
        self._kept: set[str] = set()  # pages kept as they were: linked as they are, so their identity stays

    def matches(self, path: str, key: str) -> bool:
        entry = self.manifest.get(path)
        if entry is None or entry[0] != key:
            return False
        identity = file_identity(self.docs / path)
        return identity is not None and identity == tuple(entry[1:])

    def remember(self, path: str, key: str, kept: bool = False) -> None:
        self.keys[path] = key
        if kept:
            self._kept.add(path)

    def manifest_after_write(self) -> dict[str, tuple]:
        """The manifest for the next build: each keyed page's key and its file's identity now."""
        out = {}
        for path, key in self.keys.items():
            if path in self._kept:  # the same file, linked into the new folder
                out[path] = self.manifest[path]
                continue
            identity = file_identity(self.docs / path)
            if identity is not None:
                out[path] = (key, *identity)
        return out


def write_docs(pages: dict[str, str | Kept], files: dict[str, str], docs: Path) -> list[str]:
    """Write pages (Markdown) and files (other text) under docs; return the paths written or kept.

    Everything is written aside first (the new `digest/` folder, a temporary file beside each other
    page); only then are they renamed into place, so a failure or a kill while writing leaves the
    previous pages whole.
    """
    docs.mkdir(parents=True, exist_ok=True)
    _recover(docs)
    owned = {p: t for p, t in {**pages, **files}.items() if p.startswith(GENERATED + "/")}
    loose = {p: t for p, t in {**pages, **files}.items() if not p.startswith(GENERATED + "/")}
    for path in loose:
        if not _inside(docs / path, docs):
            raise BuildError(f"refusing to write outside {docs}: {path}")
    fresh = docs / f".{GENERATED}.new"
    staged: list[tuple[Path, Path]] = []
    try:
        _write_fresh(owned, fresh, docs)
        staged = _stage_loose(loose, docs)
        _swap(fresh, docs)
        for temp, target in staged:
            os.replace(temp, target)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        where = exc.filename or docs
        raise BuildError(f"could not write {where}: {exc.strerror or exc}; the previous pages were left as they were") from None
    return sorted({**pages, **files})


def _write_fresh(owned: dict[str, str | Kept], fresh: Path, docs: Path) -> None:
    """Write the generated folder aside; a page whose bytes did not change is linked, keeping its mtime."""
    current, new = os.fspath(docs / GENERATED), os.fspath(fresh)
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    jobs = []
    folders = set()
    for path, text in sorted(owned.items()):
        rel = path[len(GENERATED) + 1:]
        if posixpath.normpath(rel) != rel or rel.startswith(("/", "..")):
            raise BuildError(f"refusing to write outside {docs}: {path}")
        folders.add(posixpath.dirname(rel))
        jobs.append((f"{current}/{rel}", f"{new}/{rel}", text))
    for folder in sorted(folders):
        os.makedirs(f"{new}/{folder}", exist_ok=True)
    for job in jobs:
        _write_one(job)


def _write_one(job: tuple[str, str, str | Kept]) -> None:
    previous, target, text = job
    if text is KEPT:
        os.link(previous, target)  # unchanged inputs: the previous file is this page
        return
    data = text.encode("utf-8")
    try:
        with open(previous, "rb") as file:
            same = file.read() == data
    except OSError:
        same = False
    if same:
        try:
            os.link(previous, target)  # the same file: no copy, same modification time
        except OSError:
            shutil.copy2(previous, target)
    else:
        Path(target).write_bytes(data)


def _swap(fresh: Path, docs: Path) -> None:
    """Put the fresh generated folder in place of the current one; on failure, keep the current one."""
    current, old = docs / GENERATED, docs / f".{GENERATED}.old"
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        os.replace(current, old)
    try:
        os.replace(fresh, current)
    except OSError:
        if old.exists():
            os.replace(old, current)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _stage_loose(loose: dict[str, str], docs: Path) -> list[tuple[Path, Path]]:
    """Temporary files beside the pages outside the generated folder that changed: (temp, target)."""
    staged = []
    for path, text in sorted(loose.items()):
        target = docs / path
        if path == HOME and _hand_written(target):
            log.warning("%s: hand-written home page kept; the briefing home page was not written", target)
            continue
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        staged.append((temp, target))
        temp.write_bytes(data)
    return staged


def _recover(docs: Path) -> None:
    """Put back the previous pages if a build stopped between the two renames of a swap."""
    current, old = docs / GENERATED, docs / f".{GENERATED}.old"
    if old.exists() and not current.exists():
        os.replace(old, current)


def _hand_written(path: Path) -> bool:
    if not path.exists():
        return False
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    return MARKER not in head


def _inside(path: Path, root: Path) -> bool:
    resolved, base = path.resolve(), root.resolve()
    return resolved == base or base in resolved.parents
