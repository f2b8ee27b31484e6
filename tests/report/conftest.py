"""Report fixtures: the three cutover logs with known times, built once per module."""

from __future__ import annotations

import pytest

from cutover.report.model import build_report
from storage import eventlog
from tests.conftest import T0
from tests.support import report_logs
from tests.support.bot import CommandBot


def built(plan, roster, scenario, url: str = "sqlite://") -> CommandBot:
    """A bot whose log holds one scenario of tests/support/report_logs.py."""
    bot = CommandBot(plan, roster, url, T0)
    scenario(bot)
    return bot


def report_of(bot: CommandBot, plan, roster, **kwargs):
    """The report of the bot's current cutover, built from its log."""
    db, cutover_id = bot.services.ledger.db, bot.state.cutover_id
    history = eventlog.history(engine=db, cutover_id=cutover_id)
    names = {m.slack_id: m.name for m in roster.everyone()}
    kwargs.setdefault("audit", eventlog.verify(engine=db, cutover_id=cutover_id))
    return build_report(plan, history, cutover_id, names=names, **kwargs), history


@pytest.fixture(scope="module")
def success(plan, roster):
    """(report, history, bot) of a cutover that succeeded at 9m10s."""
    bot = built(plan, roster, report_logs.success_log)
    return (*report_of(bot, plan, roster), bot)


@pytest.fixture(scope="module")
def r1(plan, roster):
    """(report, history, bot) of a cutover rolled back with R1."""
    bot = built(plan, roster, report_logs.r1_log)
    return (*report_of(bot, plan, roster), bot)


@pytest.fixture(scope="module")
def r2(plan, roster):
    """(report, history, bot) of a cutover rolled back with R2 past the SLA."""
    bot = built(plan, roster, report_logs.r2_log)
    return (*report_of(bot, plan, roster), bot)
