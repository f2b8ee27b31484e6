"""One typed settings object, read from the environment at the edge and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cutover.plan.model import default_runbook_path
from cutover.roster import default_roster_path


class SettingsError(Exception):
    """A missing or malformed setting; the message is one line naming it."""


class Settings(BaseSettings):
    """The bot's configuration (environment variables of the same names, upper case)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # optional: a user token (xoxp-, user scopes channels:history and groups:history) used only to read
    # channel threads, which Slack refuses to bot tokens (the crash lookup, `audit verify --slack`)
    slack_user_token: str | None = None
    slack_api_url: str | None = None
    database_url: str = "sqlite:///cutover.db"
    cutover_channel: str = "#nxop-cutover"
    cutover_runbook: str = Field(default_factory=lambda: str(default_runbook_path()))
    cutover_roster: str = Field(default_factory=lambda: str(default_roster_path()))
    cutover_templates_dir: str | None = None
    cutover_ses_source: str | None = None  # the From address of emails (SES); unset: no email is sent
    # requests within this many ms share one read of the log (commands/ledger.py); SQLite only: on
    # PostgreSQL, where replicas may share the database, every decision reads the log
    cutover_shared_read_ms: int = Field(default=20, ge=0, le=1000)
    cutover_log_format: Literal["text", "json"] = "text"  # json: one JSON object per log line
    # serve refuses the example roster (fake Slack ids) unless this says it is meant (a demo workspace)
    cutover_allow_example_roster: bool = False
    # Atlassian Statuspage (the runbook's status_page.statuspage names the page and component)
    cutover_statuspage_api_key: str | None = None
    cutover_statuspage_api_url: str = "https://api.statuspage.io/v1"
    # the secret the event log's hash chain is signed with (HMAC-SHA256); unset: plain sha256, which anyone
    # who can edit the database can recompute (the anchors still catch it)
    cutover_audit_key: str | None = Field(default=None, min_length=16)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_user_token",
        "slack_api_url",
        "cutover_templates_dir",
        "cutover_statuspage_api_key",
        "cutover_audit_key",
        mode="before",
    )
    @classmethod
    def _blank_is_missing(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_user_token")
    @classmethod
    def _user_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxp-"):
            raise ValueError(
                "must be a user token starting with xoxp- (with channels:history, groups:history)"
            )
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError(
                "must be an app-level token starting with xapp- (with the connections:write scope)"
            )
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: str | None) -> str | None:
        if value is not None and (len(value.split()) != 1 or value != value.strip()):
            raise ValueError("must be the app's signing secret, one word without spaces")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url

        from storage.db import normalize_url

        try:
            dialect = make_url(normalize_url(value)).get_dialect()
        except Exception:  # noqa: BLE001 - ArgumentError, NoSuchModuleError: same advice
            raise ValueError(
                "must be a database URL such as sqlite:///cutover.db or postgresql://user@host:5432/db"
            ) from None
        try:
            dialect.import_dbapi()
        except ImportError:
            raise ValueError(f"no database driver installed for {dialect.name}") from None
        return value

    @field_validator("cutover_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not value.strip() or len(value.split()) != 1 or value in ("#", "@"):
            raise ValueError("must be a channel name such as #nxop-cutover or a channel id such as C0123ABCD")
        return value


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (and explicit overrides), or one clear SettingsError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {name} is malformed: {message}") from None


MODE_NEEDS = {
    "serve --http": ("slack_bot_token", "slack_signing_secret"),
    "serve --socket": ("slack_bot_token", "slack_app_token"),
}


def require(settings: Settings, mode: str) -> Settings:
    """Check that a runtime mode has every setting it needs and that the plan files exist."""
    for name in MODE_NEEDS.get(mode, ()):
        if not getattr(settings, name):
            raise SettingsError(f"setting {name.upper()} is missing ({mode} needs it)")
    for name in ("cutover_runbook", "cutover_roster"):
        if not Path(getattr(settings, name)).is_file():
            raise SettingsError(f"setting {name.upper()} names no readable file: {getattr(settings, name)}")
    if mode in MODE_NEEDS and not settings.cutover_allow_example_roster and _is_example_roster(settings):
        raise SettingsError(
            "setting CUTOVER_ROSTER is missing: serve needs the roster of the people on duty "
            "(the example roster has made-up Slack ids; set CUTOVER_ALLOW_EXAMPLE_ROSTER=1 to use it anyway)"
        )
    templates = settings.cutover_templates_dir
    if templates is not None and not Path(templates).is_dir():
        raise SettingsError(f"setting CUTOVER_TEMPLATES_DIR names no directory: {templates}")
    return settings


def _is_example_roster(settings: Settings) -> bool:
    """True when the roster in force is the shipped example (by default or named explicitly)."""
    try:
        return Path(settings.cutover_roster).samefile(default_roster_path())
    except OSError:
        return False
