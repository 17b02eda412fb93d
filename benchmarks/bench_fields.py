"""Does a file that carries fields of its own load as fast as a plain one?

    python benchmarks/bench_fields.py                      # 100k bushy: plain, fields, own
    python benchmarks/bench_fields.py --sizes 10k,100k --repeat 3

Files written by other tools (and by threadtui's importers) carry more than the plain
generated thread: an `id` and `url` inside each author, a `url` and `native_id` on each
post, media, links, mentions, an edit time and a content warning on some, a `more` count
on placeholders, and keys of their own in `source` and `thread`. This writes, beside each
generated file, one variant with those fields (`-fields`) and measures it against the plain
file and the parse floor with `bench_load.bench_one`, in the same interleaved way.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any, cast

import orjson

from bench_load import bench_one, loader_available, table
from common import OUT, ensure_thread, machine_info, machine_line
from generate import SHAPES, Shape, parse_size, size_label

_KINDS = ("image", "video", "gifv", "audio", "link", "poll", "other")


def enrich(doc: dict[str, Any], seed: int = 1) -> dict[str, Any]:
    """`doc` with the fields real writers add; deterministic for a given seed."""
    rng = random.Random(f"threadtui-bench-fields:{seed}")
    doc["thread"]["language"] = "en"
    doc["source"]["request"] = {"endpoint": "getPostThread", "depth": 1000}
    for author_id, entry in doc["authors"].items():
        entry["id"] = author_id
        entry["url"] = f"https://social.example/@{entry['handle']}"
    for i, post in enumerate(doc["posts"]):
        native = post["id"].rpartition(":")[2]
        post["url"] = f"https://social.example/post/{native}"
        post["native_id"] = native
        roll = rng.random()
        if post["status"] != "ok":
            if roll < 0.5:
                post["more"] = {"count": rng.randint(1, 40), "ids": [f"m{i}a", f"m{i}b"]}
            continue
        if roll < 0.10:
            post["media"] = [
                {
                    "kind": rng.choice(_KINDS),
                    "url": f"https://media.example/{native}.jpg",
                    "alt": "a photo of the harbour at dusk",
                }
            ]
        elif roll < 0.20:
            post["links"] = [{"url": f"https://example.org/a/{i}", "text": f"example.org/a/{i}"}]
        elif roll < 0.25:
            post["mentions"] = [
                {"handle": "someone", "id": "x:someone", "url": "https://social.example/@someone"}
            ]
        elif roll < 0.27:
            post["edited_at"] = post["created_at"]
            post["content_warning"] = "spoilers"
    return doc


def ensure_fields(n: int, shape: Shape, seed: int = 1) -> tuple[Path, Path]:
    plain = ensure_thread(n, shape, seed)
    rich = OUT / plain.name.replace(".json", "-fields.json")
    if not rich.exists() or rich.stat().st_mtime < plain.stat().st_mtime:
        doc = enrich(orjson.loads(plain.read_bytes()), seed)
        tmp = rich.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(doc))
        tmp.replace(rich)
    return plain, rich


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k")
    parser.add_argument("--shapes", default="bushy")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not loader_available():
        print("threadtui.model.load_path is not importable", file=sys.stderr)
        return 1
    info = machine_info()
    rows: list[dict[str, Any]] = []
    for n in (parse_size(s) for s in args.sizes.split(",")):
        for shape in args.shapes.split(","):
            if shape not in SHAPES:
                parser.error(f"unknown shape {shape!r}")
            for label, path in zip(
                (shape, f"{shape}+fields"), ensure_fields(n, cast(Shape, shape)), strict=True
            ):
                row = {"posts": n, "shape": label, "repeat": args.repeat}
                row.update(bench_one(path, args.repeat, True))
                rows.append(row)
                print(f"{size_label(n)} {label}: done", file=sys.stderr, flush=True)
    print(f"\n{machine_line(info)}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
