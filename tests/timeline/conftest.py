"""Fixtures for time-driven tests: a fake Slack, and a bot on a virtual clock a week before the window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.fake_slack_api import FakeSlackApi
from tests.timeline.harness import TimedBot

WINDOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
EARLY = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


@pytest.fixture
def slack():
    """A fake Slack Web API on 127.0.0.1."""
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
def timed(plan, roster, slack, tmp_path):
    """A bot over a SQLite file, 12 days before the window, messages going to the fake Slack."""
    return TimedBot(plan, roster, f"sqlite:///{tmp_path / 'cutover.db'}", EARLY, slack)
