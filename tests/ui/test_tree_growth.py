"""Posts added to an open tree: new rows are drawn, the cursor keeps its post and its line."""

from __future__ import annotations

from textual.app import App, ComposeResult

from support import post, thread_doc
from threadtui.model import Thread, load_document
from threadtui.ui.tree import ThreadTree

SIZE = (70, 12)


def documents() -> tuple[Thread, Thread]:
    """40 root posts, then the same with replies to the first and fourth: every post keeps
    its index, as posts added to an open thread do."""
    posts = [post(f"p{k}", k, f"root post {k}") for k in range(40)]
    late = [post(f"n{k}", 60 + k, f"new reply {k}", reply_to="p0") for k in range(5)]
    late.append(post("n5", 70, "new reply under a fold", reply_to="p3"))
    earlier = post("p3r", 3, "an old reply", reply_to="p3")
    return (
        load_document(thread_doc([*posts, earlier])),
        load_document(thread_doc([*posts, earlier, *late])),
    )


class TreeOnly(App[None]):
    def __init__(self, thread: Thread) -> None:
        super().__init__()
        self.thread = thread

    def compose(self) -> ComposeResult:
        yield ThreadTree(self.thread)


def screen_line(tree: ThreadTree, post_id: str) -> int | None:
    for y in range(tree.size.height):
        if f"root post {post_id[1:]} " in tree.render_line(y).text + " ":
            return y
    return None


async def test_new_posts_are_drawn_and_the_cursor_keeps_its_post_and_line() -> None:
    small, big = documents()
    app = TreeOnly(small)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        tree.collapse(small.by_id["p3"])
        assert tree.move_to_post(small.by_id["p30"])  # scrolls: p30 on the bottom line
        assert tree.move_to_post(small.by_id["p25"])  # then up, to the middle
        await pilot.pause()
        line = screen_line(tree, "p25")
        assert line is not None and 0 < line < SIZE[1] - 1
        assert tree.highlighted == small.by_id["p25"]

        shown = tree.splice(range(len(small.posts), len(big.posts)), thread=big)
        await pilot.pause()

        assert shown == 5  # the sixth is under p3's fold
        assert tree.cursor_post == big.by_id["p25"] and tree.highlighted == big.by_id["p25"]
        assert screen_line(tree, "p25") == line
        tree.move_to_post(big.by_id["p0"])
        await pilot.pause()
        text = [tree.render_line(y).text for y in range(tree.size.height)]
        assert any("new reply 4" in row for row in text)
        assert any("(+2)" in row for row in text)  # p3 folds its old reply and the new one
