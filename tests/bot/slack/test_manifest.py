"""manifest.yaml: what a user pastes to create the Slack app matches what the bot listens to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.clock import FakeClock
from bot.outbox.lookup import find_posted
from bot.rehearsal.play import Rehearsal
from bot.rehearsal.scenarios import SCENARIOS
from bot.serve.http import EVENTS_PATH
from bot.serve.slack_setup import check_slack_setup
from bot.slack.channels import channel_id
from bot.slack.emulator.client import EmulatedWebClient
from bot.slack.emulator.core import SlackEmulator
from bot.slack.emulator.workspace import Workspace
from tests.conftest import T0

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"


def test_the_manifest_declares_what_the_bot_uses():
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/cutover"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert isinstance(settings["socket_mode_enabled"], bool)
    urls = [
        features["slash_commands"][0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_uses(plan, roster, tmp_path):
    """The scopes come from the calls the emulator saw: a rehearsal with a rollback and the report, serve's
    start-up checks, and the crash lookups in a public channel, a private channel and a DM."""
    rehearsal = Rehearsal(plan, roster, SCENARIOS["phase1b-fails-after-failover"], out_dir=tmp_path, start=T0)
    rehearsal.run()
    used = set(rehearsal.session.emulator.scopes_used)
    workspace = Workspace()
    workspace.add_channel("nxop-cutover", "C0CUTOVER")
    workspace.add_channel("nxop-private", "G0PRIVATE", private=True)
    for member in roster.everyone():
        workspace.add_user(member.slack_id)
    emulator = SlackEmulator(FakeClock(T0), workspace=workspace)
    client = EmulatedWebClient(emulator)
    for channel in ("#nxop-cutover", "#nxop-private"):
        check_slack_setup(client, channel_id(client, channel), roster)
    for channel in ("C0CUTOVER", "G0PRIVATE", "U01AAAA"):
        assert find_posted(client, {"channel": channel, "text": "x"}, "key") is None
    reader = EmulatedWebClient(emulator, token="xoxp-user")  # the optional user token reads channel threads
    for channel in ("C0CUTOVER", "G0PRIVATE"):
        parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
        client.chat_postMessage(channel=channel, text="reply", thread_ts=parent)
        args = {"channel": channel, "text": "x", "thread_ts": parent}
        assert find_posted(client, args, "key", reader=reader) is None
    used |= set(emulator.scopes_used)
    assert [str(e) for e in [*rehearsal.session.emulator.contract_errors, *emulator.contract_errors]] == []
    manifest = yaml.safe_load(MANIFEST.read_text())
    asked = set(manifest["oauth_config"]["scopes"]["bot"])
    assert asked - {"commands"} == used, "manifest.yaml asks for more, or less, than the bot uses"
    user_asked = set(manifest["oauth_config"]["scopes"]["user"])
    assert user_asked == set(emulator.user_scopes_used) == {"channels:history", "groups:history"}
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs go to the Messages tab
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is True
