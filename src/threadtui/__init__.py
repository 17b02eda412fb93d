"""threadtui: read a discussion thread as a tree of replies and quotes."""

__version__ = "0.1.0"
