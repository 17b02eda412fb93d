"""Fetch errors and the rule for API bases: no HTTP library here, so the command line can
recognise a URL without importing one."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class FetchError(Exception):
    """A fetch that cannot go on; the message is one line that says what to do."""


class NotFound(FetchError):
    """HTTP 404/410 (or an API's own "not found"): deleted, or never existed."""


class Refused(FetchError):
    """HTTP 401/403: private, blocked, or a login is needed."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(FetchError):
    """HTTP 429 past the retries or past the longest wait we accept."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadResponse(FetchError):
    """A response that is not what the API documents."""


class TooLarge(FetchError):
    """A body, or the whole fetch, past its size cap."""


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base(url: str, what: str) -> str:
    """`url` as an API base (scheme, host, optional port; no path): https anywhere, http only
    on loopback. Raises FetchError naming `what` (an environment variable or "the URL")."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{what}: expected a base such as https://host or http://127.0.0.1:8123")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise FetchError(
            f"{what}: plain http is accepted only for loopback addresses (127.0.0.1, ::1,"
            " localhost); use https"
        )
    try:
        port = parts.port
    except ValueError:
        raise FetchError(f"{what}: the port is not a number") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise FetchError(f"{what}: give only a scheme, host and port (the API's paths are kept)")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
