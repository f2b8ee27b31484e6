"""One bootstrap: every entry point's services have the same features, wired by `bot.bootstrap.wire_bot`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.integrity.jobs import IntegrityJobs
from bot.integrity.jobs import on_recorded as integrity_listener
from bot.outbox.direct import ImmediateOutbox
from bot.probes.fakes import FakeInfrastructure
from bot.rehearsal.play import Rehearsal
from bot.rehearsal.scenarios import SCENARIOS
from bot.report.jobs import ReportJobs
from bot.report.jobs import on_recorded as report_listener
from bot.slack.announcer import announce
from bot.slack.home_refresh import refresh_homes
from bot.slack.session import SlackSession

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_the_console_session_wires_reports_slack_and_no_integrity_without_probes(plan, roster):
    services = SlackSession(plan=plan, roster=roster, start=T0).services
    assert isinstance(services.reports, ReportJobs) and services.reports.inline
    assert isinstance(services.outbox, ImmediateOutbox) and services.slack is not None
    assert services.integrity is None and services.probes is None
    assert services.listeners == [report_listener, announce, refresh_homes]


def test_given_probes_the_session_wires_integrity_inline_after_the_slack_listeners(plan, roster):
    probes = FakeInfrastructure.for_plan(plan).probes()
    services = SlackSession(plan=plan, roster=roster, start=T0, probes=probes).services
    assert isinstance(services.integrity, IntegrityJobs) and services.integrity.inline
    assert services.probes is probes
    assert services.listeners == [report_listener, announce, refresh_homes, integrity_listener]


def test_a_rehearsal_runs_on_the_same_wiring_with_its_simulated_platform(plan, roster, tmp_path):
    rehearsal = Rehearsal(plan, roster, SCENARIOS["happy"], out_dir=tmp_path, start=T0)
    services = rehearsal.session.services
    assert services.probes is rehearsal.platform.probes
    assert services.integrity is not None and services.reports is not None
