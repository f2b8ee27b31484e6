"""The emulator refuses what Slack refuses, and slack_sdk raises its refusals as SlackApiError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.clock import FakeClock
from bot.slack.emulator.client import EmulatedWebClient
from bot.slack.emulator.core import SlackEmulator
from bot.slack.emulator.limits import SlackRateLimits, Window
from bot.slack.emulator.workspace import Workspace

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def emulator(clock):
    workspace = Workspace()
    workspace.add_channel("nxop-cutover", "C0CUTOVER")
    workspace.add_channel("elsewhere", "C0ELSE", member=False)
    workspace.add_channel("secret", "G0SECRET", private=True, member=False)
    workspace.add_user("U01AAAA", name="Dana", email="dana@example.com")
    return SlackEmulator(clock, workspace=workspace)


@pytest.fixture
def client(emulator):
    return EmulatedWebClient(emulator)


def refusal(call) -> dict:
    with pytest.raises(SlackApiError) as refused:
        call()
    return refused.value.response.data


def test_a_post_by_channel_name_answers_the_channel_id_and_edits_need_that_id(client, emulator):
    posted = client.chat_postMessage(channel="#nxop-cutover", text="parent")
    assert posted["channel"] == "C0CUTOVER"
    assert refusal(lambda: client.chat_update(channel="#nxop-cutover", ts=posted["ts"], text="x"))[
        "error"
    ] == ("channel_not_found")
    assert refusal(lambda: client.chat_getPermalink(channel="#nxop-cutover", message_ts=posted["ts"]))[
        "error"
    ] == ("channel_not_found")
    assert client.chat_update(channel="C0CUTOVER", ts=posted["ts"], text="updated")["ok"]
    assert emulator.messages[0].text == "updated"
    assert refusal(lambda: client.chat_update(channel="C0CUTOVER", ts="1.000001", text="x"))["error"] == (
        "message_not_found"
    )


def test_unknown_methods_arguments_and_missing_required_ones(client, emulator):
    assert refusal(lambda: client.api_call("chat.explode", json={}))["error"] == "unknown_method"
    bad = refusal(lambda: client.chat_postMessage(channel="C0CUTOVER", text="x", colour="red"))
    assert bad["error"] == "invalid_arguments" and "colour" in bad["response_metadata"]["messages"][0]
    assert (
        refusal(lambda: client.api_call("chat.postMessage", json={"text": "x"}))["error"]
        == "channel_not_found"
    )
    assert refusal(lambda: client.chat_postMessage(channel="C0CUTOVER"))["error"] == "no_text"
    assert refusal(lambda: client.api_call("users.info", json={}))["error"] == "user_not_found"
    assert [e.error for e in emulator.contract_errors] == [
        "unknown_method",
        "invalid_arguments",
        "channel_not_found",
        "no_text",
        "user_not_found",
    ]


def test_membership_private_channels_and_user_ids(client, emulator):
    assert refusal(lambda: client.chat_postMessage(channel="C0ELSE", text="x"))["error"] == "not_in_channel"
    emulator.scopes = emulator.scopes | {"chat:write.public"}
    assert client.chat_postMessage(channel="C0ELSE", text="x")["ok"], "chat:write.public: a public channel"
    assert refusal(lambda: client.conversations_history(channel="C0ELSE"))["error"] == "not_in_channel"
    assert (
        refusal(lambda: client.chat_postMessage(channel="G0SECRET", text="x"))["error"] == "channel_not_found"
    )
    assert (
        refusal(lambda: client.chat_postMessage(channel="#nowhere", text="x"))["error"] == "channel_not_found"
    )
    dm = client.chat_postMessage(channel="U01AAAA", text="hi")["channel"]
    assert dm.startswith("D") and dm == client.conversations_open(users="U01AAAA")["channel"]["id"]
    assert (
        refusal(lambda: client.chat_postMessage(channel="U0NOBODY", text="x"))["error"] == "channel_not_found"
    )
    assert refusal(lambda: client.users_info(user="U0NOBODY"))["error"] == "user_not_found"
    assert client.users_info(user="U01AAAA")["user"]["real_name"] == "Dana"
    assert client.conversations_info(channel="C0CUTOVER")["channel"]["is_member"] is True
    assert refusal(lambda: client.conversations_info(channel="#nxop-cutover"))["error"] == "channel_not_found"


def test_a_bot_token_reads_threads_only_in_dms(client):
    parent = client.chat_postMessage(channel="C0CUTOVER", text="parent")["ts"]
    client.chat_postMessage(channel="C0CUTOVER", text="reply", thread_ts=parent)
    refused = refusal(lambda: client.conversations_replies(channel="C0CUTOVER", ts=parent))
    assert refused["error"] == "not_allowed_token_type"
    top = client.conversations_history(channel="C0CUTOVER", latest=parent, oldest=parent, inclusive=True)
    assert [m["text"] for m in top["messages"]] == ["parent"], "history: top-level messages only"
    dm = client.chat_postMessage(channel="U01AAAA", text="dm parent")
    client.chat_postMessage(channel=dm["channel"], text="dm reply", thread_ts=dm["ts"])
    thread = client.conversations_replies(channel=dm["channel"], ts=dm["ts"])
    assert [m["text"] for m in thread["messages"]] == ["dm parent", "dm reply"]


def test_missing_scope_names_what_is_needed_and_provided(clock):
    emulator = SlackEmulator(clock, workspace=Workspace(open_world=True), scopes=frozenset({"chat:write"}))
    client = EmulatedWebClient(emulator)
    refused = refusal(lambda: client.users_info(user="U01AAAA"))
    assert refused == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write",
    }
    assert client.chat_postMessage(channel="C01", text="x")["ok"]
    assert dict(emulator.scopes_used) == {"chat:write": 1}


def _button(action_id: str, text: str = "Go", value: str = "v") -> dict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }


@pytest.mark.parametrize(
    ("blocks", "error", "says"),
    [
        (
            [{"type": "actions", "elements": [_button("rollback"), _button("rollback")]}],
            "invalid_blocks",
            "duplicate action_id",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "invalid_blocks", "3000"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "invalid_blocks", "150"),
        ([{"type": "actions", "elements": [_button("a", text="x" * 76)]}], "invalid_blocks", "75"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "invalid_blocks", "10"),
        ([{"type": "divider"}] * 51, "invalid_blocks", "50"),
        (
            [{"type": "divider", "block_id": "b"}, {"type": "divider", "block_id": "b"}],
            "invalid_blocks",
            "block_id",
        ),
        ([{"type": "bogus"}], "invalid_blocks", "unknown block type"),
    ],
)
def test_block_kit_as_slack_checks_it(client, blocks, error, says):
    refused = refusal(lambda: client.chat_postMessage(channel="C0CUTOVER", text="x", blocks=blocks))
    assert refused["error"] == error
    assert says in " ".join(refused["response_metadata"]["messages"])


def test_buttons_of_different_blocks_may_share_an_action_id_and_text_has_a_limit(client):
    blocks = [{"type": "actions", "elements": [_button("gate_approve")]} for _ in range(2)]
    assert client.chat_postMessage(channel="C0CUTOVER", text="x", blocks=blocks)["ok"]
    assert (
        refusal(lambda: client.chat_postMessage(channel="C0CUTOVER", text="x" * 40_001))["error"]
        == "msg_too_long"
    )


def test_views_are_checked_and_need_a_trigger(client):
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Why?"},
        "blocks": [{"type": "divider"}],
    }
    assert client.views_open(trigger_id="1.2.abc", view=modal)["view"]["id"].startswith("V")
    too_long = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    assert (
        refusal(lambda: client.views_open(trigger_id="1.2.abc", view=too_long))["error"]
        == "invalid_arguments"
    )
    assert refusal(lambda: client.views_open(view=modal))["error"] == "invalid_trigger_id"
    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    assert refusal(lambda: client.views_publish(user_id="U01AAAA", view=home))["error"] == "invalid_arguments"
    assert (
        refusal(lambda: client.views_publish(user_id="U01AAAA", view=modal))["error"] == "invalid_arguments"
    )


def test_uploads_need_the_bytes_and_a_channel_id(client, emulator):
    done = client.files_upload_v2(
        channel="C0CUTOVER", content="# report", filename="report.md", title="Report"
    )
    assert done["files"][0]["title"] == "Report" and emulator.messages[-1].files
    refused = refusal(lambda: client.files_upload_v2(channel="#nxop-cutover", content="x", filename="r.md"))
    assert refused["error"] == "channel_not_found"
    assert (
        refusal(lambda: client.files_completeUploadExternal(files=[{"id": "F404"}]))["error"]
        == "file_not_found"
    )


def test_rate_tiers_answer_429_with_retry_after_and_are_not_contract_errors(client, emulator, clock):
    emulator.limits = SlackRateLimits(tiers={"chat.postEphemeral": Window(1, 1.0)})
    client.chat_postEphemeral(channel="C0CUTOVER", user="U01AAAA", text="one")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postEphemeral(channel="C0CUTOVER", user="U01AAAA", text="two")
    assert refused.value.response.status_code == 429 and refused.value.response.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert client.chat_postEphemeral(channel="C0CUTOVER", user="U01AAAA", text="two")["ok"]
    assert emulator.contract_errors == []


def test_response_url_five_uses_thirty_minutes_replace_and_delete_original(emulator, client, clock):
    card = client.chat_postMessage(channel="C0CUTOVER", text="card", blocks=[{"type": "divider"}])
    url = emulator.issue_response_url(
        "https://hooks/1", channel="C0CUTOVER", user="U01AAAA", message_ts=card["ts"]
    )
    assert emulator.respond(url, {"text": "done by Dana", "replace_original": True})[0] == 200
    assert emulator.messages[0].text == "done by Dana" and emulator.messages[0].blocks == []
    assert emulator.respond(url, {"text": "only you", "thread_ts": card["ts"]})[0] == 200
    assert emulator.messages[-1].user == "U01AAAA" and emulator.messages[-1].thread_ts == card["ts"]
    assert emulator.respond(url, {"text": "all", "response_type": "in_channel"})[0] == 200
    assert emulator.messages[-1].user is None
    assert emulator.respond(url, {"delete_original": True})[0] == 200
    assert emulator.messages[0].deleted
    assert emulator.respond(url, {"text": "fifth"})[0] == 200
    assert emulator.respond(url, {"text": "sixth"}) == (404, {}, {"ok": False, "error": "used_url"})
    late = emulator.issue_response_url("https://hooks/2", channel="C0CUTOVER", user="U01AAAA")
    clock.advance(timedelta(minutes=31))
    assert emulator.respond(late, {"text": "late"})[2]["error"] == "expired_url"
    assert [e.error for e in emulator.contract_errors] == ["used_url", "expired_url"]
