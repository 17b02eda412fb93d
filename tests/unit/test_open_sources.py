"""Opening what users have: any source by its content, several inputs as one thread."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from threadtui.cli import main
from threadtui.importers import IMPORTERS
from threadtui.model import load_bytes
from threadtui.opener import open_inputs, sources

DATA = Path(__file__).parents[1] / "data"
SOURCES = DATA / "sources"
MASTODON = SOURCES / "mastodon"
SEED = DATA / "stories" / "x-story-ai-deployment.txt"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def real_posts(path: Path) -> set[str]:
    thread = open_inputs([path])
    return {post.id for post in thread.posts if post.status == "ok"}


def test_list_sources_names_every_importer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["import", "--list-sources"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[0] == "thread"
    assert [line.split()[0] for line in lines[1:]] == [i.name for i in IMPORTERS]
    for importer in IMPORTERS:
        assert any(importer.description in line for line in lines)


@pytest.mark.parametrize("folder", sorted(p.name for p in SOURCES.iterdir()))
def test_every_saved_source_opens_by_content(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in sorted((SOURCES / folder).glob("*.json*")):
        code, out, err = run([str(path), "--print"], capsys)
        assert code == 0, err
        assert out.strip()


def test_a_directory_is_every_file_in_it_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "toots"
    shutil.copytree(MASTODON, folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / ".hidden.json").write_text("not read: hidden files are skipped")
    merged = open_inputs([folder])
    visible = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    expected: set[str] = set()
    for path in visible:
        expected |= real_posts(path)
    assert {p.id for p in merged.posts if p.status == "ok"} == expected
    # The same files named one by one give the same thread.
    named = open_inputs(visible)
    assert [p.id for p in named.posts] == [p.id for p in merged.posts]
    # Named for the folder (the header of a thread without a title), not its first file.
    assert merged.name == f"{folder} ({len(visible)} files)"
    assert named.name == f"{visible[0]} (+{len(visible) - 1} more)"
    assert open_inputs([f"{folder}/"]).name == merged.name


def test_the_same_input_twice_is_one_thread_without_warnings() -> None:
    path = MASTODON / "mastodon_social_context_110446983926957470.json"
    once = open_inputs([path])
    twice = open_inputs([path, path])
    assert [p.id for p in twice.posts] == [p.id for p in once.posts]
    assert twice.warnings == once.warnings


def test_a_source_and_a_thread_file_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.json"
    assert run(["import", str(SEED), "-o", str(story)], capsys)[0] == 0
    toot = MASTODON / "mastodon_social_status_110446183735368325_poll.json"
    out = tmp_path / "both.json"
    code, _, err = run(["import", str(story), str(toot), "-o", str(out)], capsys)
    assert code == 0, err
    merged = load_bytes(out.read_bytes(), name="both")
    ids = {p.id for p in merged.posts}
    assert real_posts(story) <= ids
    assert real_posts(toot) <= ids
    document = orjson.loads(out.read_bytes())
    assert document["source"]["platform"] == "mixed"


def test_importing_a_thread_file_writes_it_as_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.json"
    assert run(["import", str(SEED), "-o", str(story)], capsys)[0] == 0
    code, out, _ = run(["import", str(story)], capsys)
    assert code == 0
    assert out == story.read_text()


def test_source_forces_a_reader_and_names_the_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hn = SOURCES / "hackernews" / "firebase_items_from_HackerNews_API_README.json"
    code, out, err = run([str(hn), "--source", "mastodon", "--print"], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{hn}: ") and err.count("\n") == 1
    code, _, err = run([str(hn), "--source", "nope", "--print"], capsys)
    assert code == 2
    assert err == (
        "threadtui: --source: unknown source 'nope' (one of: "
        + ", ".join(name for name, _ in sources())
        + ")\n"
    )


def test_unrecognised_input_says_what_threadtui_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": "world"}')
    code, _, err = run([str(odd), "--print"], capsys)
    assert code == 2
    assert err.startswith(f"{odd}: not a thread threadtui reads; it reads: thread, ")
    assert "--source NAME" in err
    for importer in IMPORTERS:
        assert importer.name in err


def test_an_error_in_one_of_several_inputs_names_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "threadtui.thread", "schema_version": 1, "posts": [{"id": 1}]}')
    toot = MASTODON / "mastodon_social_status_110446183735368325_poll.json"
    code, _, err = run([str(toot), str(bad), "--print"], capsys)
    assert code == 2
    assert err.startswith(f"{bad}: $.posts[0].id: ")


def test_output_may_not_be_any_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toot = tmp_path / "t.json"
    shutil.copy(MASTODON / "mastodon_social_status_110446183735368325_poll.json", toot)
    before = toot.read_bytes()
    code, _, err = run(["import", str(SEED), str(tmp_path), "-o", str(toot)], capsys)
    assert code == 2
    assert "is an input file" in err
    assert toot.read_bytes() == before


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SOURCES.glob("*/*.json*") if p.name != "NOTICE.md"),
    ids=lambda p: p.name,
)
def test_import_validate_print_round_trip(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """import → validate → load → --print --format json → load: the same thread."""
    from hostile_cases import canonical

    imported = tmp_path / "imported.json"
    assert run(["import", str(path), "-o", str(imported)], capsys)[0] == 0
    code, out, _ = run(["validate", str(imported)], capsys)
    assert code == 0 and ": valid threadtui.thread v1: " in out
    code, printed, _ = run([str(imported), "--print", "--format", "json"], capsys)
    assert code == 0
    again = tmp_path / "again.json"
    again.write_text(printed)
    first = load_bytes(imported.read_bytes(), name="a")
    second = load_bytes(again.read_bytes(), name="a")
    assert canonical(second) == canonical(first)
    assert [p.fields for p in second.posts] == [p.fields for p in first.posts]
