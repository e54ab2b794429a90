"""Who the bot is in Slack, asked once at start so no request waits for it before its ack.

(Who may act on an incident is decided from the database: bot/usecases/access.py; requests of a team
other than `team_id` are refused there too.)
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

    @property
    def team_id(self) -> str | None:
        """The installation's workspace (auth.test's team_id); None until Slack has said."""
        team = self._auth.get("team_id") if self._auth is not None else None
        return team if isinstance(team, str) and team else None

    async def result(self) -> AuthorizeResult:
        """The same bot for every request."""
        if self._auth is None:
            self._auth = await self.client.auth_test()
        return AuthorizeResult.from_auth_test_response(bot_token=self.client.token, auth_test_response=self._auth)
