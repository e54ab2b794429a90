"""`leakbot` and `python -m bot`: start the bot, or run one of its subcommands.

`draft` and `export` work without Slack: they need no token, only a file or the database.
Any user error ends with exit status 2 and one line "leakbot: ..." on stderr; so does configuration
that cannot be loaded, for `leakbot check` too. `leakbot check` exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import stat
import sys
import textwrap
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from bot import version
from bot.config import HINTS, ConfigError, Settings, forget_secrets, load_check_settings, load_settings
from bot.drafting import DOCS

LANGS = ("ja", "en")


class UsageError(Exception):
    """A mistake of the user's; `str()` is the one line shown after "leakbot: "."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line "leakbot: ..." and exit status 2."""

    def error(self, message: str) -> NoReturn:
        prog = self.prog.removeprefix("leakbot").strip()
        self.exit(
            2, f"leakbot: {prog + ': ' if prog else ''}{message} (see leakbot {prog + ' ' if prog else ''}--help)\n"
        )


def environment_help(width: int = 100) -> str:
    """The environment variables, one paragraph each, from the Settings fields and their HINTS."""
    lines = ["environment variables (also read from .env in the working directory; real ones win):"]
    for name, field in Settings.model_fields.items():
        variable = name.upper()
        if field.is_required():
            default = "required"
        elif field.default is None:
            default = "default: unset"
        else:
            default = f"default: {field.default}"
        hint = HINTS.get(variable, "")
        lines.append(
            textwrap.fill(
                f"{variable} ({default}): {hint}", width=width, initial_indent="  ", subsequent_indent="      "
            )
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command line: no arguments starts the bot."""
    root = _Parser(
        prog="leakbot",
        description="A Slack bot for the first hours after a personal-data leak. "
        "With no subcommand it starts the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP).",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"leakbot {version()}")
    sub = root.add_subparsers(dest="command", metavar="COMMAND", title="subcommands")
    sub.add_parser(
        "run",
        help="start the bot (the default)",
        description="Starts the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on HOST:PORT.",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check = sub.add_parser(
        "check",
        help="check configuration, database, Slack tokens and scopes, and the manifest",
        description="Checks what the bot needs, with read-only Slack calls: the configuration, the database "
        "(reachable, schema current), the bot token and its scopes, the app token and a Socket Mode connection "
        "(when SLACK_APP_TOKEN is set), and that manifest.yml declares every command, shortcut and event the "
        "code listens to. Only its own lines are printed, one per check; without SLACK_BOT_TOKEN the token's "
        "check fails and the others still run. Exit status 0 when all pass, 1 when one fails, 2 when the "
        "configuration cannot be loaded for another reason.",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--manifest",
        metavar="FILE",
        type=Path,
        help="the app manifest (default: manifest.yml here, else beside the installed leakbot)",
    )

    draft = sub.add_parser(
        "draft",
        help="render a document from a YAML file of answers, without Slack",
        description="Renders a document from answers in a YAML file (keyed by item id, or an export of "
        "`leakbot export`) and prints it. Needs no Slack token.",
    )
    draft.add_argument("answers", metavar="ANSWERS.yaml", help="the answers, keyed by item id")
    draft.add_argument("--doc", choices=DOCS, default="public", help="which document (default: public)")
    draft.add_argument(
        "--lang", choices=LANGS, default=None, help="language of the document (default: LEAKBOT_LANG, else ja)"
    )
    draft.add_argument("--docx", metavar="OUT", type=Path, help="also write the document as a Word file here")
    draft.add_argument(
        "--company",
        metavar="NAME",
        default=None,
        help="the issuer named in the document (default: LEAKBOT_COMPANY; unset: 当社 / we, no issuer line)",
    )
    draft.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        type=_date,
        default=None,
        help="the date line of this version, in Asia/Tokyo (default: no date line)",
    )
    draft.add_argument(
        "--version",
        metavar="N",
        type=_positive,
        default=1,
        dest="doc_version",
        help="the number of the version, shown in the Word file's header (default: 1)",
    )
    draft.add_argument(
        "--exercise",
        action="store_true",
        help="mark the document as a drill (訓練 / EXERCISE); a file with exercise: true is one already",
    )

    export = sub.add_parser(
        "export",
        help="write an incident's answers and history as YAML, without Slack",
        description="Reads an incident from DATABASE_URL and writes its answers and their history as YAML, "
        "which `leakbot draft` reads back. Needs no Slack token.",
    )
    export.add_argument("incident", metavar="INCIDENT", help="incident number (3 or #3) or channel id (C0...)")
    export.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE (created with mode 0600) instead of stdout"
    )
    drill = sub.add_parser(
        "drill",
        help="rehearse: replay a prepared scenario into a new drill incident in Slack",
        description="Opens a fire drill (a drill- channel, everything marked 訓練 / EXERCISE) with the new-incident "
        "answers of ANSWERS.yaml, then gives its checklist answers one question at a time, as USER, waiting for "
        "the bot's Slack work after each. Needs the bot's configuration (SLACK_BOT_TOKEN, DATABASE_URL…); the "
        "running bot takes over from there (nudges, /leak-close and its review).",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    drill.add_argument("answers", metavar="ANSWERS.yaml", help="the scenario's answers, keyed by item id")
    drill.add_argument(
        "--user",
        metavar="USER_ID",
        required=True,
        help="the Slack user id the drill is opened and answered as (U…); they are invited",
    )
    drill.add_argument("--team", metavar="TEAM_ID", default="", help="the Slack team id (recorded only)")
    sub.add_parser(
        "migrate",
        help="bring the database schema up to date (the bot also does this at start)",
        description="Applies every schema migration to DATABASE_URL. Needs no Slack token.",
    )
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script. Whatever a subcommand finds wrong with its configuration or its
    arguments (at load or only at start: a refused token, a port in use) ends it here: one line, status 2."""
    args = parser().parse_args(argv)
    try:
        return _command(args)
    except (UsageError, ConfigError) as error:
        print(f"leakbot: {error}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace) -> int:
    if args.command in ("draft", "export", "migrate"):
        # their output is the result or one line "leakbot: ...": no stray log lines (a file made private, say)
        logging.getLogger().addHandler(logging.NullHandler())
        return {"draft": draft, "export": export, "migrate": migrate}[args.command](args)
    if args.command == "check":
        return check(args)
    settings = load_settings()
    forget_secrets()
    from bot.logs import setup as setup_logging

    setup_logging(
        settings.log_level,
        settings.log_format,
        secrets=[
            settings.slack_bot_token,
            settings.slack_app_token or "",
            settings.slack_signing_secret or "",
            settings.leakbot_ops_token.get_secret_value() if settings.leakbot_ops_token else "",
        ],
    )
    if args.command == "drill":
        return rehearse(args, settings)
    if args.command in (None, "run"):
        from bot.app import run

        try:
            asyncio.run(run(settings))
        except KeyboardInterrupt:
            return 0
    return 0


def check(args: argparse.Namespace) -> int:
    """`leakbot check`: its own ✓/✗ lines only (no library's log lines between them), every check it can
    run without SLACK_BOT_TOKEN run; exit 2 only when the configuration cannot be loaded for another reason."""
    from bot.check import check_command

    settings = load_check_settings()
    forget_secrets()
    logging.getLogger().addHandler(logging.NullHandler())  # what went wrong is in the check's own lines
    return asyncio.run(check_command(settings, manifest=args.manifest))


def draft(args: argparse.Namespace) -> int:
    """`leakbot draft`: prints the document as plain text, and writes it as .docx when asked."""
    from jinja2 import TemplateNotFound

    from bot.checklist import is_drill
    from bot.documents import plain_text, to_docx
    from bot.drafting import DraftMeta, DraftNotReady, render
    from bot.offline import OfflineError, load_answers
    from bot.text import Unsafe

    lang = args.lang or _default_lang()
    try:
        values = load_answers(args.answers)
    except OfflineError as error:
        message = str(error)
        prefix = f"{args.answers}: "
        raise UsageError(message if message.startswith(prefix) else prefix + message) from None
    exercise = args.exercise or is_drill(values)  # an export of a drill says so itself (exercise: true)
    meta = DraftMeta(company=_company(args.company), version=args.doc_version, dated=args.date, exercise=exercise)
    try:
        body = render(values, lang=lang, doc=args.doc, meta=meta)
    except DraftNotReady as not_ready:
        raise UsageError(f"{args.answers}: required items not answered: {', '.join(not_ready.missing)}") from None
    except Unsafe:
        raise UsageError(f"{args.answers}: two answers join up into a card number or My Number in the text") from None
    except TemplateNotFound:
        raise UsageError(f"there is no {args.doc} document in {lang} yet") from None
    if args.docx is not None:
        _write_private(args.docx, to_docx(body, lang=lang, version=args.doc_version, exercise=exercise))
    sys.stdout.write(plain_text(body))
    sys.stdout.flush()
    return 0


def rehearse(args: argparse.Namespace, settings: Any) -> int:
    """`leakbot drill`: replays a scenario into a new drill incident and says which channel it is in."""
    import re

    from bot.app import build
    from bot.offline import OfflineError, load_answers
    from bot.usecases.rehearsing import rehearse as replay

    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", args.user):
        raise UsageError(f"--user must be a Slack user id such as U0123ABCD, not {args.user[:40]!r}")
    try:
        values = load_answers(args.answers, lang=settings.leakbot_lang)
    except OfflineError as error:
        raise UsageError(str(error)) from None
    missing = [k for k in ("title", "discovered_at", "summary") if k not in values]
    if missing:
        raise UsageError(f"{args.answers}: a scenario needs {', '.join(missing)} to open the drill")

    async def run() -> int:
        bot = build(settings)
        await bot.start(sweeps=False)
        try:
            incident = await replay(bot.deps, values, team_id=args.team, user_id=args.user)
        finally:
            await bot.stop()
        print(f"leakbot: drill #{incident.id} is in #{incident.channel_name} ({incident.channel_id})")
        return 0

    try:
        return asyncio.run(run())
    except TimeoutError:
        raise UsageError("Slack did not finish the drill's set-up in time; see the bot's log") from None


def export(args: argparse.Namespace) -> int:
    """`leakbot export`: writes an incident as YAML to stdout or a private file."""
    from bot.config import load_database_settings
    from bot.offline import OfflineError, dump_yaml, export_database

    settings = load_database_settings()
    try:
        data = asyncio.run(export_database(settings.database_url, args.incident))
    except OfflineError as error:
        raise UsageError(str(error)) from None
    text = dump_yaml(data)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_private(args.output, text.encode("utf-8"))
    return 0


def migrate(args: argparse.Namespace) -> int:
    """`leakbot migrate`: applies the schema migrations and says where the database stands."""
    from bot.config import load_database_settings
    from storage.db import make_engine, missing_folder
    from storage.db import migrate as apply_migrations

    settings = load_database_settings()
    folder = missing_folder(settings.database_url)
    if folder is not None:
        raise ConfigError("DATABASE_URL", f"names a SQLite file in {folder}, a folder that does not exist (create it)")

    async def run() -> None:
        engine = make_engine(settings.database_url)
        try:
            await apply_migrations(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except OSError as error:
        raise UsageError(f"cannot reach the database: {error}") from None
    except Exception as error:  # noqa: BLE001 - SQLAlchemy's errors name the database problem
        raise UsageError(f"migration failed: {type(error).__name__}: {str(error).splitlines()[0][:200]}") from None
    print("leakbot: the database schema is up to date")
    return 0


def _default_lang() -> str:
    """LEAKBOT_LANG from the environment, then `.env`; else ja."""
    value = os.environ.get("LEAKBOT_LANG")
    if value is None:
        from dotenv import dotenv_values

        value = dotenv_values(".env").get("LEAKBOT_LANG") if Path(".env").is_file() else None
    if not value:
        return "ja"
    if value not in LANGS:
        raise ConfigError("LEAKBOT_LANG", "is not one of the allowed values")
    return value


def _company(given: str | None) -> str | None:
    """The issuer: --company, else LEAKBOT_COMPANY from the environment, then `.env`; None when unset."""
    if given is not None:
        return given.strip() or None
    value = os.environ.get("LEAKBOT_COMPANY")
    if value is None and Path(".env").is_file():
        from dotenv import dotenv_values

        value = dotenv_values(".env").get("LEAKBOT_COMPANY")
    return (value or "").strip() or None


def _date(text: str) -> datetime:
    """--date: a calendar day, taken as noon in Asia/Tokyo (the date line shows the day only)."""
    from bot.clock import JST

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-11-27") from None
    return datetime.combine(day, time(12, 0), tzinfo=JST)


def _positive(text: str) -> int:
    """--version: a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number (1, 2, …)")
    return int(text)


def _write_private(path: Path, data: bytes) -> None:
    """Writes a file only its owner can read (it holds answers), replacing what was there.

    It never follows a symlink (O_NOFOLLOW) and writes only into a regular file of its own user (chmod
    cannot keep a file's owner out), so the answers cannot
    be sent into a file someone else chose; what was there is emptied only once that is sure."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UsageError(f"{path} is a symbolic link; refusing to follow it (give the real file)") from None
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            found = os.fstat(out.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise UsageError(f"{path} is not a regular file; refusing to write into it")
            if found.st_uid != os.geteuid():  # its owner could read the answers whatever the mode
                raise UsageError(f"{path} is owned by another user; refusing to write into it")
            os.fchmod(out.fileno(), 0o600)
            out.truncate(0)
            out.write(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


if __name__ == "__main__":
    sys.exit(main())
