"""Key names as hints show them, from the key map the user has: light enough for the first
frame (the detail pane's hints name a key), unlike help.py."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType
from textual.dom import DOMNode


def key_label(keys: str) -> str:
    names = {
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "question_mark": "?",
        "slash": "/",
        "less_than_sign": "<",
        "greater_than_sign": ">",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "space": "Space",
        "enter": "Enter",
        "escape": "Esc",
        "tab": "Tab",
        "home": "Home",
        "end": "End",
        "up": "↑",
        "down": "↓",
        "left": "←",
        "right": "→",
    }
    return " ".join(names.get(key, key) for key in keys.split(","))


def bound_key(node: DOMNode, binding_id: str, bindings: Iterable[BindingType]) -> str:
    """The key a hint names for `binding_id`, as the user has it: the app's key map first
    (ThreadApp.key_for); in another app, the binding's own first key. `bindings` are the
    node's own, looked at before the app's."""
    key_for = getattr(node.app, "key_for", None)
    if key_for is not None:
        return str(key_for(binding_id, bindings))
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id == binding_id:
            return key_label(binding.key.split(",")[0])
    return binding_id
