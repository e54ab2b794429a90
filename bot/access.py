"""Who the bot is in Slack, asked once at start so no request waits for it before its ack.

(Who may act on an incident is decided from the database: bot/usecases/answering.py, membership.py.)
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class Identity:
    """Who the bot is in Slack (auth.test), asked once at start so no request waits for it before its ack."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._auth: Any = None

    async def learn(self) -> None:
        """Asks Slack once; if Slack does not answer now, the first request will ask instead."""
        try:
            self._auth = await self.client.auth_test()
        except (TimeoutError, SlackApiError, OSError) as exc:
            log.warning("auth.test at start failed (%s); the first request will try again", type(exc).__name__)

    async def result(self) -> AuthorizeResult:
        """The same bot for every request."""
        if self._auth is None:
            self._auth = await self.client.auth_test()
        return AuthorizeResult.from_auth_test_response(bot_token=self.client.token, auth_test_response=self._auth)
