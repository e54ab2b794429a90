"""Logging as LOG_LEVEL and LOG_FORMAT say: text or one JSON object per line, never a token or a secret.

Two rules keep the log from becoming a second leak:
- every record passes `Redactor`, which replaces Slack tokens (xoxb-, xoxp-, xapp-, ...) and the signing
  secret wherever they appear: message, arguments, traceback; and a message or traceback holding a card
  number or My Number (bot.sensitive, however written) is replaced whole, should typed text that the
  screen (bot.text) never let in reach a log through some library;
- libraries that log whole requests and responses at DEBUG (slack_sdk, Bolt, the Socket Mode client) stay
  at INFO even when LOG_LEVEL=DEBUG, and the database ones (SQLAlchemy, drivers, Alembic) at WARNING,
  because those bodies and statements carry the answers people typed. LOG_LEVEL=DEBUG shows leakbot's
  own debug messages.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.sensitive import find_secret

REDACTED = "[redacted]"
SECRET_REDACTED = "[redacted: this line held what looks like a card number or My Number]"
# Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), and the other xox?- kinds.
TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+")
MIN_SECRET = 8  # shorter "secrets" would redact ordinary words
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that write request or response bodies (so answers) at DEBUG, and the floor they keep.
# SQLAlchemy logs every statement at INFO (its echo) and sets itself to WARNING: keep it there.
QUIET_LOGGERS = {
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
    "leakbot.bolt": logging.INFO,
    "aiohttp": logging.INFO,
    "websockets": logging.INFO,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "alembic": logging.WARNING,
}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every Slack token and each of `secrets` replaced by [redacted]; all of it replaced
    when it holds a card number or My Number."""
    if find_secret(text) is not None:
        return SECRET_REDACTED
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return TOKEN.sub(REDACTED, text)


class Redactor(logging.Filter):
    """Rewrites each record with its message formatted and redacted, traceback included."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - bad arguments: keep the template, never crash the caller
            message = f"{record.msg!s} (arguments could not be formatted)"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and exc_info when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def setup(
    level: str = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Configures the root logger (replacing its handlers) and returns the one handler it writes through."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    root.setLevel(numeric)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    return handler
