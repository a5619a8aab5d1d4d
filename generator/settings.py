"""Settings: one declared table feeds the defaults, the command line and the README check."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError
from generator.runner import default_jobs


@dataclass(frozen=True)
class Setting:
    """One setting of a build."""

    name: str
    """Name on the command line (`--name`)."""
    default: object
    """Value when not given."""
    help: str
    """One line for `--help` and the README."""


SETTINGS = (
    Setting("seeds", "seeds", "folder of input articles, read recursively"),
    Setting("docs", "docs", "MkDocs docs folder the pages are written into"),
    Setting("themes", None, "taxonomy YAML file (default: the bundled market taxonomy)"),
    Setting("templates", "templates", "folder of the Jinja2 page templates"),
    Setting("strict", False, "fail with exit code 1 when any input file gets a warning"),
    Setting("jobs", 0, "processes for the per-article work (0: all cores)"),
    Setting("cache", ".cache/digest", "folder where per-article results are kept between builds ('' for none)"),
)


@dataclass(frozen=True)
class BuildSettings:
    """Validated settings of one build."""

    seeds: Path
    """Folder of input articles."""
    docs: Path
    """Docs folder written into."""
    themes: Path | None
    """Taxonomy file, or None for the bundled one."""
    templates: Path
    """Folder of page templates."""
    strict: bool
    """Whether warnings fail the build."""
    jobs: int = 1
    """Processes for the per-article work."""
    cache: Path | None = None
    """Folder of the result cache, or None for no cache."""


def build_settings(**values) -> BuildSettings:
    """Settings from keyword values (None means default), checked once."""
    unknown = sorted(set(values) - {s.name for s in SETTINGS})
    if unknown:
        raise ConfigError(f"unknown setting '{unknown[0]}'")
    merged = {s.name: (values.get(s.name) if values.get(s.name) is not None else s.default) for s in SETTINGS}
    seeds = Path(merged["seeds"])
    if not seeds.is_dir():
        raise ConfigError(f"--seeds {seeds}: not a folder")
    themes = Path(merged["themes"]) if merged["themes"] else None
    if themes is not None and not themes.is_file():
        raise ConfigError(f"--themes {themes}: file not found")
    templates = Path(merged["templates"])
    if not templates.is_dir():
        raise ConfigError(f"--templates {templates}: not a folder")
    docs = Path(merged["docs"])
    if docs.exists() and not docs.is_dir():
        raise ConfigError(f"--docs {docs}: exists and is not a folder")
    if docs.resolve() == seeds.resolve() or seeds.resolve() in docs.resolve().parents:
        raise ConfigError(f"--docs {docs}: must not be inside the seeds folder")
    if not os.access(docs if docs.exists() else docs.parent if docs.parent.exists() else Path("."), os.W_OK):
        raise ConfigError(f"--docs {docs}: not writable")
    try:
        jobs = int(merged["jobs"])
    except (TypeError, ValueError):
        raise ConfigError(f"--jobs {merged['jobs']}: expected a whole number") from None
    if jobs < 0:
        raise ConfigError(f"--jobs {jobs}: expected 0 (all cores) or more")
    cache = Path(merged["cache"]) if merged["cache"] else None
    return BuildSettings(seeds, docs, themes, templates, bool(merged["strict"]), jobs or default_jobs(), cache)
