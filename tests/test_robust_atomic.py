"""Builds are atomic and repeatable: a failed or killed build leaves the previous pages whole, and the same
input gives the same bytes whatever the hash seed or the order the file system lists files in."""

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import generator.build
import generator.write
from generator.errors import BuildError
from tests.golden import ROOT, generated_files
from tests.robust_corpus import build_docs, write_mixed_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    work = tmp_path_factory.mktemp("atomic")
    write_mixed_corpus(work / "seeds", seed=7)
    return work / "seeds"


@pytest.fixture
def previous(tmp_path, corpus):
    """A docs folder holding the pages of a first build of the seeds, and a copy of its files."""
    docs = tmp_path / "docs"
    build_docs(ROOT / "seeds", docs)
    return docs, generated_files(docs)


def _leftovers(docs: Path) -> list[str]:
    return sorted(p.name for p in docs.iterdir() if p.name.startswith("."))


def _kill_9_while(corpus: Path, docs: Path, function: str, at: int, counted: str = "True") -> None:
    """Build corpus into docs in a child process and kill -9 it while it is held in its `at`-th call of
    `function` (as named in the child: `Path.write_bytes`, `os.replace`) whose `args` satisfy `counted`."""
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        original = {function}
        count = 0
        def held(*args):
            global count
            if {counted}:
                count += 1
                if count == {at}:
                    print("held", flush=True)
                    time.sleep(60)
            return original(*args)
        {function} = held
        from tests.robust_corpus import build_docs
        build_docs(Path({str(corpus)!r}), Path({str(docs)!r}))
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL


def test_kill_9_in_the_middle_of_writing_leaves_the_previous_pages_whole(previous, corpus):
    docs, before = previous
    _kill_9_while(corpus, docs, "Path.write_bytes", 5)
    assert (docs / ".digest.new").is_dir()  # the new pages were being written aside
    after = generated_files(docs)
    assert {k: v for k, v in after.items() if not k.startswith(".")} == before
    build_docs(corpus, docs)  # the next build cleans up and goes through
    assert _leftovers(docs) == []
    assert generated_files(docs) != before


@pytest.mark.parametrize("fail_at", [1, 3, 20, -1])
def test_disk_full_while_writing_leaves_the_previous_pages_whole(previous, corpus, monkeypatch, fail_at):
    docs, before = previous
    original, calls = Path.write_bytes, []

    def full_disk(self, data):
        calls.append(self)
        if len(calls) == fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return original(self, data)

    def full_disk_at_digest_json(fd, data):  # after the pages are rendered, before they are written
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if fail_at == -1:
        monkeypatch.setattr(os, "write", full_disk_at_digest_json)
    else:
        monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(BuildError, match="No space left on device; the previous pages were left as they were"):
        build_docs(corpus, docs)
    assert generated_files(docs) == before
    assert _leftovers(docs) == []


@pytest.mark.parametrize("fail_at", [1, 4, -1])
def test_a_failed_rename_puts_the_previous_pages_back(previous, corpus, monkeypatch, fail_at):
    docs, before = previous
    original, calls = os.replace, []

    def failing(src, dst):
        if Path(dst).is_relative_to(docs / "digest"):  # a page renamed into place
            calls.append(dst)
            if len(calls) == fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))
        elif fail_at == -1 and Path(dst) == docs / "digest.json" and not calls[-1:] == ["failed"]:
            calls.append("failed")  # once: after every page is in place (putting them back works)
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(src))
        return original(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(BuildError, match="the previous pages were left as they were"):
        build_docs(corpus, docs)
    assert len(calls) >= max(fail_at, 1)
    assert generated_files(docs) == before
    assert _leftovers(docs) == []


def test_a_build_killed_while_renaming_pages_into_place_is_undone(previous, corpus):
    docs, before = previous
    _kill_9_while(corpus, docs, "os.replace", 6, f"Path(args[1]).is_relative_to({str(docs / 'digest')!r})")
    assert generated_files(docs) != before  # some pages had been renamed into place
    generator.write._recover(docs)  # what the next build does first
    assert generated_files(docs) == before
    assert _leftovers(docs) == []
    build_docs(corpus, docs)
    assert _leftovers(docs) == []
    assert generated_files(docs) != before


@pytest.mark.parametrize("journal", ['{"files": ["../outside.md"', '{"files": ["../outside.md"], "folders": [".."]}'])
def test_a_damaged_or_hostile_journal_still_puts_the_previous_pages_back_and_nothing_else(previous, caplog, journal):
    docs, before = previous
    page = sorted((docs / "digest" / "stories").glob("*.md"))[0]
    backup = docs / ".digest.old" / page.relative_to(docs)
    backup.parent.mkdir(parents=True)
    os.replace(page, backup)  # as if killed after moving it aside
    (docs / ".digest.old" / ".added.json").write_text(journal, encoding="utf-8")
    (docs.parent / "outside.md").write_text("not the generator's", encoding="utf-8")
    generator.write._recover(docs)
    assert generated_files(docs) == before
    assert _leftovers(docs) == []
    assert (docs.parent / "outside.md").exists()  # never removed: it is outside docs
    assert ("journal of an interrupted build not readable" in caplog.text) == journal.endswith('"')


def test_a_build_stopped_between_the_renames_of_the_swap_is_recovered(previous, corpus):
    docs, before = previous
    os.replace(docs / "digest", docs / ".digest.old")  # as if killed right after the first rename
    build_docs(corpus, docs)
    assert _leftovers(docs) == []
    assert (docs / "digest" / "report.md").exists()


@pytest.mark.parametrize("stage", ["extract_keywords", "group_months", "summarise", "render_pages",
                                   "export_json"])
def test_an_exception_in_a_stage_leaves_the_previous_pages_whole(previous, corpus, monkeypatch, stage):
    docs, before = previous

    def broken(*args, **kwargs):
        raise RuntimeError(f"{stage} broke")

    monkeypatch.setattr(generator.build, stage, broken)
    with pytest.raises(RuntimeError, match="broke"):
        build_docs(corpus, docs)
    assert generated_files(docs) == before
    assert _leftovers(docs) == []


def test_two_builds_give_byte_identical_output(tmp_path, corpus):
    build_docs(corpus, tmp_path / "a")
    build_docs(corpus, tmp_path / "b")
    assert generated_files(tmp_path / "a") == generated_files(tmp_path / "b")


def test_output_does_not_depend_on_the_hash_seed(tmp_path, corpus):
    outputs = []
    for seed in ("0", "1", "4242"):
        docs = tmp_path / f"docs-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "generator", "build", "-q", "--seeds", str(corpus), "--docs", str(docs),
                        "--templates", str(ROOT / "templates")], cwd=ROOT, env=env, check=True, capture_output=True)
        outputs.append(generated_files(docs))
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) > 10


def test_output_does_not_depend_on_the_listing_order(tmp_path, corpus, monkeypatch):
    build_docs(corpus, tmp_path / "sorted")
    real_listdir, real_scandir = os.listdir, os.scandir
    # os.walk, Path.iterdir and glob list folders through these two
    monkeypatch.setattr(os, "listdir", lambda *a: list(reversed(real_listdir(*a))))
    monkeypatch.setattr(os, "scandir", lambda *a: _Listing(real_scandir(*a)))
    assert [e.name for e in os.scandir(corpus)] == [e.name for e in real_scandir(corpus)][::-1]
    build_docs(corpus, tmp_path / "reversed")
    assert generated_files(tmp_path / "sorted") == generated_files(tmp_path / "reversed")


class _Listing:
    """A directory listing in reverse order, usable like `os.scandir`'s iterator."""

    def __init__(self, entries):
        with entries:
            self.entries = iter(list(entries)[::-1])

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass


def test_a_file_written_aside_is_renamed_into_place_and_an_unchanged_one_left_alone(tmp_path):
    from generator.write import write_docs, written_aside

    docs = tmp_path / "docs"
    for data in (b'{"schema": 1}\n', b'{"schema": 1}\n', b'{"schema": 2}\n'):
        before = (docs / "digest.json").stat() if (docs / "digest.json").exists() else None
        with written_aside(docs, "digest.json") as aside:
            aside.parent.mkdir(parents=True, exist_ok=True)
            aside.write_bytes(data)
            write_docs({}, {"digest.json": lambda: aside}, docs)
        after = (docs / "digest.json").stat()
        assert (docs / "digest.json").read_bytes() == data
        if before is not None:  # the same bytes: the file is not touched
            assert ((after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)) == (data == b'{"schema": 1}\n')
        assert _leftovers(docs) == []
