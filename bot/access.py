"""Who the bot is in Slack, asked once at start so no request waits for it before its ack.

(Who may act on an incident is decided from the database: bot/usecases/access.py; requests of a team
other than `team_id` are refused there too.)
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
# auth.test errors that no retry will fix: the bot token itself is wrong
REFUSALS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
WAIT_FIRST, WAIT_MOST = 1.0, 60.0  # seconds between tries of auth.test while Slack does not answer


class BotTokenRefused(Exception):
    """Slack refused the bot token; `str()` is Slack's error code."""


class Identity:
    """Who the bot is in Slack (auth.test), asked once at start so no request waits for it before its ack.

    A refused token raises BotTokenRefused at start. A Slack that does not answer (no connection, 5xx, a
    timeout) is asked again in the background with a growing wait until it does; meanwhile `problem` says
    why (GET /healthz answers 503 with it), and a refusal that comes then is set on `refused`."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._auth: Any = None
        self.wait_first = WAIT_FIRST
        self.problem: str | None = None  # why Slack has not said who the bot is yet; None once it has
        self.refused: asyncio.Future[str] | None = None  # Slack's code, should it refuse the token later
        self._asking: asyncio.Task[None] | None = None

    async def learn(self) -> None:
        """Asks Slack once: raises BotTokenRefused when it refuses the token; when it does not answer,
        keeps asking in the background (and the first request asks too)."""
        self.refused = asyncio.get_running_loop().create_future()
        failure = await self._ask()
        if failure is None:
            return
        log.warning("Slack does not answer auth.test at start (%s); asking again in the background", failure)
        self._asking = asyncio.create_task(self._ask_until_answered(), name="leakbot-auth-test")

    async def _ask(self) -> str | None:
        """One auth.test: None when Slack said who the bot is, else why not (and `problem` says it)."""
        try:
            self._auth = await self.client.auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error") or "") if isinstance(error.response.data, dict) else ""
            if code in REFUSALS:
                raise BotTokenRefused(code) from None
            self.problem = f"Slack has not answered auth.test yet ({code or f'HTTP {error.response.status_code}'})"
        except (TimeoutError, OSError) as error:  # aiohttp's connection errors are OSErrors
            self.problem = f"Slack has not answered auth.test yet ({type(error).__name__})"
        else:
            self.problem = None
            return None
        return self.problem

    async def _ask_until_answered(self) -> None:
        wait = self.wait_first
        while self._auth is None:
            await asyncio.sleep(wait)
            if self._auth is not None:  # a request asked meanwhile
                break
            try:
                failure = await self._ask()
            except BotTokenRefused as refusal:
                log.error("Slack refused SLACK_BOT_TOKEN (%s)", refusal)
                if self.refused is not None and not self.refused.done():
                    self.refused.set_result(str(refusal))
                return
            if failure is not None:
                wait = min(wait * 2, WAIT_MOST)
                log.warning("%s; asking again in %.0f s", failure, wait)
        self.problem = None
        log.info("Slack answered auth.test: the bot knows who it is")

    async def stop(self) -> None:
        """Stops asking (at shutdown)."""
        if self._asking is not None:
            self._asking.cancel()
            with suppress(asyncio.CancelledError):
                await self._asking

    @property
    def team_id(self) -> str | None:
        """The installation's workspace (auth.test's team_id); None until Slack has said."""
        team = self._auth.get("team_id") if self._auth is not None else None
        return team if isinstance(team, str) and team else None

    async def result(self) -> AuthorizeResult:
        """The same bot for every request."""
        if self._auth is None:
            self._auth = await self.client.auth_test()
            self.problem = None
        return AuthorizeResult.from_auth_test_response(bot_token=self.client.token, auth_test_response=self._auth)
