"""`cutover-bot serve` as an operator runs it: a process that serves, answers, and stops on SIGTERM."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.fake_slack_api import FakeSlackApi
from tests.support.slack_http import SlackSender

REPO = Path(__file__).resolve().parents[3]
SECRET = "cli-test-signing-secret-3f9a"
TOKEN = "xoxb-9999-cli-test-token"


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _wait_for(lines: queue.Queue, pattern: str, seen: list[str], within: float = 30.0) -> re.Match:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")


def _eventually(check, within: float = 10.0):
    deadline = time.monotonic() + within
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return result


def test_serve_http_answers_signed_requests_and_stops_gracefully_on_sigterm(tmp_path):
    with FakeSlackApi() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CUTOVER_", "DATABASE_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'cutover.db'}",
            CUTOVER_CHANNEL="C0CUTOVER",
            CUTOVER_ALLOW_EXAMPLE_ROSTER="1",
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bot.cli import main; raise SystemExit(main())",
                "serve",
                "--http",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--log-level",
                "DEBUG",
            ],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True).start()
        seen: list[str] = []
        try:
            url = _wait_for(lines, r"listening on (http://127\.0\.0\.1:\d+)", seen).group(1)
            sender = SlackSender(url, SECRET)
            assert sender.get("/healthz").json() == {"ok": True, "database": "ok"}
            answer = sender.command("schedule 2026-12-02 02:00", user="U01AAAA")
            assert answer.status == 200 and "2026-12-02 02:00 UTC" in answer.json()["text"]
            assert _eventually(
                lambda: slack.calls_to("chat.postMessage")
            )  # the outbox delivers in the background
            sender.close()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        _wait_for(lines, r"cutover\.serve: stopped$", seen)
        while (line := lines.get(timeout=5)) is not None:
            seen.append(line)
    log = "".join(seen)
    assert "received SIGTERM" in log
    assert TOKEN not in log and SECRET not in log
