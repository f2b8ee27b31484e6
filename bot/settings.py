"""One typed settings object, read from the environment at the edge and passed down."""

from __future__ import annotations

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cutover.plan import default_runbook_path
from cutover.roster import default_roster_path


class SettingsError(Exception):
    """A missing or malformed setting; the message is one line naming it."""


class Settings(BaseSettings):
    """The bot's configuration (environment variables of the same names, upper case)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    database_url: str = "sqlite:///cutover.db"
    cutover_channel: str = "#nxop-cutover"
    cutover_runbook: str = Field(default_factory=lambda: str(default_runbook_path()))
    cutover_roster: str = Field(default_factory=lambda: str(default_roster_path()))
    cutover_templates_dir: str | None = None


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (and explicit overrides), or one clear SettingsError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"setting {name}: {first['msg']}") from None
