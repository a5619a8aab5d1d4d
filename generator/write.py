"""Write: put the rendered pages into docs/ without touching hand-written pages.

The generator owns `docs/digest/` and `docs/digest.json`, and `docs/index.md` while that page
carries the generated marker. The new `digest/` folder is written aside and swapped in whole, so
an interrupted build leaves the previous pages as they were; a page whose bytes did not change
keeps its old modification time, so watchers and deploys see only what changed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from generator.errors import BuildError
from generator.render import GENERATED, HOME, MARKER

log = logging.getLogger(__name__)


def write_docs(pages: dict[str, str], files: dict[str, str], docs: Path) -> list[str]:
    """Write pages (Markdown) and files (other text) under docs; return the paths written or kept."""
    docs.mkdir(parents=True, exist_ok=True)
    _recover(docs)
    owned = {p: t for p, t in {**pages, **files}.items() if p.startswith(GENERATED + "/")}
    loose = {p: t for p, t in {**pages, **files}.items() if not p.startswith(GENERATED + "/")}
    for path in loose:
        if not _inside(docs / path, docs):
            raise BuildError(f"refusing to write outside {docs}: {path}")
    fresh, current, old = docs / f".{GENERATED}.new", docs / GENERATED, docs / f".{GENERATED}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    for path, text in sorted(owned.items()):
        target = fresh / path[len(GENERATED) + 1:]
        if not _inside(target, fresh):
            raise BuildError(f"refusing to write outside {docs}: {path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = current / path[len(GENERATED) + 1:]
        data = text.encode("utf-8")
        if previous.is_file() and previous.read_bytes() == data:
            shutil.copy2(previous, target)
        else:
            target.write_bytes(data)
    if current.exists():
        os.replace(current, old)
    os.replace(fresh, current)
    shutil.rmtree(old, ignore_errors=True)
    for path, text in sorted(loose.items()):
        if path == HOME and _hand_written(docs / HOME):
            log.warning("%s: hand-written home page kept; the briefing home page was not written", docs / HOME)
            continue
        _write_if_changed(docs / path, text)
    return sorted({**pages, **files})


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


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _inside(path: Path, root: Path) -> bool:
    resolved, base = path.resolve(), root.resolve()
    return resolved == base or base in resolved.parents
