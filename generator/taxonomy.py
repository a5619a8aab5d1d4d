"""The taxonomy file: a declared schema, validated once, every problem named with file and key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from generator.errors import ConfigError
from generator.records import Taxonomy, Theme
from generator.text import slugify

DEFAULT = "default market taxonomy"

TOP_LEVEL = {
    "min_score": (float, 3.0, "smallest score for an article to carry a theme"),
    "relative_score": (float, 0.3, "a second theme needs this fraction of the first theme's score"),
    "themes": (list, None, "the themes, each with name, description and keywords"),
}
THEME_KEYS = {
    "id": (str, None, "slug used in page addresses (default: made from the name)"),
    "name": (str, None, "what readers see"),
    "description": (str, "", "what belongs in the theme"),
    "keywords": (list, None, "words and phrases that signal the theme"),
}


def default_taxonomy_path():
    """The taxonomy bundled with the generator."""
    return resources.files("generator") / "data" / "themes.yaml"


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file (the bundled default when `path` is None)."""
    label = str(path) if path else DEFAULT
    return parse_taxonomy(read_yaml(path or default_taxonomy_path(), label, "taxonomy file"), label)


def read_yaml(source, label: str, what: str):
    """Parsed YAML of a configuration file; any problem is a ConfigError naming the file."""
    try:
        # libyaml's parser when PyYAML has it: the same documents, read about ten times faster
        return yaml.load(source.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise ConfigError(f"{label}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot read the {what} ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{label}: not valid YAML{where}") from None


def parse_taxonomy(data, label: str) -> Taxonomy:
    """A taxonomy from already-parsed YAML; every problem reported at once, file and key named."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a mapping with a 'themes' list at the top level")
    top = _check(data, TOP_LEVEL, "", problems)
    themes = []
    for i, entry in enumerate(top.get("themes") or []):
        where = f"themes[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"'{where}': expected a mapping with name, description and keywords")
            continue
        values = _check(entry, THEME_KEYS, f"{where}.", problems)
        keywords = values.get("keywords") or []
        bad = [k for k in keywords if not isinstance(k, str) or not k.strip()]
        if bad:
            problems.append(f"'{where}.keywords': expected a list of words or phrases, got {bad[0]!r}")
            continue
        if "name" not in values or "keywords" not in values:
            continue
        theme_id = values.get("id") or slugify(values["name"])
        themes.append(Theme(theme_id, values["name"], " ".join(values.get("description", "").split()),
                            tuple(k.strip() for k in keywords)))
    if "themes" in top and not top["themes"]:
        problems.append("'themes': expected at least one theme")
    ids = [t.id for t in themes]
    for theme_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"'themes': two themes have the id '{theme_id}'")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{label}: {problems[0]}{more}")
    return Taxonomy(tuple(themes), top.get("min_score", 3.0), top.get("relative_score", 0.3), label)


def _check(data: dict, schema: dict, prefix: str, problems: list[str]) -> dict:
    out = {}
    for key in sorted(map(str, data)):
        if key not in schema:
            known = ", ".join(schema)
            problems.append(f"'{prefix}{key}': unknown key (expected one of {known})")
    for key, (kind, default, help_text) in schema.items():
        if key not in data or data[key] is None:
            if default is None and key != "id":
                problems.append(f"'{prefix}{key}': missing ({help_text})")
            elif default is not None:
                out[key] = default
            continue
        value = data[key]
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"'{prefix}{key}': expected {kind.__name__}, got {type(value).__name__} {value!r}")
            continue
        out[key] = value.strip() if isinstance(value, str) else value
    return out
