"""The fakes' HTTP server: a handler's failure never reaches stderr, and close() does not wait on idle clients."""

from __future__ import annotations

import socket
import time
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from tests.support.quiet_server import QuietHTTPServer


class Failing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        raise BrokenPipeError(32, "Broken pipe")  # what a client that hung up looks like

    def log_message(self, *args: object) -> None:
        pass


def test_a_failing_handler_is_kept_not_printed(capfd):
    server = QuietHTTPServer(("127.0.0.1", 0), Failing).start()
    try:
        with pytest.raises(OSError):  # the handler hung up without an answer
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=5)
    finally:
        server.close()
    assert [type(e) for e in server.errors] == [BrokenPipeError]
    assert capfd.readouterr().err == ""


def test_close_hangs_up_an_idle_connection_and_frees_the_port():
    server = QuietHTTPServer(("127.0.0.1", 0), Failing).start()
    port = server.server_port
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)  # connected, never sends a request
    time.sleep(0.1)
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 1.0
    assert idle.recv(1) == b""  # the server hung up
    idle.close()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused
