"""The benchmark thread generator: deterministic, valid per docs/format.md, and shaped as asked."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from threadtui.model import load_path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
POST_KEYS = {"id", "author", "text", "created_at", "reply_to", "quotes", "metrics", "status"}
METRIC_KEYS = {"views", "likes", "reposts", "replies", "quotes"}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HANDLE = re.compile(r"[A-Za-z0-9_]{3,15}")


def _load_generate() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location("bench_generate", BENCHMARKS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generate()

_cache: dict[tuple[int, str, int], dict[str, Any]] = {}


def thread(n: int, shape: str, seed: int = 1) -> dict[str, Any]:
    key = (n, shape, seed)
    if key not in _cache:
        _cache[key] = gen.generate(n, shape, seed)
    return _cache[key]


def depths(doc: dict[str, Any]) -> list[int]:
    """Tree depth of each post as the loader defines the parent: reply_to, else a quote."""
    index = {p["id"]: i for i, p in enumerate(doc["posts"])}
    out: list[int] = []
    for p in doc["posts"]:
        parent = p["reply_to"]
        if parent is None and p["quotes"] and p["quotes"][0] in index:
            parent = p["quotes"][0]
        # Parents precede their replies in the file, so one pass suffices.
        out.append(0 if parent is None else out[index[parent]] + 1)
    return out


@pytest.mark.parametrize("shape", ["wide", "deep", "bushy"])
def test_same_seed_same_bytes_other_seed_other_thread(shape: str) -> None:
    a = orjson.dumps(gen.generate(500, shape, 7))
    assert a == orjson.dumps(gen.generate(500, shape, 7))
    assert a != orjson.dumps(gen.generate(500, shape, 8))


@pytest.mark.parametrize("shape", ["wide", "deep", "bushy"])
def test_valid_per_format(shape: str) -> None:
    doc = thread(3000, shape)
    assert doc["schema"] == "threadtui.thread"
    assert doc["schema_version"] == 1
    posts = doc["posts"]
    assert len(posts) == 3000
    ids = [p["id"] for p in posts]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"g-[0-9a-z]+", i) for i in ids)
    assert doc["thread"]["root"] == ids[0]
    index = {pid: i for i, pid in enumerate(ids)}
    authors = doc["authors"]
    for p in posts:
        assert set(p) == POST_KEYS
        assert set(p["metrics"]) == METRIC_KEYS
        assert all(v is None or (type(v) is int and v >= 0) for v in p["metrics"].values())
        assert TIME.fullmatch(p["created_at"])
        if p["status"] == "ok":
            assert p["author"] in authors
            assert isinstance(p["text"], str) and 10 <= len(p["text"]) <= 1500
        else:
            assert p["status"] == "deleted" and p["text"] is None
        if p["reply_to"] is not None:
            # Replies point back in the file and strictly back in time.
            parent = posts[index[p["reply_to"]]]
            assert index[p["reply_to"]] < index[p["id"]]
            assert parent["created_at"] < p["created_at"]
    times = [p["created_at"] for p in posts]
    assert times == sorted(times)
    for author in authors.values():
        assert HANDLE.fullmatch(author["handle"])


def test_realistic_mix() -> None:
    doc = thread(20_000, "bushy")
    posts = doc["posts"]
    n = len(posts)
    ids = {p["id"] for p in posts}
    quoting = [p for p in posts if p["quotes"]]
    assert 0.03 * n < len(quoting) < 0.07 * n
    dangling = [p for p in quoting if p["quotes"][0] not in ids]
    assert 0 < len(dangling) < 0.1 * len(quoting)
    assert 0.09 * n < len(doc["authors"]) < 0.13 * n
    counts = Counter(p["author"] for p in posts if p["author"])
    assert counts.most_common(1)[0][1] > 50 * (n / len(doc["authors"]))  # a few very active
    texts = [p["text"] for p in posts if p["text"]]
    assert any("\n\n" in t for t in texts)
    assert any("https://" in t for t in texts)
    assert any("@" in t for t in texts)
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in texts)  # CJK
    names = [a["display_name"] or "" for a in doc["authors"].values()]
    assert any("'" in name for name in names)
    assert any(not name.isascii() for name in names)
    views = [p["metrics"]["views"] for p in posts]
    assert any(v is None for v in views)
    assert max(v for v in views if v is not None) > 1_000_000


def test_wide_mostly_answers_the_root() -> None:
    doc = thread(5000, "wide")
    root = doc["posts"][0]["id"]
    share = sum(p["reply_to"] == root for p in doc["posts"]) / len(doc["posts"])
    assert share >= 0.7


def test_deep_holds_a_10000_chain() -> None:
    doc = thread(20_000, "deep")
    posts = doc["posts"]
    index = {p["id"]: i for i, p in enumerate(posts)}
    deepest = max(range(len(posts)), key=depths(doc).__getitem__)
    # Walk the reply chain up from the deepest post: 10,000 reply_to links at least.
    links, i = 0, deepest
    while posts[i]["reply_to"] is not None:
        i = index[posts[i]["reply_to"]]
        links += 1
    assert links >= 10_000


def test_deep_below_10000_is_one_chain() -> None:
    posts = thread(800, "deep")["posts"]
    assert all(posts[i]["reply_to"] == posts[i - 1]["id"] for i in range(1, len(posts)))


def test_bushy_depths_look_like_a_real_thread() -> None:
    d = sorted(depths(thread(20_000, "bushy")))
    assert 3 <= d[len(d) // 2] <= 10
    assert 10 <= d[-1] <= 60


def test_round_trip_through_orjson(tmp_path: Path) -> None:
    doc = thread(1000, "bushy")
    path = tmp_path / "t.json"
    gen.write(doc, path)
    data = path.read_bytes()
    assert b"\n" not in data  # compact: no indent
    assert orjson.loads(data) == doc


def test_streamed_file_is_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "streamed.json"
    gen.write_thread(2500, "deep", 3, path, chunk=1000)
    assert path.read_bytes() == orjson.dumps(gen.generate(2500, "deep", 3))
    assert gen.is_current(path)


def test_sizes_parse_and_print() -> None:
    assert [gen.parse_size(s) for s in ("1k", "10K", "1M", "2500", "1_000")] == [
        1000,
        10_000,
        1_000_000,
        2500,
        1000,
    ]
    assert [gen.size_label(n) for n in (1000, 100_000, 1_000_000, 1500)] == [
        "1k",
        "100k",
        "1M",
        "1500",
    ]
    assert gen.default_name(100_000, "bushy") == "bushy-100k.json"


@pytest.mark.parametrize("shape", ["wide", "deep", "bushy"])
def test_the_loader_reads_every_shape(shape: str, tmp_path: Path) -> None:
    n = 12_000 if shape == "deep" else 2000
    path = tmp_path / f"{shape}.json"
    gen.write(thread(n, shape), path)
    t = load_path(path)
    assert t.real_post_count == n
    # Dangling quotes become placeholders; nothing else is missing.
    assert all(p.status == "not_fetched" for p in t.posts if p.synthetic)
    assert len(t.roots) >= 1
    if shape == "deep":
        assert t.max_depth >= 10_000
