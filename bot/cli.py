"""`leakbot` and `python -m bot`: start the bot, or run one of its subcommands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import ConfigError, load_settings


def parser() -> argparse.ArgumentParser:
    """The command line: no arguments starts the bot."""
    root = argparse.ArgumentParser(
        prog="leakbot",
        description="A Slack bot for the first hours after a personal-data leak. "
        "With no subcommand it starts the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP).",
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND", title="subcommands")
    sub.add_parser("run", help="start the bot (the default)")
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"leakbot: {error}", file=sys.stderr)
        return 2
    if args.command in (None, "run"):
        from bot.app import run

        try:
            asyncio.run(run(settings))
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
