"""Configuration from the environment and `.env`, exactly as the contract's table names it."""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# What to tell the operator for each variable, in one line.
HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "set it to the bot token (xoxb-...) from your Slack app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "set it to the signing secret from your Slack app's Basic Information page "
    "(needed in HTTP mode), or set SLACK_APP_TOKEN to run in Socket Mode",
    "SLACK_APP_TOKEN": "set it to an app-level token (xapp-...) with the connections:write scope, "
    "from Basic Information > App-Level Tokens, or unset it for HTTP mode",
    "SLACK_API_URL": "set it to the Slack Web API base URL ending in '/', e.g. https://slack.com/api/",
    "DATABASE_URL": "set it to a SQLAlchemy async URL such as sqlite+aiosqlite:///./leakbot.db "
    "or postgresql+asyncpg://user@host/db",
    "HOST": "set it to the address to listen on, e.g. 0.0.0.0",
    "PORT": "set it to a TCP port number between 1 and 65535",
    "LEAKBOT_LANG": "set it to 'ja' or 'en'",
    "LEAKBOT_NUDGE_AFTER": "set it to a whole number of seconds greater than 0",
    "LEAKBOT_NUDGE_TICK": "set it to a whole number of seconds greater than 0",
    "LEAKBOT_COMPANY": "set it to the issuer's name as documents should print it (at most 100 characters), or unset it",
    "LEAKBOT_JOB_RETENTION_DAYS": "set it to a whole number of days, 1 or more",
    "LOG_LEVEL": "set it to DEBUG, INFO, WARNING or ERROR",
    "LOG_FORMAT": "set it to 'text' or 'json'",
    "LEAKBOT_OPS_TOKEN": "the bearer token /metrics and /healthz?verbose=1 require (Authorization: Bearer ...); "
    "unset, they answer requests from 127.0.0.1 and ::1 only",
}


class ConfigError(Exception):
    """Configuration that cannot run; `str()` is the one line shown to the operator."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} {problem}: {HINTS.get(variable, 'check its value')}")


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./leakbot.db"


def _valid_database_url(value: str) -> str:
    try:
        url = make_url(value)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
        raise ValueError("is not a valid URL") from exc
    if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError("must use sqlite+aiosqlite or postgresql+asyncpg")
    return value


class Settings(BaseSettings):
    """Every setting of the contract; field names are the environment variables in lower case."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str = Field(min_length=1)
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    leakbot_lang: Literal["ja", "en"] = "ja"
    leakbot_nudge_after: int = Field(default=3600, gt=0)
    leakbot_nudge_tick: int = Field(default=60, gt=0)
    # The issuer named in documents; None: "当社" in Japanese, "we" in English.
    leakbot_company: str | None = Field(default=None, max_length=100)
    leakbot_job_retention_days: int = Field(default=7, ge=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Bearer token of the operations endpoints; None: they answer on the loopback address only.
    leakbot_ops_token: SecretStr | None = None

    @field_validator("slack_bot_token", mode="before")
    @classmethod
    def _bot_token_trimmed(cls, value: object) -> object:
        if isinstance(value, str):  # blank (`SLACK_BOT_TOKEN=` in .env) is unset
            return value.strip() or None
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        return None if value is None else _token_with_body(value, "xoxb-")

    @field_validator("slack_app_token", "slack_signing_secret", "leakbot_company", "leakbot_ops_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        if isinstance(value, str):
            value = value.strip()
        return value or None

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: str | None) -> str | None:
        return None if value is None else _not_a_placeholder(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        return None if value is None else _token_with_body(value, "xapp-")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("must be an http(s) URL ending in '/'")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _valid_database_url(value)

    @model_validator(mode="after")
    def _http_needs_secret(self) -> Settings:
        if self.slack_app_token is None and not self.slack_signing_secret:
            raise ValueError("SLACK_SIGNING_SECRET:is required in HTTP mode")
        return self

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set, else HTTP mode."""
        return self.slack_app_token is not None


class CheckSettings(Settings):
    """The settings of `leakbot check`, which runs every check it can without a bot token (the token's own
    check then says it is not set); anything else wrong still stops it, as it stops the bot."""

    slack_bot_token: str | None = None  # type: ignore[assignment]


class DatabaseSettings(BaseSettings):
    """Only the database, for commands that read it without Slack (`leakbot export`)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _valid_database_url(value)


def load_database_settings(**overrides: Any) -> DatabaseSettings:
    """Reads DATABASE_URL (environment, then `.env`), turning a bad value into one ConfigError."""
    try:
        return DatabaseSettings(**overrides)
    except ValidationError as exc:
        raise _first_problem(exc) from None


def load_settings(**overrides: Any) -> Settings:
    """Reads the settings, turning any validation failure into one ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise _first_problem(exc) from None


def load_check_settings(**overrides: Any) -> CheckSettings:
    """The settings for `leakbot check`: as load_settings, but SLACK_BOT_TOKEN may be unset."""
    try:
        return CheckSettings(**overrides)
    except ValidationError as exc:
        raise _first_problem(exc) from None


# The variables that hold secrets: read once into Settings, then taken out of the process environment.
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "LEAKBOT_OPS_TOKEN")


def forget_secrets() -> None:
    """Takes the secrets out of os.environ once the settings hold them: no library reads them behind our
    back (Bolt takes SLACK_BOT_TOKEN from there, and then warns on every start that it ignores it), and no
    child process inherits them."""
    for variable in SECRET_VARIABLES:
        os.environ.pop(variable, None)


# What .env.example (and the README) put where a token or secret goes: copied unchanged, it would start a
# bot that Slack refuses, or one no request ever reaches.
PLACEHOLDERS = frozenset({"xoxb-your-bot-token", "xapp-your-app-token", "your-signing-secret", "xoxb-...", "xapp-..."})


def _not_a_placeholder(value: str) -> str:
    if value in PLACEHOLDERS:
        raise ValueError("is still the placeholder of .env.example (put in the real value)")
    return value


def _token_with_body(value: str, prefix: str) -> str:
    """A Slack token: its prefix, then characters without blanks (`xoxb-` alone is no token)."""
    _not_a_placeholder(value)
    if not value.startswith(prefix):
        raise ValueError(f"must start with {prefix}")
    body = value.removeprefix(prefix)
    if not body.strip():
        raise ValueError(f"has nothing after {prefix}")
    if any(character.isspace() for character in body):
        raise ValueError("holds a blank (a token has none; was it pasted with a line break?)")
    return value


def _first_problem(exc: ValidationError) -> ConfigError:
    error = exc.errors()[0]
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if not error["loc"]:  # model-level rule: "VARIABLE:problem"
        variable, _, problem = message.partition(":")
        return ConfigError(variable, problem)
    variable = str(error["loc"][0]).upper()
    if error["type"] == "missing" or (error["type"] == "string_type" and error.get("input") is None):
        return ConfigError(variable, "is not set")
    if error["type"] == "literal_error":
        return ConfigError(variable, "is not one of the allowed values")
    if error["type"].startswith(("int_", "greater_than", "less_than")):
        return ConfigError(variable, "is out of range or not a whole number")
    return ConfigError(variable, message)
