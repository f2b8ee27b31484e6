"""Logging for the runtime modes: one line per record, tokens and secrets never written."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable

_TOKENS = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    """A formatter that removes Slack tokens and the given secrets from every formatted line."""

    def __init__(self, fmt: str, secrets: Iterable[str | None] = ()) -> None:
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record (traceback included) with every token and secret replaced."""
        return redact(super().format(record), self.secrets)


class JsonLinesFormatter(RedactingFormatter):
    """One JSON object per line (time, level, logger, message, exception), for a log pipeline; redacted."""

    converter = staticmethod(time.gmtime)  # UTC, as the "Z" says

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON, every token and secret replaced inside each field."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info), self.secrets)
        return json.dumps(entry, ensure_ascii=False)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with Slack tokens and the secrets replaced by [redacted]."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return _TOKENS.sub(REDACTED, text)


def configure_logging(
    level: str = "INFO", secrets: Iterable[str | None] = (), json_lines: bool = False
) -> logging.Handler:
    """Log to stderr through a redacting formatter (JSON lines if asked); return the handler installed."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLinesFormatter(secrets)
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old.formatter, RedactingFormatter):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
