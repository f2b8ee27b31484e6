"""A log that fails verification is not acted on: the bot says so in the channel and on /healthz, refuses
every change and still answers reading commands (over real HTTP)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.bot.serve.test_serve_http import IC, roster_with_two_ics, serving  # noqa: F401


@pytest.mark.parametrize(
    "edit", ["UPDATE events SET kind = 'step.done' WHERE seq = 3", "DELETE FROM events WHERE seq = 4"]
)
def test_a_log_that_fails_verification_makes_the_bot_read_only(tmp_path, roster_with_two_ics, edit):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    with serving(url, roster_with_two_ics) as bot:
        bot.run("schedule 2026-12-08 02:00", IC)
        bot.run("note issue first", IC)
        bot.run("note issue second", IC)
    with sqlite3.connect(tmp_path / "cutover.db") as db:
        db.execute(edit)
        rows = db.execute("SELECT count(*) FROM events WHERE kind = 'note.added'").fetchone()[0]
    with serving(url, roster_with_two_ics) as bot:
        health = bot.sender.get("/healthz")
        assert health.status == 503 and health.json()["audit"].startswith("failed: nxop-region-switch-1 row")
        bot.runtime.services.outbox.drain()
        posted = [c["args"]["text"] for c in bot.slack.calls_to("chat.postMessage")]
        assert any("The audit log failed verification" in text for text in posted)
        refused = bot.command("note issue third")
        assert refused.status == 200 and "failed verification at row" in refused.json()["text"]
        assert "Nothing was changed" in refused.json()["text"]
        status = bot.command("status")
        assert status.status == 200 and "failed verification" not in status.json()["text"]
        assert "went wrong" not in status.json()["text"]
        with sqlite3.connect(tmp_path / "cutover.db") as db:
            assert db.execute("SELECT count(*) FROM events WHERE kind = 'note.added'").fetchone()[0] == rows
