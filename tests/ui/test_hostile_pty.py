"""The real app in a real pty on threads full of terminal control sequences: what it writes
to the terminal carries none of them.

Textual itself writes only CSI sequences (cursor, colours, modes) and one OSC: 22, the
mouse pointer shape. So every OSC in the output must be 22, or 52 right after an explicit
`y` copy; no OSC 0/1/2 (window title) and no OSC 8 (hyperlink) may appear at all. pyte's
own `screen.title` cannot be used as the title check: it reads Textual's `ESC ] 22 ;
default BEL` as a title of ";default".
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from terminal import Terminal, installed_command

from hostile_cases import HOSTILE

ESC = "\x1b"
# The raw form of every payload in the corpus files opened here (see their why).
PAYLOADS = [
    ESC + "]0;PWNED-OSC0",
    ESC + "]2;PWNED-OSC2",
    ESC + "]52;c;UFdORUQtQ0xJUA==",
    ESC + "]8;;https://evil.example/",
    ESC + "[2J",
    ESC + "[31mPWNED-RED",
    ESC + "c",
    ESC + "P1$q",
    "\x9b31m",
    "\x9d0;PWNED-C1-TITLE",
    ESC + "]0;PWNED-TITLE",
    ESC + "]0;PWNED-ID",
    ESC + "]0;PWNED-REF",
    ESC + "]52;c;UFdORUQtUkVG",
    ESC + "]0;PWNED-HANDLE",
    ESC + "]2;PWNED-NAME",
    ESC + "]52;c;UFdORUQ=",
    ESC + "[5m",
    ESC + "]0;FILE",
]
OSC = re.compile("(?:\x1b\\]|\x9d)(\\d*)(?:;([^\x07\x1b\x9c]*))?")
# C1 controls, BS, and the bidi controls the loader removes (the output is decoded first,
# so UTF-8 continuation bytes are not mistaken for C1 bytes).
NEVER = re.compile("[\x08\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def osc_codes(output: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2) or "") for m in OSC.finditer(output)]


def assert_inert(output: str, *, copied: Sequence[str] = ()) -> None:
    for payload in PAYLOADS:
        assert payload not in output, payload
    assert not NEVER.search(output), NEVER.search(output)
    codes = osc_codes(output)
    assert codes, "expected Textual's own OSC 22"
    for code, body in codes:
        if code == "52":
            # Only what `y` copied, and only as base64 (which carries no control bytes).
            assert body.startswith("c;") and base64.b64decode(body[2:]).decode() in copied
        else:
            assert (code, body) == ("22", "default")
    # A BEL only ends an OSC: every one in the output is accounted for.
    assert output.count("\x07") == len(codes)


def run_and_visit(args: list[str], keys: str, settle: str) -> str:
    """Open, press `keys` one at a time (each drawn before the next: held keys skip the
    detail pane of the posts passed), quit; return all the program wrote."""
    with Terminal([*installed_command(), *args], cols=100, rows=30) as term:
        term.wait_for(lambda s: settle in s)
        for key in keys:
            term.press(key)
            term.wait_for(lambda s: True)
        term.press("q")
        assert term.close() == 0
    return bytes(term.raw).decode("utf-8")


def test_control_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    # Under a hostile name, and with the title dropped so the header shows the file name.
    path = tmp_path / f"x{ESC}]0;FILE-TITLE\x07.json"
    data = (HOSTILE / "control-sequences.json").read_text(encoding="utf-8")
    path.write_text(data.replace('"title": "Control', '"dropped": "Control'), encoding="utf-8")
    # All 18 rows fit on the screen. The root's detail holds every payload and the author;
    # G shows the last post (a card for an absent quote, and one for the post with a
    # hostile id); k shows the absent post it replies to, which names that post's id.
    output = run_and_visit([str(path)], "Gk\tj", "Replies (")
    assert "\ufffd]0;PWNED-OSC0\ufffd" in output
    assert "x\ufffd]0;FILE-TITLE\ufffd.json" in output
    assert_inert(output)


def test_a_hostile_story_never_reaches_the_terminal() -> None:
    output = run_and_visit([str(HOSTILE / "story-hostile.txt")], "j\tj", "Replies (")
    assert "[bold]Headline[/] \ufffd]0;PWNED-TITLE\ufffd" in output
    assert_inert(output)


def test_y_is_the_only_way_to_the_clipboard() -> None:
    from threadtui.opener import open_thread

    thread = open_thread(HOSTILE / "control-sequences.json")
    copied = [thread.posts[3].text or ""]  # c3: the OSC 52 payload, made inert
    output = run_and_visit([str(HOSTILE / "control-sequences.json")], "jjjy", "Replies (")
    assert ("52", "c;" + base64.b64encode(copied[0].encode()).decode()) in osc_codes(output)
    assert_inert(output, copied=copied)


def test_o_on_a_hostile_url_never_reaches_the_terminal() -> None:
    # The root's own url carries an OSC 0: it is not offered at all, so `o` (no browser
    # here) copies the first link of the text, cleaned at load.
    output = run_and_visit([str(HOSTILE / "control-sequences.json")], "o\r", "Replies (")
    assert_inert(output, copied=["https://evil.example/\ufffd\\PWNED-LINK\ufffd]8;;\ufffd\\"])
    assert ESC + "]0;PWNED-URL" not in output
    assert "x.example" not in output


def test_a_refused_file_writes_one_line_and_never_starts_the_ui(tmp_path: Path) -> None:
    path = tmp_path / f"bad{ESC}]0;PWNED-NAME\x07.json"
    shutil.copy(HOSTILE / "status-array.json", path)
    with Terminal([*installed_command(), str(path)], cols=100, rows=30) as term:
        assert term.close() == 2
    output = bytes(term.raw).decode("utf-8")
    shown = str(path).replace(ESC, "\ufffd").replace("\x07", "\ufffd")
    assert output.strip() == (
        f"{shown}: $.posts[0].status: expected one of blocked, deleted, not_fetched,"
        " not_found, ok, removed, got an array"
    )
    assert ESC not in output
