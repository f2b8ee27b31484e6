"""Log lines never carry Slack tokens, the signing secret or the database password."""

from __future__ import annotations

import logging

from bot.logs import RedactingFormatter
from bot.serve.command import secrets_of
from bot.settings import Settings


def formatted(formatter: logging.Formatter, message: str, *args: object, exc: Exception | None = None) -> str:
    record = logging.LogRecord(
        "cutover.test", logging.ERROR, __file__, 1, message, args, (type(exc), exc, None) if exc else None
    )
    return formatter.format(record)


def test_tokens_secrets_and_the_database_password_are_redacted_everywhere_in_a_line():
    settings = Settings(
        slack_bot_token="xoxb-111-222-abcDEF",
        slack_signing_secret="f00dfeedcafe1234",
        slack_app_token="xapp-1-A0-333-xyz",
        database_url="postgresql://bot:pa55word@db:5432/cutover",
    )
    formatter = RedactingFormatter("%(levelname)s %(message)s", secrets_of(settings))
    line = formatted(
        formatter,
        "calling with %s and %s, secret %s, url %s",
        "xoxb-111-222-abcDEF",
        "xoxp-9-user-token",
        "f00dfeedcafe1234",
        "postgresql://bot:pa55word@db:5432/cutover",
        exc=RuntimeError("auth failed for xapp-1-A0-333-xyz"),
    )
    for secret in (
        "xoxb-111-222-abcDEF",
        "xoxp-9-user-token",
        "f00dfeedcafe1234",
        "pa55word",
        "xapp-1-A0-333-xyz",
    ):
        assert secret not in line
    assert line.count("[redacted]") == 5
    assert line.startswith("ERROR calling with [redacted]")


def test_ordinary_lines_are_left_alone():
    formatter = RedactingFormatter("%(message)s", [None, "", "f00dfeedcafe1234"])
    assert formatted(formatter, "listening on http://0.0.0.0:3000") == "listening on http://0.0.0.0:3000"


def test_json_log_lines_are_one_object_each_redacted_with_the_traceback():
    import json

    from bot.logs import JsonLinesFormatter

    formatter = JsonLinesFormatter(["pa55word"])
    try:
        raise RuntimeError("connect as bot:pa55word failed\nsecond line")
    except RuntimeError as exc:
        line = formatted(formatter, "delivery of %s failed", "xoxb-111-222-abcDEF", exc=exc)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "cutover.test"
    assert entry["message"] == "delivery of [redacted] failed"
    assert entry["time"].endswith("Z")
    assert "RuntimeError: connect as bot:[redacted] failed" in entry["exception"]
    assert "pa55word" not in line and "xoxb-111" not in line


def test_the_user_token_is_one_of_the_secrets_no_line_may_show():
    settings = Settings(slack_bot_token="xoxb-1-2-abc", slack_user_token="xoxp-7-8-userSecret")
    assert "xoxp-7-8-userSecret" in secrets_of(settings)
    formatter = RedactingFormatter("%(message)s", secrets_of(settings))
    assert formatted(formatter, "token %s", "xoxp-7-8-userSecret") == "token [redacted]"
