"""A threaded HTTP server for fakes that stops cleanly and never prints into another test's output.

`http.server.ThreadingHTTPServer` prints a handler's exception (a client that hung up: BrokenPipeError)
to `sys.stderr` from its thread, possibly after the test that started it has ended, where it lands in a
later test's captured stderr. This one keeps those exceptions in `errors`, and `close()` stops serving,
hangs up the connections still open and waits (briefly) for the handler threads.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen backlog

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self.errors: list[BaseException] = []
        self._open: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._guard = threading.Lock()
        self._serving: threading.Thread | None = None

    def start(self, name: str = "fake-http", poll_interval: float = 0.05) -> QuietHTTPServer:
        """Serve in a background thread."""
        self._serving = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": poll_interval}, name=name, daemon=True
        )
        self._serving.start()
        return self

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle_tracked, args=(request, client_address), name="fake-http-handler", daemon=True
        )
        with self._guard:
            self._open.add(request)
            self._handlers.add(thread)
        thread.start()

    def _handle_tracked(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._guard:
                self._open.discard(request)
                self._handlers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Kept, not printed: a test's stderr belongs to that test."""
        self.errors.append(sys.exc_info()[1] or RuntimeError("unknown error"))

    def close(self, wait: float = 2.0) -> None:
        """Stop serving, hang up open connections, wait up to `wait` s for handlers, free the port."""
        if self._serving is not None:
            self.shutdown()
            self._serving = None
        with self._guard:
            still_open, handlers = list(self._open), list(self._handlers)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in handlers:
            thread.join(timeout=wait)
        self.server_close()
