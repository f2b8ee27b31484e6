"""The waitress server `serve --http` runs: port 0, threads, and a stop that lets requests finish."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

from bot.serve.http import DatabaseHealth, HttpServer


def test_stop_refuses_new_connections_but_lets_the_request_in_flight_answer():
    entered, release = threading.Event(), threading.Event()

    def slow_app(environ, start_response):
        entered.set()
        release.wait(10)
        start_response("200 OK", [("content-type", "text/plain")])
        return [b"finished"]

    server = HttpServer(slow_app, host="127.0.0.1", port=0, threads=2).start()
    answers: list[bytes] = []
    in_flight = threading.Thread(
        target=lambda: answers.append(urllib.request.urlopen(server.url, timeout=10).read())
    )
    in_flight.start()
    assert entered.wait(10)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    assert _refused_within(server.port, 5.0), "the server kept accepting connections while stopping"
    release.set()
    in_flight.join(10)
    stopper.join(10)
    assert answers == [b"finished"]
    assert not stopper.is_alive()


def test_requests_are_served_concurrently_by_the_thread_pool():
    both_inside = threading.Barrier(2, timeout=10)

    def meeting_app(environ, start_response):
        both_inside.wait()  # only passes when two requests are inside the app at once
        start_response("200 OK", [("content-type", "text/plain")])
        return [b"met"]

    with HttpServer(meeting_app, host="127.0.0.1", port=0, threads=8) as server:
        answers: list[bytes] = []
        clients = [
            threading.Thread(
                target=lambda: answers.append(urllib.request.urlopen(server.url, timeout=10).read())
            )
            for _ in range(2)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(15)
    assert answers == [b"met", b"met"]


def _refused_within(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return True
        time.sleep(0.01)
    return False


class _HangingDatabase:
    """An engine whose connect() blocks until released, like a database host that drops packets."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()

    def connect(self):
        self.entered.set()
        self.release.wait(10)
        raise ConnectionError("timed out")


def test_a_hanging_database_ties_up_one_health_probe_and_turns_unhealthy_after_the_patience():
    now = [100.0]
    database = _HangingDatabase()
    health = DatabaseHealth(database, patience=2.0, monotonic=lambda: now[0])  # type: ignore[arg-type]
    first: list[bool] = []
    probe = threading.Thread(target=lambda: first.append(health.ok()))
    probe.start()
    assert database.entered.wait(10)
    assert health.ok() is True  # answered at once from the last result: the check has just started
    now[0] += 2.5
    assert health.ok() is False  # the running check has taken longer than the patience
    database.release.set()
    probe.join(10)
    assert first == [False]
