"""Delivering the outbox: Slack calls recorded with the change that wanted them, sent until they land.

A call is retried with backoff on rate limits (honouring Retry-After), server errors and timeouts;
an error that no retry can fix (a deleted channel, blocks Slack refuses) ends it as failed.
A crash between the commit and the call leaves it pending, and the next sweep sends it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from storage.repository import Delivery, Repository

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=5)
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def backoff(attempts: int) -> timedelta:
    """Waits 5 s, 10 s, 20 s … after each failed attempt, at most five minutes."""
    return min(timedelta(seconds=5 * 2**attempts), MAX_BACKOFF)


class Deliverer:
    def __init__(self, *, repo: Repository, client: AsyncWebClient, clock: Clock) -> None:
        self.repo, self.clock = repo, clock
        # Its own client: a rate limit is waited out by rescheduling, never by sleeping in a sweep.
        self.client = AsyncWebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)

    async def deliver(self, ids: list[int] | None = None) -> int:
        """Sends the pending calls that are due (only `ids` when given); returns how many landed."""
        delivered = 0
        while True:
            batch = await self.repo.pending_deliveries(self.clock.now(), ids=ids)
            for delivery in batch:
                delivered += await self._send(delivery)
            if ids is not None or len(batch) < 100:
                return delivered

    async def _send(self, delivery: Delivery) -> bool:
        try:
            await getattr(self.client, delivery.method)(**delivery.args)
        except SlackApiError as exc:
            await self._failed(delivery, exc)
            return False
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            await self._retry(delivery, type(exc).__name__, self.clock.now() + backoff(delivery.attempts))
            return False
        await self.repo.finish_delivery(delivery.id, at=self.clock.now())
        return True

    async def _failed(self, delivery: Delivery, exc: SlackApiError) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error") or status) if isinstance(exc.response.data, dict) else str(status)
        if status == 429:
            wait = int(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)) or 1)
            await self._retry(delivery, error, self.clock.now() + timedelta(seconds=wait))
        elif status >= 500 or error in TRANSIENT:
            await self._retry(delivery, error, self.clock.now() + backoff(delivery.attempts))
        else:
            log.warning("outbox %s (%s) cannot be delivered: %s", delivery.id, delivery.method, error)
            await self.repo.finish_delivery(delivery.id, at=self.clock.now(), error=error)

    async def _retry(self, delivery: Delivery, error: str, when: object) -> None:
        log.info("outbox %s (%s) failed with %s; retrying", delivery.id, delivery.method, error)
        await self.repo.finish_delivery(delivery.id, at=self.clock.now(), error=error, retry_at=when)  # type: ignore[arg-type]
