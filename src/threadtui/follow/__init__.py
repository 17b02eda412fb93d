"""Following a thread as it grows (`--follow`, the follow key): when to refresh a thread
opened from a URL (`schedule.py`), and watching the files a thread was read from
(`files.py`). No Textual here: the app runs them and merges what they bring."""
