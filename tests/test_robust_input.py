"""Bad input: every kind of broken file gets a clear word, and nothing is lost."""

import logging
import os
import tracemalloc
from pathlib import Path

import pytest

from generator import ingest
from generator.cli import main
from generator.ingest import MAX_BYTES, MAX_SENTENCE_WORDS, MAX_TEXT_CHARS, read_corpus
from tests.golden import ROOT
from tests.robust_corpus import build_docs, good_article, input_paths, page_text, write_mixed_corpus

BBC = Path("/work/shared/corpora/bbc-dev/articles")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    work = tmp_path_factory.mktemp("mixed")
    expect = write_mixed_corpus(work / "seeds")
    digest = build_docs(work / "seeds", work / "docs")
    return work, expect, digest


def _covering(path: str, entries: dict[str, str]) -> str | None:
    """The entry for a path or for the folder it is in."""
    parts = path.split("/")
    for n in range(len(parts), 0, -1):
        if "/".join(parts[:n]) in entries:
            return "/".join(parts[:n])
    return None


def test_every_case_ends_as_expected_with_its_reason(mixed):
    _, expect, digest = mixed
    on_site = {a["id"] for a in digest["articles"]}
    skipped = {s["path"]: s["reason"] for s in digest["skipped"]}
    warned: dict[str, str] = {}
    for w in digest["warnings"]:
        warned[w["path"]] = warned.get(w["path"], "") + " " + w["reason"]
    for path, outcome in expect.items():
        if outcome.on_site:
            assert path in on_site, f"{path} should be on the site"
            assert outcome.reason in warned.get(path, "") if outcome.reason else True, path
        else:
            assert path in skipped, f"{path} should be skipped"
            assert outcome.reason in skipped[path], (path, skipped[path])


def test_nothing_is_lost(mixed):
    work, _, digest = mixed
    on_site = {a["id"] for a in digest["articles"]}
    skipped = {s["path"]: s["reason"] for s in digest["skipped"]}
    report = page_text((work / "docs" / "digest" / "report.md").read_text(encoding="utf-8"))
    pages = {page_text(p.read_text(encoding="utf-8")) for p in (work / "docs" / "digest" / "articles").glob("*.md")}
    for path in input_paths(work / "seeds"):
        if path in on_site:
            assert any(f"File {path} " in page for page in pages), f"{path}: no article page names it"
            continue
        entry = _covering(path, skipped)
        assert entry, f"{path} is neither on the site nor in skipped[]"
        assert f"{entry} {' '.join(skipped[entry].split())}" in report, f"{entry} missing from the build report"


def test_warnings_are_one_line_naming_the_file(tmp_path, caplog):
    expect = write_mixed_corpus(tmp_path / "seeds", seed=1)
    with caplog.at_level(logging.WARNING, logger="generator"):
        read_corpus(tmp_path / "seeds")
    messages = [r.getMessage() for r in caplog.records]
    assert all("\n" not in m for m in messages)
    for path, outcome in expect.items():
        if not outcome.on_site or outcome.reason:
            assert any(m.startswith(f"{path}: ") and outcome.reason in m for m in messages), path


def test_every_warning_is_on_the_build_report(mixed):
    work, _, digest = mixed
    report = page_text((work / "docs" / "digest" / "report.md").read_text(encoding="utf-8"))
    for item in digest["warnings"]:
        assert f"{item['path']} {' '.join(item['reason'].split())}" in report


@pytest.mark.parametrize("name,data", [
    ("empty.txt", b""),
    ("binary.txt", b"\x00\x01\x02"),
    ("cp1252.txt", "Profits rose to €5m – a record – at the lender on Tuesday after a strong year.".encode("cp1252")),
    ("bad.md", b"---\ntitle: [x\n---\nProfits rose to a record at the lender on Tuesday after a strong year.\n"),
])
def test_strict_fails_on_any_warning_with_exit_code_1(tmp_path, capsys, name, data):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text("Oil prices jumped on Monday after producers agreed to cut output sharply.\n")
    (seeds / name).write_bytes(data)
    args = ["build", "--seeds", str(seeds), "--docs", str(tmp_path / "docs"), "--templates", str(ROOT / "templates")]
    assert main(args + ["--strict"]) == 1
    assert f"error: --strict: {name}: " in capsys.readouterr().err
    assert main(args) == 0  # without --strict the rest builds


@pytest.mark.skipif(not (BBC / "sport" / "199.txt").exists(), reason="bbc-dev corpus not available")
def test_the_non_utf8_file_of_the_bbc_corpus_is_decoded(tmp_path):
    raw = (BBC / "sport" / "199.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (tmp_path / "199.txt").write_bytes(raw)
    corpus = read_corpus(tmp_path)
    assert "£15.8m" in corpus.articles[0].text
    assert "Windows-1252" in corpus.warnings[0].reason


def test_a_one_megabyte_line_is_cut_and_split_with_warnings(tmp_path):
    (tmp_path / "line.txt").write_text("Traders bought shares of banks and miners as the market rose again " * 16000)
    corpus = read_corpus(tmp_path)
    article = corpus.articles[0]
    assert len(article.text) <= MAX_TEXT_CHARS + 1
    assert max(len(s.text.split()) for s in article.sentences) <= MAX_SENTENCE_WORDS
    reasons = " ".join(w.reason for w in corpus.warnings)
    assert "cut to the first 60,000" in reasons and "split into pieces" in reasons


def test_a_50_megabyte_file_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    with open(tmp_path / "huge.txt", "wb") as f:
        chunk = b"The market rose again today. " * 36000
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            f.write(chunk)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("a whole file was read"))
    tracemalloc.start()
    corpus = read_corpus(tmp_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not corpus.articles
    assert "over the 5 MB limit" in corpus.skipped[0].reason and corpus.skipped[0].reason.startswith("file is 5")
    assert peak < 2 * MAX_BYTES + 2**20


def test_byte_identical_copies_are_kept_once_and_near_copies_are_named(tmp_path):
    text = good_article(__import__("random").Random(3))
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(text)
    (seeds / "b.txt").write_text(text)
    (seeds / "c.txt").write_text(text.replace(" on ", " late on ", 1))
    digest = build_docs(seeds, tmp_path / "docs")
    assert {s["path"]: s["reason"] for s in digest["skipped"]} == {"b.txt": "same bytes as 'a.txt', which is on the site; kept once"}
    copies = [c for s in digest["stories"] for c in s["copies"]]
    assert copies == [{"article": "c.txt", "copy_of": "a.txt"}]
    assert [s["articles"] for s in digest["stories"]] == [["a.txt"]]
    report = page_text((tmp_path / "docs" / "digest" / "report.md").read_text(encoding="utf-8"))
    assert "Near-copies kept once" in report and "c.txt a.txt" in report


def test_names_that_slugify_alike_get_distinct_pages(mixed):
    work, _, digest = mixed
    pages = sorted(p for p in (work / "docs" / "digest" / "articles").glob("*.md") if p.name != "index.md")
    assert len(pages) == len(digest["articles"])
    alibaba = [a["title"] for a in digest["articles"] if a["id"].lower().startswith("alibaba")]
    assert alibaba == ["Alibaba shares rally on cloud hopes"] * 2
    texts = [page_text(p.read_text(encoding="utf-8")) for p in pages]
    for name in ("Alibaba!.txt", "alibaba.txt", "name with spaces.txt", "éte accentué.txt", "市场新闻.txt"):
        assert sum(f"File {name} " in t for t in texts) == 1, name


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")
    (seeds / name).write_text("Cafe chain shares rose 5 per cent on Monday after sales beat forecasts.\n")
    digest = build_docs(seeds, tmp_path / "docs")
    assert [a["id"] for a in digest["articles"]] == ["caf\\xe9.txt"]


def test_links_are_never_followed_out_of_the_seeds_folder(mixed):
    _, _, digest = mixed
    assert "Secret" not in str(digest)


def test_a_link_inside_the_seeds_folder_is_read_once(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "real.txt").write_text("Cafe chain shares rose 5 per cent on Monday after sales beat forecasts.\n")
    os.symlink("real.txt", seeds / "alias.txt")
    corpus = read_corpus(seeds)
    assert [a.id for a in corpus.articles] == ["alias.txt"]
    assert corpus.skipped[0].path == "real.txt" and "same bytes as 'alias.txt'" in corpus.skipped[0].reason


def test_limits_are_what_the_readme_says():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{MAX_BYTES // 2**20} MB" in readme
    assert f"{MAX_TEXT_CHARS:,}" in readme and f"{MAX_SENTENCE_WORDS} words" in readme
    assert ingest.MAX_META_CHARS and f"{ingest.MAX_META_CHARS} characters" in readme


def test_a_metadata_file_without_an_article_file_is_listed(tmp_path):
    (tmp_path / ".meta.yaml").write_text("title: nameless\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.meta.yaml").write_text("title: a folder\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons[".meta.yaml"].startswith("hidden file")
    assert "not an article file" in reasons["folder.meta.yaml"]
