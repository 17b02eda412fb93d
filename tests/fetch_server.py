"""A real HTTP server on 127.0.0.1 that serves recorded API responses to the fetch tests.

The standard library's server, not a plugin: the tests need replies no well-behaved
framework sends on purpose (a body cut off mid-way against its Content-Length, a reply
that stalls, a redirect to another host), and full control of the bytes is simplest here.

Routes match on the path and on the query parameters given (others are ignored). A route
holds replies served in turn; the last one repeats. Every request is logged, so tests can
say what was asked, in what order, with which headers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson


@dataclass
class Reply:
    status: int = 200
    body: Any = b""
    """bytes as they are, anything else as JSON."""
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False
    """Wait (until the server is reset or stopped) before answering: a server that hangs."""
    truncate: int | None = None
    """Send only this many bytes of the body, then close, though the length said more."""
    chunked_no_length: bool = False
    """Send no Content-Length and close at the end (a body whose size is unknown ahead)."""

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        try:
            return orjson.dumps(self.body)
        except orjson.JSONEncodeError:
            # orjson writes at most 255 levels; a deep thread needs the standard library.
            return json.dumps(self.body).encode()


@dataclass
class Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    answer: Callable[[Request], Reply | Any] | None = None


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FetchServer:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.log: list[Request] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, *replies: Reply | Any, **query: str) -> None:
        """Serve `replies` (a Reply, or a body to send as 200 JSON) at `path`."""
        made = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]
        with self._lock:
            self.routes.append(Route(path, query, made))

    def answer(self, path: str, function: Callable[[Request], Reply | Any]) -> None:
        """Serve `path` with whatever `function` makes of each request."""
        with self._lock:
            self.routes.append(Route(path, {}, [], function))

    def reset(self) -> None:
        self.release.set()
        with self._lock:
            self.routes.clear()
            self.log.clear()
        self.release = threading.Event()

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def requests(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        request = Request(parts.path, query, {k.lower(): v for k, v in handler.headers.items()})
        reply = None
        answer = None
        with self._lock:
            self.log.append(request)
            for route in self.routes:
                if route.path == parts.path and all(
                    query.get(k) == [v] for k, v in route.query.items()
                ):
                    if route.answer is not None:
                        answer = route.answer
                    else:
                        replies = route.replies
                        reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            release = self.release
        if answer is not None:
            # Outside the lock: an answer may wait for other requests to arrive.
            made = answer(request)
            reply = made if isinstance(made, Reply) else Reply(body=made)
        if reply is None:
            reply = Reply(404, {"error": "NotFound", "message": "no such route"})
        if reply.stall:
            release.wait(30)
            handler.close_connection = True
            return
        body = reply.payload()
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if "content-type" not in {k.lower() for k in reply.headers}:
            handler.send_header("Content-Type", "application/json")
        if reply.chunked_no_length:
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if reply.truncate is not None:
            handler.wfile.write(body[: reply.truncate])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(body)


def serve() -> Iterator[FetchServer]:
    server = FetchServer()
    try:
        yield server
    finally:
        server.stop()
