"""`cutover-bot serve --http` as real processes: start, read their log, stop them politely or with SIGKILL."""

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

REPO = Path(__file__).resolve().parents[2]
SECRET = "replica-test-signing-secret-51c2"
TOKEN = "xoxb-5150-replica-test-token"


def serve_env(database_url: str, slack_url: str, **extra: str) -> dict[str, str]:
    """The environment of a serve process: this test's Slack, database and channel, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CUTOVER_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        CUTOVER_CHANNEL="C0CUTOVER",
        CUTOVER_ALLOW_EXAMPLE_ROSTER="1",  # these tests are about serving, not about the roster
        CUTOVER_PROBE_AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        **extra,
    )
    return env


class ServeProcess:
    """One `serve --http` process on 127.0.0.1 and a free port; its log lines are kept in `lines`."""

    def __init__(self, env: dict[str, str], name: str = "serve") -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", "0"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.url: str | None = None

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, pattern: str, within: float = 30.0) -> re.Match:
        """The first new log line matching the pattern (AssertionError with the log if none comes)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self._new.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"{self.name}: no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def started(self, within: float = 90.0) -> ServeProcess:
        """Wait until it listens (start-up imports boto3 and more: slow on a busy machine); remember its URL."""
        self.url = self.wait_for(r"listening on (http://127\.0\.0\.1:\d+)", within).group(1)
        return self

    def log(self) -> str:
        """Everything it logged so far."""
        return "".join(self.lines)

    def kill(self) -> None:
        """SIGKILL: no goodbye, no cleanup (what a crashed host looks like to the others)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        """SIGTERM and wait: the graceful stop; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)
