"""What the user has read of each thread, kept between visits: plain Python, no Textual.

    state, warnings = open_state(thread)       # never raises; warnings name a damaged file
    state.summary(tz)                          # "12 new since Tue 14:02" / "first visit"
    state.is_new(i); state.next_new(i)         # marks and jumps, by post index
    parse_query(text, thread, new=state.new_marks)   # is:new
    state.mark_read(i); state.save_soon()      # as details are shown; flush() at exit

Files and their format: `threadtui.state.store`; the meaning of new and read:
`threadtui.state.readstate`.
"""

from threadtui.state.readstate import ReadState, open_state, save_error, when_text
from threadtui.state.store import (
    NewerFormat,
    StateError,
    forget,
    forget_all,
    state_dir,
    state_path,
    thread_identity,
    thread_key,
)

__all__ = [
    "NewerFormat",
    "ReadState",
    "StateError",
    "forget",
    "forget_all",
    "open_state",
    "save_error",
    "state_dir",
    "state_path",
    "thread_identity",
    "thread_key",
    "when_text",
]
