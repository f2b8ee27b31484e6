"""`serve --http` over real HTTP: signed requests in, answers and Slack Web API calls out."""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import create_engine

from bot.clock import FakeClock
from bot.serve.command import Runtime, build_runtime, wsgi_app
from bot.serve.http import HttpServer, SlackWsgiApp
from bot.settings import Settings
from bot.slack.signed_requests import FORM, SlackRequests
from commands.run import execute
from cutover.roster import default_roster_path
from storage import eventlog
from tests.conftest import T0
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.slack_http import SlackSender, http_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234-5678-serve-test-token"
IC, IC2, MANAGEMENT = "U01AAAA", "U01ZZZZ", "U03AAAA"


@dataclass
class Served:
    """A bot served over HTTP on 127.0.0.1, its fake Slack, its virtual clock and a signed sender."""

    slack: FakeSlackApi
    runtime: Runtime
    clock: FakeClock
    server: HttpServer
    sender: SlackSender

    def command(self, text: str, user: str = IC):
        """A signed /cutover request over HTTP."""
        return self.sender.command(text, user=user)

    def responses(self) -> list[dict]:
        """What the bot posted to clicks' response_urls (answers, replaced cards), in order."""
        return [call for call in list(self.slack.calls) if call["method"].startswith("response/")]

    def kinds(self) -> list[str]:
        """The kinds of the current cutover's events, in order."""
        state = self.runtime.services.ledger.current()
        if state is None:
            return []
        db = self.runtime.services.ledger.db
        return [r.event.kind for r in eventlog.history(engine=db, cutover_id=state.cutover_id)]

    def run(self, text: str, user: str) -> None:
        """Run a command directly (set-up that is not under test), a minute after the previous one."""
        self.clock.advance(timedelta(minutes=1))
        execute(self.runtime.services, user, text)


@pytest.fixture
def roster_with_two_ics(tmp_path):
    """The example roster with a second Incident Commander (two people may approve Gate 1)."""
    text = (
        default_roster_path()
        .read_text(encoding="utf-8")
        .replace(
            "incident_commander:\n",
            "incident_commander:\n  - {slack_id: U01ZZZZ, name: Chris Ode, email: chris.ode@example.com}\n",
            1,
        )
    )
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def serving(database_url: str, roster: Path):
    """The bot served on 127.0.0.1 over a database, its Web API client pointed at a fake Slack."""
    aws_offline = {
        "CUTOVER_PROBE_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }  # production wiring, with AWS unreachable at once
    with FakeSlackApi() as slack, mock.patch.dict(os.environ, aws_offline):
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            database_url=database_url,
            cutover_channel="C0CUTOVER",
            cutover_roster=str(roster),
        )
        clock = FakeClock(T0)
        runtime = build_runtime(settings, clock=clock)
        # start-up's checks of the token and the workspace are not what these tests look at; what it posts is
        for checked in ("auth.test", "conversations.list", "conversations.info", "users.info"):
            slack.forget(checked)
        with HttpServer(wsgi_app(runtime), host="127.0.0.1", port=0) as server:
            sender = SlackSender(server.url, SECRET, response_urls=slack.response_url(""))
            yield Served(slack, runtime, clock, server, sender)
            sender.close()
        runtime.database.dispose()


@pytest.fixture
def served(tmp_path, roster_with_two_ics):
    """Served over a SQLite file."""
    with serving(f"sqlite:///{tmp_path / 'cutover.db'}", roster_with_two_ics) as bot:
        yield bot


@pytest.fixture
def served_any_db(db_url, roster_with_two_ics):
    """Served over SQLite, and over PostgreSQL when CUTOVER_TEST_POSTGRES_URL is set."""
    with serving(db_url, roster_with_two_ics) as bot:
        yield bot


def started_with_phase0_done(served: Served) -> None:
    """Schedule, GO, start, and every Phase 0 step done by its R role: Gate 1 is open."""
    served.run("schedule 2026-12-02 02:00", IC)
    served.run("go-nogo override checklist not measured in this test", IC)
    served.run("go-nogo approve-override", MANAGEMENT)
    served.run("go-nogo go rehearsed and green", IC)
    served.run("go-nogo override starting before the window is agreed", IC)
    served.run("go-nogo approve-override", MANAGEMENT)
    served.run("start", IC)
    plan, roster = served.runtime.services.plan, served.runtime.services.roster
    for step in plan.phases[0].steps:
        doer = roster.members_of(step.raci.R[0])[0].slack_id
        served.run(f"step start {step.id}", doer)
        served.run(f"step done {step.id}", doer)


def test_a_signed_slash_command_is_answered_in_the_ack(served):
    answer = served.command("status")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["response_type"] == "ephemeral"
    assert "no cutover yet" in answer.json()["text"].lower()


def test_a_command_posts_its_announcement_to_the_channel(served):
    answer = served.command("schedule 2026-12-02 02:00")
    assert answer.status == 200 and "2026-12-02 02:00 UTC" in answer.json()["text"]
    posted = served.slack.calls_to("chat.postMessage")
    assert posted and all(call["args"]["channel"] == "C0CUTOVER" for call in posted)
    assert all(call["headers"]["Authorization"] == f"Bearer {BOT_TOKEN}" for call in posted)
    assert served.kinds().count("cutover.scheduled") == 1


def test_bad_input_is_an_ephemeral_usage_answer_not_an_error(served):
    answer = served.command("step done 1A.9")
    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert "1A.9" in answer.json()["text"] and "Traceback" not in answer.json()["text"]


@pytest.mark.parametrize("tamper", ["forged signature", "stale timestamp", "wrong secret", "no signature"])
def test_unsigned_or_badly_signed_requests_are_refused_401_and_change_nothing(served, tamper):
    request = served.sender.requests.slash(IC, "schedule 2026-12-02 02:00")
    body, headers = request.raw_body, http_headers(request)
    if tamper == "forged signature":
        headers["x-slack-signature"] = "v0=" + "0" * 64
    elif tamper == "stale timestamp":  # signed correctly, but 5 minutes and 1 second old
        stale = int(headers["x-slack-request-timestamp"]) - 301
        headers = http_headers(served.sender.requests.signed(body, FORM, timestamp=stale))
    elif tamper == "wrong secret":
        headers = http_headers(SlackRequests("not-the-signing-secret").signed(body, FORM))
    else:
        headers = {"content-type": FORM}
    answer = served.sender.post(body, headers)
    assert answer.status == 401
    assert served.kinds() == []
    assert served.slack.calls_to("chat.postMessage") == []


def test_a_slack_retry_of_the_same_request_is_not_applied_twice(served_any_db):
    request = served_any_db.sender.requests.slash(IC, "schedule 2026-12-02 02:00")
    first = served_any_db.sender.send(request)
    posted = len(served_any_db.slack.calls_to("chat.postMessage"))
    retry = served_any_db.sender.send(request, retry=1)
    assert first.status == retry.status == 200
    assert "not applied a second time" in retry.json()["text"]
    assert served_any_db.kinds().count("cutover.scheduled") == 1
    assert len(served_any_db.slack.calls_to("chat.postMessage")) == posted


def test_a_repeated_click_is_not_applied_twice(served_any_db):
    started_with_phase0_done(served_any_db)
    click = served_any_db.sender.click_request("gate_approve", "1", user=IC)
    assert served_any_db.sender.send(click).status == 200
    assert served_any_db.sender.send(click, retry=1).status == 200
    assert served_any_db.kinds().count("gate.approved") == 1


def test_two_people_clicking_approve_at_the_same_moment_record_one_approval(served_any_db):
    started_with_phase0_done(served_any_db)
    served_any_db.slack.clear()
    barrier = threading.Barrier(2)
    answers: dict[str, int] = {}

    def click(user: str) -> None:
        sender = SlackSender(
            served_any_db.server.url, SECRET, response_urls=served_any_db.slack.response_url("")
        )
        click = sender.click_request("gate_approve", "1", user=user)
        barrier.wait()
        answers[user] = sender.send(click).status
        sender.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in (IC, IC2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == {IC: 200, IC2: 200}
    assert served_any_db.kinds().count("gate.approved") == 1
    approver = [
        r.actor
        for r in eventlog.history(
            engine=served_any_db.runtime.database,
            cutover_id=served_any_db.runtime.services.ledger.current().cutover_id,
        )
        if r.event.kind == "gate.approved"
    ][0]
    deadline = time.monotonic() + 10  # the answers go through each click's response_url right after its ack
    while len(served_any_db.responses()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    posted = [call["args"] for call in served_any_db.responses()]
    told = [p for p in posted if p.get("response_type") == "ephemeral"]
    assert len(told) == 2 and sum("Gate 1 is already approved" in p["text"] for p in told) == 1
    replaced = [p for p in posted if p.get("replace_original")]  # the winner's card, not the loser's
    assert len(replaced) == 1 and f"Approved by <@{approver}>" in json.dumps(replaced[0]["blocks"])
    assert served_any_db.slack.calls_to("chat.postEphemeral") == []


def test_healthz_reports_the_database(served):
    answer = served.sender.get("/healthz")
    assert answer.status == 200
    assert answer.json() == {"ok": True, "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(served):
    nowhere = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    with HttpServer(
        SlackWsgiApp(served.runtime.app, nowhere, signing_secret=SECRET), host="127.0.0.1", port=0
    ) as server:
        answer = SlackSender(server.url, SECRET).get("/healthz")
    assert answer.status == 503
    assert answer.json() == {"ok": False, "database": "unreachable"}


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/slack/events"), ("POST", "/slack/other")])
def test_anything_else_is_404(served, method, path):
    assert served.sender.request(method, path, b"", {}).status == 404


def test_no_log_line_carries_the_token_or_the_signing_secret(served, caplog):
    caplog.set_level("DEBUG")
    served.command("schedule 2026-12-02 02:00")
    served.sender.post("text=status", {"content-type": FORM, "x-slack-signature": "v0=00"})
    assert caplog.records, "the request should have logged something at DEBUG"
    assert BOT_TOKEN not in caplog.text and SECRET not in caplog.text
