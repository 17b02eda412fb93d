"""Search and the filter language: plain Python over the model, no Textual.

    index = SearchIndex(thread)                  # once, in a worker for big threads
    query = parse_query(text, thread, tz=tz)     # QueryError(message, start, end)
    result = run_query(query, index, cancel=worker_cancelled)
    index.tree_text = TreeText(index)            # once, after the index, for windows
    window = first_matches(query, index, start=cursor_post)  # the first screenful
    view = FilterView.build(result)              # for the filter: context and counts
    layout = FilterLayout.build(thread, view)    # for the tree (threadtui.rows)
    highlight_spans(query, row_text)             # for drawing

The language is described in `threadtui.query.parse` (and on the help screen).
"""

from threadtui.query.fold import fold, fold_with_map, has_upper, original_span, unaccent
from threadtui.query.match import (
    MatchResult,
    SearchIndex,
    highlight_spans,
    narrows,
    run_query,
)
from threadtui.query.parse import (
    KEYS,
    NumberRange,
    Pattern,
    Query,
    QueryError,
    Term,
    format_duration,
    format_from,
    format_time,
    format_time_range,
    parse_query,
    replace_filters,
    time_forms,
    tokens,
)
from threadtui.query.pattern import QueryCancelled
from threadtui.query.view import FilterView
from threadtui.query.window import WINDOW, TreeText, first_matches

__all__ = [
    "KEYS",
    "WINDOW",
    "FilterView",
    "MatchResult",
    "NumberRange",
    "Pattern",
    "Query",
    "QueryCancelled",
    "QueryError",
    "SearchIndex",
    "Term",
    "TreeText",
    "first_matches",
    "fold",
    "fold_with_map",
    "format_duration",
    "format_from",
    "format_time",
    "format_time_range",
    "has_upper",
    "highlight_spans",
    "narrows",
    "original_span",
    "parse_query",
    "replace_filters",
    "run_query",
    "time_forms",
    "tokens",
    "unaccent",
]
