"""Expected pages for the seeds folder: `make golden` (python -m tests.golden) refreshes them.

Run it after an intended change to the pages, then read the diff before committing it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from generator.build import build
from generator.settings import build_settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def generate(docs: Path) -> None:
    """Build the seeds digest into `docs`."""
    build(build_settings(seeds=str(ROOT / "seeds"), docs=str(docs), templates=str(ROOT / "templates"), cache="", jobs=1))


def generated_files(docs: Path) -> dict[str, bytes]:
    """The files the generator owns under docs (digest/, digest.json, index.md), by relative path."""
    files = {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}
    return {rel: data for rel, data in files.items() if rel.startswith("digest/") or rel in ("digest.json", "index.md")}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in generated_files(Path(tmp)).items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    print(f"golden pages written to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
