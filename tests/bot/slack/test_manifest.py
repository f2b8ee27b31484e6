"""manifest.yaml: what a user pastes to create the Slack app matches what the bot listens to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.serve.http import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"


def test_the_manifest_declares_what_the_bot_uses():
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/cutover"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert {
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "users:read",
        "files:write",
        "usergroups:read",
    } <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert isinstance(settings["socket_mode_enabled"], bool)
    urls = [
        features["slash_commands"][0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
