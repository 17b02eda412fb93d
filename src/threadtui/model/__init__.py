"""The thread model: plain Python, no Textual, so it can be tested and benchmarked alone."""

from typing import TYPE_CHECKING, Any

from threadtui.model.format import (
    SCHEMA,
    SCHEMA_VERSION,
    Edit,
    Link,
    Media,
    Mention,
    More,
    PostFields,
)
from threadtui.model.load import (
    ThreadFileError,
    is_thread_document,
    load_bytes,
    load_document,
    load_path,
    read_input,
)
from threadtui.model.sanitize import clean_line, clean_text
from threadtui.model.thread import (
    METRIC_NAMES,
    NO_PARENT,
    STATUSES,
    Author,
    Metrics,
    Post,
    Thread,
)

if TYPE_CHECKING:
    from threadtui.model.grow import Change


def __getattr__(name: str) -> Any:
    # Growing a thread (a merge, a fetch, following) is not on the way to a first frame:
    # `threadtui.model.grow` is imported by the first use of `Change` or `Thread.add`.
    if name == "Change":
        from threadtui.model.grow import Change

        return Change
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "METRIC_NAMES",
    "NO_PARENT",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STATUSES",
    "Author",
    "Change",
    "Edit",
    "Link",
    "Media",
    "Mention",
    "Metrics",
    "More",
    "Post",
    "PostFields",
    "Thread",
    "ThreadFileError",
    "clean_line",
    "clean_text",
    "is_thread_document",
    "load_bytes",
    "load_document",
    "load_path",
    "read_input",
]
