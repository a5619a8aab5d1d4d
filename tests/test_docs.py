"""The README documents every setting and every digest.json field."""

import json

from generator.settings import SETTINGS
from tests.golden import GOLDEN, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for setting in SETTINGS:
        assert f"| `--{setting.name}` |" in README, f"--{setting.name} is not in the README's settings table"


def test_every_digest_json_field_is_documented():
    data = json.loads((GOLDEN / "digest.json").read_text(encoding="utf-8"))
    section = README.split("## digest.json", 1)[1].split("\n## ", 1)[0]
    for key, value in data.items():
        assert key in section, key
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for field in value[0]:
                assert field in section, f"{key}[].{field}"
