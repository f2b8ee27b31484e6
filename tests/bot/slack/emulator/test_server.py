"""The emulator's HTTP face answers slack_sdk's WebClient the way Slack does, over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.emulator.server import EmulatedSlackServer


@pytest.fixture
def slack():
    with EmulatedSlackServer() as fake:
        yield fake


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.url)


def test_post_message_gets_increasing_unique_timestamps_and_is_recorded(slack, client):
    first = client.chat_postMessage(channel="C0CUTOVER", text="one", blocks=[{"type": "divider"}])
    second = client.chat_postMessage(channel="C0CUTOVER", text="two")
    assert first["ok"] and first["channel"] == "C0CUTOVER"
    assert float(first["ts"]) < float(second["ts"])
    assert first["ts"].count(".") == 1 and len(first["ts"].split(".")[1]) == 6
    calls = slack.calls_to("chat.postMessage")
    assert [c["args"]["text"] for c in calls] == ["one", "two"]
    assert calls[0]["args"]["blocks"] == [{"type": "divider"}]
    assert calls[0]["headers"]["Authorization"] == "Bearer xoxb-test"


def test_form_encoded_and_json_bodies_record_the_same_args(slack, client):
    ts = client.chat_postMessage(channel="C1", text="first")["ts"]
    client.api_call(
        "chat.update", params={"channel": "C1", "ts": ts, "blocks": json.dumps([{"type": "divider"}])}
    )
    client.api_call("chat.update", json={"channel": "C1", "ts": ts, "blocks": [{"type": "divider"}]})
    form, js = slack.calls_to("chat.update")
    assert form["args"] == js["args"] == {"channel": "C1", "ts": ts, "blocks": [{"type": "divider"}]}


def test_channel_names_get_a_stable_channel_id(client):
    a = client.chat_postMessage(channel="#nxop-cutover", text="x")["channel"]
    b = client.chat_postMessage(channel="#nxop-cutover", text="y")["channel"]
    assert a == b and a.startswith("C") and a != "#nxop-cutover"


def test_conversations_open_answers_a_dm_channel(client):
    dm = client.conversations_open(users="U123")["channel"]["id"]
    assert dm.startswith("D") and dm == client.conversations_open(users="U123")["channel"]["id"]


def test_views_are_answered_and_unknown_methods_refused(slack, client):
    assert (
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}]})["view"][
            "type"
        ]
        == "home"
    )
    with pytest.raises(SlackApiError) as refused:
        client.api_call("reactions.explode", json={"name": "x"})
    assert refused.value.response["error"] == "unknown_method"
    assert slack.methods() == ["views.publish"]
    assert [a["status"] for a in slack.attempts] == [200, 200]  # a refusal is HTTP 200 with ok: false
    assert [e.error for e in slack.contract_errors] == ["unknown_method"]


def test_file_upload_v2_round_trip(slack, client):
    result = client.files_upload_v2(
        channel="C0CUTOVER", content="report body", filename="report.md", title="Report"
    )
    assert result["ok"]
    methods = slack.methods()
    assert methods[0] == "files.getUploadURLExternal" and methods[1].startswith("upload/")
    assert slack.calls_to(methods[1])[0]["args"] == {"bytes": len("report body")}
    assert methods[2] == "files.completeUploadExternal"


def test_rate_limit_answers_429_with_retry_after_beyond_the_limit(slack, client):
    slack.rate_limit(2, retry_after=7)
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C1", text="2")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C1", text="3")
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"] == "7"
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert [a["status"] for a in slack.attempts] == [200, 200, 429]
    client.conversations_open(users="U1")  # the limit counts each method on its own
    slack.rate_limit(None)
    client.chat_postMessage(channel="C1", text="4")


def test_fail_next_then_recover(slack, client):
    slack.fail_next(2, status=502)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C1", text="x")
        assert failed.value.response.status_code == 502
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_down_answers_503_until_back_up(slack, client):
    slack.down(True)
    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C1", text="x")
    assert failed.value.response.status_code == 503
    slack.down(False)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def _post(url: str, payload: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_response_url_posts_are_recorded_and_used_five_times_at_most(slack):
    url = slack.response_url("abc")
    assert [_post(url, {"text": f"later {n}"}) for n in range(6)] == [200] * 5 + [404]
    assert slack.calls_to("response/abc")[0]["args"]["text"] == "later 0"
    assert [e.error for e in slack.contract_errors] == ["used_url"]
    assert _post(slack.url.replace("/api/", "/response/never-issued"), {"text": "x"}) == 404


def test_answer_with_overrides_a_method(slack, client):
    slack.answer_with("apps.connections.open", {"ok": True, "url": "ws://127.0.0.1:1/link"})
    assert client.apps_connections_open(app_token="xapp-1")["url"] == "ws://127.0.0.1:1/link"
    assert slack.calls_to("apps.connections.open")[0]["headers"]["Authorization"] == "Bearer xapp-1"


def test_slacks_documented_tiers_answer_429_with_retry_after(slack):
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=[])
    slack.rate_tiers()
    for n in range(50):  # conversations.open is Tier 3: 50 a minute
        client.conversations_open(users=f"U{n:05d}")
    with pytest.raises(SlackApiError) as refused:
        client.conversations_open(users="U99999")
    assert refused.value.response.status_code == 429
    assert 55 <= int(refused.value.response.headers["Retry-After"]) <= 60
    assert client.chat_postMessage(channel="U00001", text="hi")["ok"], "another method has its own allowance"


def test_a_post_to_a_user_id_lands_in_their_dm_channel(client):
    posted = client.chat_postMessage(channel="U123", text="hi")
    assert posted["channel"] == client.conversations_open(users="U123")["channel"]["id"]
    assert posted["channel"].startswith("D")
