"""`serve` wires the AWS side for production: real probes, integrity jobs, report archive, SES."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.probes.cloudwatch import __name__ as cloudwatch_module
from bot.serve.command import build_runtime
from bot.settings import Settings
from tests.conftest import T0
from tests.support.fake_slack_api import FakeSlackApi

CLOSED_PORT = "http://127.0.0.1:9"  # nothing listens: every AWS call fails at once


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("CUTOVER_PROBE_AWS_ENDPOINT_URL", CLOSED_PORT)
    monkeypatch.setenv("CUTOVER_PROBE_CONNECT_TIMEOUT_S", "0.5")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with FakeSlackApi() as slack:
        settings = Settings(
            slack_bot_token="xoxb-test",
            slack_signing_secret="s",
            slack_api_url=slack.url,
            database_url=f"sqlite:///{tmp_path / 'c.db'}",
            cutover_channel="C0CUTOVER",
            cutover_ses_source="cutover-bot@example.com",
        )
        yield build_runtime(settings, clock=FakeClock(T0))


def test_serve_wires_real_probes_archive_and_ses(runtime):
    services = runtime.services
    assert type(services.probes.readiness).__module__ == cloudwatch_module
    assert services.integrity is not None
    assert services.reports.archive is not None
    assert type(services.outbox.transports.email).__name__ == "SesTransport"
    assert services.outbox.transports.email.source == "cutover-bot@example.com"


def test_unreachable_aws_reads_unknown_never_pass(runtime):
    services = runtime.services
    reading = services.probes.readiness.readiness()
    assert reading.ok is None and reading.error
