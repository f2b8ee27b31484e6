"""`serve` refuses to start on a missing or malformed setting, with one clear line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_USER_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "CUTOVER_CHANNEL",
    "CUTOVER_RUNBOOK",
    "CUTOVER_ROSTER",
    "CUTOVER_TEMPLATES_DIR",
    "CUTOVER_ALLOW_EXAMPLE_ROSTER",
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment with a valid HTTP configuration; tests change one variable."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cutover.db'}")
    monkeypatch.setenv("CUTOVER_ALLOW_EXAMPLE_ROSTER", "1")  # the roster is not what these tests are about
    return monkeypatch


ROSTER_REFUSAL = (
    "cutover-bot: setting CUTOVER_ROSTER is missing: serve needs the roster of the people on duty "
    "(the example roster has made-up Slack ids; set CUTOVER_ALLOW_EXAMPLE_ROSTER=1 to use it anyway)"
)


@pytest.mark.parametrize("mode", ["--http", "--socket"])
def test_serve_refuses_the_example_roster_by_default(env, capsys, mode):
    env.delenv("CUTOVER_ALLOW_EXAMPLE_ROSTER")
    env.setenv("SLACK_APP_TOKEN", "xapp-1-2-abc")
    assert refusal(capsys, "serve", mode) == [ROSTER_REFUSAL]


def test_serve_refuses_the_example_roster_even_when_named_explicitly(env, capsys):
    from cutover.roster import default_roster_path

    env.delenv("CUTOVER_ALLOW_EXAMPLE_ROSTER")
    env.setenv("CUTOVER_ROSTER", str(default_roster_path()))
    assert refusal(capsys, "serve", "--http") == [ROSTER_REFUSAL]


def test_a_real_roster_or_the_explicit_allowance_passes_the_check(env, tmp_path):
    from bot.settings import require
    from cutover.roster import default_roster_path

    env.delenv("CUTOVER_ALLOW_EXAMPLE_ROSTER")
    mine = tmp_path / "tonight.yaml"
    mine.write_text(default_roster_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert require(load_settings(cutover_roster=str(mine)), "serve --http")
    assert require(load_settings(cutover_allow_example_roster=True), "serve --http")
    assert require(load_settings(), "console")  # the console and rehearsals use the example freely


def refusal(capsys, *argv: str) -> list[str]:
    """Run the CLI as a person does (its own process, so stderr holds only what it printed): exit 2, stderr lines."""
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    return run.stderr.strip().splitlines()


@pytest.mark.parametrize(
    "mode, unset, line",
    [
        (
            "--http",
            "SLACK_BOT_TOKEN",
            "cutover-bot: setting SLACK_BOT_TOKEN is missing (serve --http needs it)",
        ),
        (
            "--http",
            "SLACK_SIGNING_SECRET",
            "cutover-bot: setting SLACK_SIGNING_SECRET is missing (serve --http needs it)",
        ),
        (
            "--socket",
            "SLACK_APP_TOKEN",
            "cutover-bot: setting SLACK_APP_TOKEN is missing (serve --socket needs it)",
        ),
    ],
)
def test_a_missing_setting_is_one_line_naming_it(env, capsys, mode, unset, line):
    env.delenv(unset, raising=False)
    assert refusal(capsys, "serve", mode) == [line]


def test_an_empty_setting_counts_as_missing(env, capsys):
    env.setenv("SLACK_SIGNING_SECRET", "  ")
    assert refusal(capsys, "serve", "--http") == [
        "cutover-bot: setting SLACK_SIGNING_SECRET is missing (serve --http needs it)"
    ]


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-not-a-bot", "must be a bot token starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "must be an app-level token starting with xapp-"),
        ("SLACK_USER_TOKEN", "xoxb-a-bot-token-not-a-user", "must be a user token starting with xoxp-"),
        ("SLACK_API_URL", "proxy.internal/slack-api", "must be an http:// or https:// URL"),
        ("SLACK_API_URL", "ftp://proxy.internal/api/", "must be an http:// or https:// URL"),
        ("DATABASE_URL", "my-cutover-file.db", "must be a database URL"),
        ("DATABASE_URL", "nosuchdb://host/db", "must be a database URL"),
        ("DATABASE_URL", "mysql://user@host/db", "no database driver installed for mysql"),
        ("CUTOVER_CHANNEL", "nxop cutover", "must be a channel name"),
        ("CUTOVER_SHARED_READ_MS", "twenty", "integer"),
        ("CUTOVER_SHARED_READ_MS", "-5", "greater than or equal to 0"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it_without_its_value(env, capsys, name, value, says):
    env.setenv(name, value)
    lines = refusal(capsys, "serve", "--socket" if name == "SLACK_APP_TOKEN" else "--http")
    assert len(lines) == 1
    assert lines[0].startswith(f"cutover-bot: setting {name} is malformed: ") and says in lines[0]
    assert value not in lines[0]


@pytest.mark.parametrize("name", ["CUTOVER_RUNBOOK", "CUTOVER_ROSTER"])
def test_a_plan_file_that_does_not_exist_is_named(env, capsys, tmp_path, name):
    env.setenv(name, str(tmp_path / "missing.yaml"))
    assert refusal(capsys, "serve", "--http") == [
        f"cutover-bot: setting {name} names no readable file: {tmp_path / 'missing.yaml'}"
    ]


def test_an_invalid_runbook_prints_the_plan_errors(env, capsys, tmp_path):
    broken = tmp_path / "runbook.yaml"
    broken.write_text("id: x\nphases: 3\n", encoding="utf-8")
    env.setenv("CUTOVER_RUNBOOK", str(broken))
    lines = refusal(capsys, "serve", "--http")
    assert lines and all(line.startswith(f"{broken}: ") for line in lines)


def test_an_unreachable_database_is_one_line_without_the_password(env, capsys):
    env.setenv("DATABASE_URL", "postgresql://cutover:hunter2-secret@127.0.0.1:9/cutover")
    lines = refusal(capsys, "serve", "--http")
    assert lines == [
        "cutover-bot: setting DATABASE_URL names a database that cannot be reached (OperationalError)"
    ]


def test_serve_needs_exactly_one_mode(env, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert stopped.value.code == 2
    assert "--http" in capsys.readouterr().err


def test_settings_normalise_the_api_url_and_keep_defaults(env):
    settings = load_settings(slack_api_url="http://127.0.0.1:8080/api")
    assert settings.slack_api_url == "http://127.0.0.1:8080/api/"
    assert Settings().cutover_channel == "#nxop-cutover"
    assert Settings().cutover_shared_read_ms == 20
