"""Three `serve` processes on one PostgreSQL: commands through all of them, the leader killed twice.

What must hold, as a person in the channel would notice it: every message arrives once (none lost,
none doubled, even the one in flight when its sender was killed), every time-driven action fires
once, any replica answers, and the log verifies. Without the optional user token (SLACK_USER_TOKEN)
a reply in a channel's thread in flight at a kill may arrive twice: one extra per kill at most.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from storage import eventlog
from storage import outbox as store
from storage.db import create_db_engine
from tests.conftest import fresh_postgres, postgres_url
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.serve_process import SECRET, ServeProcess, serve_env
from tests.support.slack_http import SlackSender

pytestmark = pytest.mark.postgres
IC, MANAGEMENT = "U01AAAA", "U03AAAA"
TAKE_OVER_S = 15.0


def leader_of(replicas: list[ServeProcess], within: float = TAKE_OVER_S) -> ServeProcess:
    """The one live replica whose /metrics says it leads (AssertionError when none does in time)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        leading = [r for r in replicas if r.process.poll() is None and _leads(r)]
        assert len(leading) <= 1, "two leaders at once"
        if leading:
            return leading[0]
        time.sleep(0.1)
    raise AssertionError("no leader:\n" + "\n".join(r.log() for r in replicas))


def _leads(replica: ServeProcess) -> bool:
    sender = SlackSender(replica.url, SECRET)
    try:
        return "\ncutover_leader 1.0\n" in sender.get("/metrics").body.decode()
    except OSError:
        return False
    finally:
        sender.close()


def posted_keys(slack: FakeSlackApi) -> Counter:
    """How many times Slack received a message for each outbox key (from the message metadata)."""
    counts: Counter = Counter()
    for call in slack.calls_to("chat.postMessage"):
        metadata = call["args"].get("metadata") or {}
        counts[(metadata.get("event_payload") or {}).get("outbox_key")] += 1
    return counts


def posted_args(slack: FakeSlackApi) -> dict:
    """The arguments of the post of each outbox key."""
    return {
        ((call["args"].get("metadata") or {}).get("event_payload") or {}).get("outbox_key"): call["args"]
        for call in slack.calls_to("chat.postMessage")
    }


USER_TOKEN = "xoxp-5150-replica-test-user-token"
AT_LEAST_ONCE = (
    "SLACK_USER_TOKEN is not set: a reply in a channel's thread in flight at a crash may be posted twice"
)


@pytest.mark.parametrize("user_token", [True, False], ids=["user-token", "bot-token-only"])
def test_three_replicas_and_two_sigkilled_leaders_lose_nothing_and_double_nothing(tmp_path, user_token):
    url = postgres_url()
    fresh_postgres(url).dispose()
    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    env = {"SLACK_USER_TOKEN": USER_TOKEN} if user_token else {}
    with FakeSlackApi() as slack:
        slack.slow("chat.postMessage", 0.25)  # each post is answered late: a kill lands mid-send
        replicas = [ServeProcess(serve_env(url, slack.url, **env), f"replica-{i}") for i in range(3)]
        try:
            for replica in replicas:
                replica.started()
                warned = [line for line in replica.lines if AT_LEAST_ONCE in line]
                assert len(warned) == (0 if user_token else 1), replica.log()  # said once at start-up
            senders = {r.name: SlackSender(r.url, SECRET) for r in replicas}
            slack_side = senders[replicas[0].name].requests  # one Slack: trigger ids unique across replicas
            for sender in senders.values():
                sender.requests = slack_side
            turn = iter(range(10**6))

            def command(text: str, user: str, own_connection: bool = False) -> str:
                live = [r for r in replicas if r.process.poll() is None]
                replica = live[next(turn) % len(live)]
                sender = SlackSender(replica.url, SECRET) if own_connection else senders[replica.name]
                sender.requests = slack_side
                answer = sender.command(text, user=user)
                assert answer.status == 200, (replica.name, text, answer.body)
                return answer.json()["text"]

            # T-7d, T-24h and T-1h fall due at once: the leader's scheduler fires them
            start_at = (datetime.now(UTC) + timedelta(minutes=40)).strftime("%Y-%m-%d %H:%M")
            assert "Cutover planned" in command(f"schedule {start_at}", IC)
            first = leader_of(replicas)
            _wait_for_posts(slack, 3)
            first.kill()  # with a post in flight
            killed_at = time.monotonic()
            second = leader_of(replicas)
            take_overs = [time.monotonic() - killed_at]

            command("go-nogo override checklist not measured in this test", IC)
            command("go-nogo approve-override", MANAGEMENT)
            command("go-nogo go rehearsed and green", IC)
            command("start", IC)
            for step in plan.phases[0].steps[:3]:
                doer = roster.members_of(step.raci.R[0])[0].slack_id
                command(f"step start {step.id}", doer)
                command(f"step done {step.id}", doer)
            answers: list[str] = []
            notes = [
                threading.Thread(
                    target=lambda i=i: answers.append(command(f"note issue concurrent {i}", IC, True))
                )
                for i in range(6)
            ]  # at once, over the surviving replicas: each applied, none refused
            for note in notes:
                note.start()
            for note in notes:
                note.join()
            assert len(answers) == 6
            _wait_for_posts(slack, len(slack.calls_to("chat.postMessage")) + 1)
            second.kill()
            killed_at = time.monotonic()
            third = leader_of(replicas)
            take_overs.append(time.monotonic() - killed_at)
            command("status", IC)

            database = create_db_engine(url)
            deadline = time.monotonic() + 30
            while store.count(engine=database, status=store.PENDING) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert store.count(engine=database, status=store.PENDING) == 0, third.log()
            assert third.stop() == 0
        finally:
            for replica in replicas:
                if replica.process.poll() is None:
                    replica.kill()

        rows = store.rows(engine=database)
        counts = posted_keys(slack)
        sent_posts = [r.key for r in rows if r.method == "chat.postMessage" and r.status == store.SENT]
        assert sent_posts and [k for k in sent_posts if counts[k] < 1] == []  # none lost
        extra = {key: n - 1 for key, n in counts.items() if n > 1}
        if user_token:  # the user token reads the channel's threads: none doubled
            assert extra == {}, extra
            assert [e for e in slack.contract_errors if e.method == "conversations.replies"] == []
        else:
            # none doubled, but for a reply in a channel's thread in flight at a kill: Slack does not let a
            # bot token read a channel's threads (conversations.replies), so such a reply cannot be looked for
            in_channel_threads = {
                key
                for key, args in posted_args(slack).items()
                if args.get("thread_ts") and args["channel"][:1] not in "DUW"
            }
            assert set(extra) <= in_channel_threads and sum(extra.values()) <= 2, (
                extra
            )  # one per kill at most
        assert set(counts) == set(sent_posts)
        assert [
            (r.key, r.last_error) for r in rows if r.status == store.FAILED and r.method != "ses.send_email"
        ] == []

        (cutover_id,) = eventlog.cutover_ids(engine=database)
        history = eventlog.history(engine=database, cutover_id=cutover_id)
        comms = Counter(r.event.comm_id for r in history if r.event.kind == "comm.sent")
        assert {"T-7d", "T-24h", "T-1h"} <= set(comms) and set(comms.values()) == {1}, comms
        notes_recorded = [r for r in history if r.event.kind == "note.added"]
        assert len(notes_recorded) == 6, (answers, Counter(r.event.kind for r in history))
        assert eventlog.verify(engine=database, cutover_id=cutover_id).ok
        assert all(t < TAKE_OVER_S for t in take_overs), take_overs
        database.dispose()


def _wait_for_posts(slack: FakeSlackApi, n: int, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while len(slack.calls_to("chat.postMessage")) < n:
        assert time.monotonic() < deadline, f"fewer than {n} posts reached Slack"
        time.sleep(0.02)
