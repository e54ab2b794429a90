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

What a line is about travels with it: while a request about an incident is answered, every line carries
`incident` (its number); while a job runs, `job` and `kind` (and its incident's); an error told to a
person carries `ref`, the reference id they were shown. Each is set once where its scope begins
(`scope()` or, inside one, `bind()`: the access middleware, the job worker, the error handlers) and
`Fields` copies it onto every record, so no call site passes it. asyncio copies the context when a task
is created, so a lazy listener or a job's own tasks keep their fields; a task shared by whoever comes
next starts from `detached()`. JSON lines have them as top-level fields, text lines end with
` incident=3 job=12 kind=followup`; a line about no incident has none of them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
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
# What a line is about, in the order a text line shows them (see the module's docstring).
FIELDS = ("incident", "job", "kind", "ref")
# (name, value) pairs, in FIELDS order: immutable, as a context variable's value must be
_fields: contextvars.ContextVar[tuple[tuple[str, object], ...]] = contextvars.ContextVar(
    "leakbot_log_fields", default=()
)


@contextmanager
def scope(**fields: object) -> Iterator[None]:
    """Lines written inside the block (and in the tasks it starts) carry `fields` (None ones are left out)
    besides those already bound; on leaving it, the fields are what they were before."""
    token = _fields.set(_merged(fields))
    try:
        yield
    finally:
        _fields.reset(token)


def bind(**fields: object) -> None:
    """Adds `fields` to the lines written from here to the end of the enclosing `scope()` (call it only
    inside one: outside, they would stay for the rest of the task)."""
    _fields.set(_merged(fields))


def bound() -> dict[str, object]:
    """The fields the next line written here will carry."""
    return dict(_fields.get())


def detached() -> contextvars.Context:
    """A copy of the current context without any field: for a task that outlives the request or job that
    happens to start it and serves whoever comes next (`asyncio.create_task(coro, context=detached())`)."""
    context = contextvars.copy_context()
    context.run(_fields.set, ())
    return context


def _merged(fields: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a log field: {', '.join(sorted(unknown))}")
    merged = {**dict(_fields.get()), **{name: value for name, value in fields.items() if value is not None}}
    return tuple((name, merged[name]) for name in FIELDS if name in merged)


class Fields(logging.Filter):
    """Copies the bound fields onto each record (as attributes), unless the call gave its own (`extra`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _fields.get():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def fields_of(record: logging.LogRecord) -> dict[str, object]:
    """The fields a record carries, in FIELDS order."""
    return {name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None}


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


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT, then the line's fields as ` name=value` (before a traceback, which follows on its own lines)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = "".join(f" {name}={value}" for name, value in fields_of(record).items())
        return super().formatMessage(record) + fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the line's fields (incident,
    job, kind, ref: only those it has), and exc_info when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
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
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(Fields())
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
