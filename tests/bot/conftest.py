"""The `cutover_bot` fixture: the Bolt app behind signed requests, on in-memory SQLite and a virtual clock."""

from __future__ import annotations

import pytest

from tests.conftest import T0
from tests.support.slack_bot import CutoverSlackBot


@pytest.fixture
def cutover_bot(plan, roster):
    """A fresh bot at T0 (2026-12-01 01:00 UTC) with nothing planned."""
    return CutoverSlackBot(plan, roster, T0)
