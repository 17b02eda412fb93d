"""Open a thread by its URL (issue #12): one HTTP client (`client`), one module per platform,
URL recognition (`urls`), the cache (`cache`), and `run.fetch_thread`, which ties them.

Nothing is imported here: recognising a URL on the command line must not cost the HTTP
library's import when the input is a file.
"""
