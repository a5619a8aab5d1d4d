"""The entity registry file: a declared schema, validated once, problems named with file and key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


from generator.errors import ConfigError
from generator.taxonomy import read_yaml
from generator.factrecords import Entity, EntityRegistry
from generator.text import slugify

DEFAULT = "default entity registry"
KINDS = ("company", "index", "etf", "commodity", "currency", "market", "person", "institution")
ENTRY_KEYS = {
    "id": (str, "slug used in page addresses (default: made from the name)"),
    "name": (str, "what readers see"),
    "kind": (str, "one of " + ", ".join(KINDS)),
    "aliases": (list, "other spellings, matched as whole words"),
    "tickers": (list, "tickers as EXCHANGE:CODE"),
}


def default_registry_path():
    """The registry bundled with the generator."""
    return resources.files("generator") / "data" / "entities.yaml"


def load_registry(path: Path | None = None) -> EntityRegistry:
    """Read and validate an entity registry (the bundled default when `path` is None)."""
    label = str(path) if path else DEFAULT
    data = read_yaml(path or default_registry_path(), label, "entity registry")
    if not isinstance(data, dict) or set(data) != {"entities"} or not isinstance(data["entities"], list):
        raise ConfigError(f"{label}: expected one key 'entities' holding a list")
    entities, aliases, seen = [], [], set()
    for n, entry in enumerate(data["entities"]):
        entity, names = _entry(entry, f"{label}: entities[{n}]")
        if entity.id in seen:
            raise ConfigError(f"{label}: entities[{n}].id: '{entity.id}' is used twice")
        seen.add(entity.id)
        entities.append(entity)
        aliases.extend((name, entity.id) for name in names)
    aliases.sort(key=lambda a: (-len(a[0]), a[0]))
    return EntityRegistry(tuple(entities), tuple(dict.fromkeys(aliases)), label)


def _entry(entry, where: str) -> tuple[Entity, list[str]]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with name and kind")
    for key, value in entry.items():
        if key not in ENTRY_KEYS:
            raise ConfigError(f"{where}.{key}: unknown key (expected one of {', '.join(ENTRY_KEYS)})")
        expected = ENTRY_KEYS[key][0]
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{where}.{key}: expected {'a list of strings' if expected is list else 'a string'}")
    for key in ("name", "kind"):
        if not entry.get(key, "").strip():
            raise ConfigError(f"{where}.{key}: missing")
    if entry["kind"] not in KINDS:
        raise ConfigError(f"{where}.kind: '{entry['kind']}' is not one of {', '.join(KINDS)}")
    for ticker in entry.get("tickers", []):
        if ":" not in ticker:
            raise ConfigError(f"{where}.tickers: '{ticker}' is not EXCHANGE:CODE")
    entity = Entity(entry.get("id") or slugify(entry["name"]), entry["name"], entry["kind"],
                    tuple(t.upper() for t in entry.get("tickers", [])))
    return entity, [entry["name"], *entry.get("aliases", [])]
