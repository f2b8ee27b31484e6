"""What `serve` checks in Slack before it starts: its channels exist with the bot in them, the roster's people exist.

`auth.test` (the token) is checked when the app is built (`bot/slack/app.py`). Here, after the
channel's name was resolved to its ID: `conversations.info` on the cutover channel (exists, the bot
a member), the runbook's audience channels by name (`conversations.list`: the bot posts there and
has no chat:write.public, so it must be invited), then `users.info` for each person on the roster
(exists, not deactivated). Every problem is one line (`templates/cli/slack_setup_problem.j2`);
`SlackSetupError` carries them all and `serve` exits 2 without a traceback.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import SettingsError
from bot.slack.channels import channels_named, is_conversation_id
from cutover.roster import Roster
from storage import outbox as outbox_store
from templates.render import render


class SlackSetupError(SettingsError):
    """The workspace is not ready for this bot: one line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\ncutover-bot: ".join(lines))
        self.lines = lines


def slack_setup_problems(
    client: WebClient, channel: str, roster: Roster, audience_channels: tuple[str, ...] = ()
) -> list[str]:
    """One line per thing Slack says is wrong with the channels or the roster (none: ready)."""
    problems = [_channel_problem(client, channel)]
    problems += _audience_problems(client, channel, audience_channels)
    for member in roster.everyone():
        problems.append(_user_problem(client, member.slack_id, member.name))
    return [p for p in problems if p]


def check_slack_setup(
    client: WebClient, channel: str, roster: Roster, audience_channels: tuple[str, ...] = ()
) -> None:
    """Raise SlackSetupError unless the channels and every roster member are there."""
    problems = slack_setup_problems(client, channel, roster, audience_channels)
    if problems:
        raise SlackSetupError(problems)


def _channel_problem(client: WebClient, channel: str) -> str:
    if not is_conversation_id(channel):  # the name matched no channel the bot can see
        return _line("channel_unknown", channel=channel)
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "channel_not_found":
            return _line("channel_unknown", channel=channel)
        return _line("channel_refused", channel=channel, error=error)
    if not info.get("is_member"):
        return _line("channel_not_member", channel=f"#{info.get('name', channel)} ({channel})")
    return ""


def _audience_problems(client: WebClient, channel: str, names: tuple[str, ...]) -> list[str]:
    """The runbook's audience channels (by name) the bot cannot see or is not in."""
    named = [n for n in dict.fromkeys(names) if not is_conversation_id(n)]
    if not named:
        return []
    found = channels_named(client, named)
    problems = []
    for name in named:
        info = found.get(name.lstrip("#"))
        if info is None:
            problems.append(_line("audience_unknown", channel=name))
        elif not info.get("is_member") and info.get("id") != channel:
            problems.append(_line("audience_not_member", channel=f"#{name.lstrip('#')} ({info['id']})"))
    return problems


def _user_problem(client: WebClient, user: str, name: str) -> str:
    try:
        found = client.users_info(user=user)["user"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        return _line(
            "user_unknown" if error == "user_not_found" else "user_refused",
            user=user,
            person=name,
            error=error,
        )
    return _line("user_deactivated", user=user, person=name) if found.get("deleted") else ""


def setup_line(problem: str, *, setting: str = "", error: object = "") -> str:
    """One start-up line about a Slack token (`token_refused`, `token_unreachable`, `user_token_missing`)."""
    return _line(problem, setting=setting, error=error)


def _line(
    problem: str, channel: str = "", user: str = "", person: str = "", setting: str = "", error: object = ""
) -> str:
    return render(
        "cli/slack_setup_problem.j2",
        problem=problem,
        channel=channel,
        user=user,
        person=person,
        setting=setting,
        error=error,
    )


def delivery_trouble(engine) -> str | None:
    """/healthz's "slack": why delivery to Slack is failing, or None while it works."""
    trouble = outbox_store.slack_trouble(engine=engine)
    if trouble is None:
        return None
    return render(
        "cli/slack_trouble.j2",
        refused=trouble.refused,
        failing=trouble.failing,
        last_error=trouble.last_error,
    ).strip()
