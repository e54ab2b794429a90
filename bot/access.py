"""Who the bot is (asked once at start), and who may act on an incident: its channel's members."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock

log = logging.getLogger(__name__)
TTL = timedelta(seconds=60)  # someone removed from the channel loses access within a minute


class Membership:
    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self.client, self.clock = client, clock
        self._cache: dict[str, tuple[datetime, frozenset[str]]] = {}

    async def is_member(self, channel_id: str, user_id: str) -> bool:
        """True when the user is in the channel.

        When Slack cannot tell, the error is raised: nobody is let in on a guess, and the caller
        (a job) tries again later.
        """
        now = self.clock.now()
        cached = self._cache.get(channel_id)
        if cached is None or now - cached[0] > TTL or cached[0] > now:
            members = await self._fetch(channel_id)
            cached = (now, members)
            self._cache[channel_id] = cached
        return user_id in cached[1]

    async def _fetch(self, channel_id: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        while True:
            response = await self.client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
            members.update(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return frozenset(members)

    def forget(self, channel_id: str) -> None:
        """Drops the cached members of a channel (after the bot invites someone)."""
        self._cache.pop(channel_id, None)


class Identity:
    """Who the bot is in Slack (auth.test), asked once at start so no request waits for it before its ack."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._auth: Any = None

    async def learn(self) -> None:
        """Asks Slack once; if Slack does not answer now, the first request will ask instead."""
        try:
            self._auth = await self.client.auth_test()
        except (SlackApiError, OSError, asyncio.TimeoutError) as exc:
            log.warning("auth.test at start failed (%s); the first request will try again", type(exc).__name__)

    async def result(self) -> AuthorizeResult:
        """The same bot for every request."""
        if self._auth is None:
            self._auth = await self.client.auth_test()
        return AuthorizeResult.from_auth_test_response(bot_token=self.client.token, auth_test_response=self._auth)


class IncidentCache:
    """Incidents as requests find them (by channel or id), kept a few seconds so an ack needs no query.

    What is decided after the ack reads the database again, so a stale entry can at most show a
    message or a modal that the next step then refuses. Changes made here forget the entry at once.
    """

    TTL = timedelta(seconds=5)

    def __init__(self, repo: Any, clock: Clock) -> None:
        self.repo, self.clock = repo, clock
        self._by_channel: dict[str, tuple[datetime, Any]] = {}
        self._by_id: dict[int, tuple[datetime, Any]] = {}

    async def by_channel(self, channel_id: str) -> Any:
        """The incident whose channel this is, or None."""
        return await self._get(self._by_channel, channel_id, self.repo.incident_by_channel)

    async def by_id(self, incident_id: int) -> Any:
        """The incident with this number, or None."""
        return await self._get(self._by_id, incident_id, self.repo.incident)

    async def _get(self, table: dict[Any, tuple[datetime, Any]], key: Any, load: Any) -> Any:
        now = self.clock.now()
        cached = table.get(key)
        if cached is not None and timedelta(0) <= now - cached[0] <= self.TTL:
            return cached[1]
        incident = await load(key)
        table[key] = (now, incident)
        return incident

    def forget(self, incident_id: int) -> None:
        """Drops what is known of an incident (after this process changed it)."""
        self._by_id.pop(incident_id, None)
        for channel, (_at, incident) in list(self._by_channel.items()):
            if incident is not None and incident.id == incident_id:
                del self._by_channel[channel]
