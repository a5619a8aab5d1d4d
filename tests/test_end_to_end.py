"""The seeds digest, built end to end: generator, then MkDocs."""

import json
import shutil
import subprocess
import sys

import pytest

from tests.golden import GOLDEN, ROOT, generate, generated_files


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", work / "overrides")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=shutil.ignore_patterns("digest", "digest.json", "index.md", ".digest*"))
    generate(work / "docs")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(work / "mkdocs.yml")],
                            capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""})
    assert result.returncode == 0, result.stderr
    return work


@pytest.fixture(scope="module")
def digest(site):
    return json.loads((site / "docs" / "digest.json").read_text(encoding="utf-8"))


def prefix(article_id):
    return article_id[:3]


def test_stories_group_the_articles_on_each_event(digest):
    groups = sorted(sorted(prefix(a) for a in s["articles"]) for s in digest["stories"])
    assert groups == [["000", "001", "002"], ["003", "004"]]


def test_story_dates(digest):
    dates = {tuple(sorted(prefix(a) for a in s["articles"])): (s["date"], s["date_inferred"]) for s in digest["stories"]}
    assert dates[("000", "001", "002")] == ("2025-02-18", True)
    assert dates[("003", "004")] == ("2025-02-21", False)
    assert [s["date"] for s in digest["stories"]] == ["2025-02-21", "2025-02-18"]  # newest first


def test_article_themes(digest):
    themes = {prefix(a["id"]): set(a["themes"]) for a in digest["articles"]}
    assert all("ai-rally" in t for t in themes.values())
    assert {k for k, t in themes.items() if "policy-thaw" in t} == {"000", "001", "002"}
    assert {k for k, t in themes.items() if "earnings" in t} == {"003", "004"}
    assert all(a["primary_theme"] in a["themes"] for a in digest["articles"])


def test_article_sources_dates_and_ids(digest):
    by = {prefix(a["id"]): a for a in digest["articles"]}
    assert {k: a["source"] for k, a in by.items()} == {
        "000": "Business Standard", "001": "Investing.com", "002": "International Finance", "003": "News.Az", "004": None}
    assert {k: a["date"] for k, a in by.items()} == {"000": None, "001": None, "002": None, "003": "2025-02-21", "004": "2025-02-21"}
    assert sorted(a["id"] for a in digest["articles"]) == sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert digest["skipped"] == []


def test_story_summaries_link_their_articles(digest):
    for story in digest["stories"]:
        assert 3 <= len(story["summary"]) <= 5
        assert {s["article"] for s in story["summary"]} <= set(story["articles"])
        assert story["keywords"] and story["dek"]


def test_search_index_holds_the_story_pages(site, digest):
    index = json.loads((site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    for story in digest["stories"]:
        assert f"digest/stories/{story['id']}/" in locations


def test_hand_written_pages_survive_and_are_built(site):
    assert (site / "docs" / "about.md").exists()
    assert (site / "site" / "about" / "index.html").exists()
    assert (site / "site" / "digest.json").exists()


def test_pages_match_the_golden_files(site):
    built = generated_files(site / "docs")
    expected = generated_files(GOLDEN)
    assert sorted(built) == sorted(expected), "run `make golden` after an intended change"
    for rel in expected:
        assert built[rel] == expected[rel], f"{rel} differs from tests/golden: run `make golden` after an intended change"


def test_rebuilding_gives_byte_identical_pages_and_keeps_mtimes(site):
    docs = site / "docs"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in docs.rglob("*") if p.is_file()}
    generate(docs)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in docs.rglob("*") if p.is_file()}
    assert before == after


def test_regeneration_never_deletes_a_hand_written_page(tmp_path):
    docs = tmp_path / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "notes" / "mine.md").write_text("# Mine\n")
    (docs / "index.md").write_text("# My own home page\n")
    generate(docs)
    generate(docs)
    assert (docs / "notes" / "mine.md").read_text() == "# Mine\n"
    assert (docs / "index.md").read_text() == "# My own home page\n"
    assert (docs / "digest" / "stories" / "index.md").exists()
