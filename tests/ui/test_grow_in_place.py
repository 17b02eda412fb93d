"""A thread grown in place (Thread.add) whose rows take in only what arrived
(`Change.entered`): new rows drawn, folds kept, the cursor on its post and its line."""

from __future__ import annotations

from test_tree_growth import SIZE, TreeOnly, screen_line

from support import post, thread_doc
from threadtui.model import load_document
from threadtui.ui.tree import ThreadTree


async def test_rows_put_in_by_rank_keep_the_cursor_its_line_and_the_folds() -> None:
    posts = [post(f"p{k}", k, f"root post {k}") for k in range(40)]
    posts.append(post("p3r", 3, "an old reply", reply_to="p3"))
    posts.append(post("p7q", 7, "quotes an absent post", quotes=["gone"]))
    thread = load_document(thread_doc(posts))
    app = TreeOnly(thread)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one(ThreadTree)
        tree.collapse(thread.by_id["p3"])
        assert tree.move_to_post(thread.by_id["p30"])
        assert tree.move_to_post(thread.by_id["p25"])
        await pilot.pause()
        line = screen_line(tree, "p25")
        assert line is not None

        late = [post(f"n{k}", 60 + k, f"new reply {k}", reply_to="p0") for k in range(5)]
        late.append(post("n5", 70, "new reply under a fold", reply_to="p3"))
        # Filled: p7q, which quotes it and replies to nothing, moves under it.
        late.append(post("gone", 1, "the quoted post, fetched at last", reply_to="p1"))
        change = thread.add(late)
        assert change.entered is not None
        shown = tree.splice(change.added, entered=change.entered)
        await pilot.pause()

        assert shown == 5  # n5 is under p3's fold
        assert tree.cursor_post == thread.by_id["p25"] and tree.highlighted == tree.cursor_post
        assert screen_line(tree, "p25") == line
        assert thread.posts[thread.by_id["p7q"]].parent == thread.by_id["gone"]
        tree.move_to_post(thread.by_id["p0"])
        await pilot.pause()
        text = [tree.render_line(y).text for y in range(tree.size.height)]
        assert any("new reply 4" in row for row in text)
        assert any("(+2)" in row for row in text)  # p3 folds its old reply and the new one
        assert any("quotes an absent post" in row for row in text)  # now under p1's reply
