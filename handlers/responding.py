"""Replies through a request's response_url, all over one HTTP session.

Bolt's `respond` opens an aiohttp session (a connection pool, and a new connection to Slack) for each
reply and closes it again. Here a middleware gives every request a `respond` of Bolt's own kind
(AsyncRespond, so listeners take it as before) that sends through one session kept for the process:
its connections to Slack are reused. Lazy listeners get the same one (Bolt deep-copies a request for
them; this `respond` copies as itself).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient


class ResponseSession:
    """The one aiohttp session replies go through: opened on the first reply, closed when the bot stops."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    def webhook(self, response_url: str) -> AsyncWebhookClient:
        """A client for one response_url that sends through the shared session."""
        return AsyncWebhookClient(url=response_url, session=self.session())

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class SharedRespond(AsyncRespond):
    """Bolt's `respond`, sending through the shared session instead of a session of its own."""

    def __init__(self, *, response_url: str | None, responses: ResponseSession) -> None:
        super().__init__(response_url=response_url)
        self.responses = responses

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedRespond:
        return self  # holds no request state of its own; the session must stay the shared one

    async def __call__(  # type: ignore[override]  # the same arguments as Bolt's, by keyword
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = self.responses.webhook(self.response_url)
        if isinstance(text, dict):
            return await client.send_dict(text)
        return await client.send(text=text, **fields)


def shared_respond(responses: ResponseSession) -> Callable[..., Awaitable[Any]]:
    """The Bolt middleware that gives a request with a response_url the shared `respond`."""

    async def give_shared_respond(context: Any, next: Callable[[], Awaitable[Any]]) -> Any:
        if context.response_url:
            context["respond"] = SharedRespond(response_url=context.response_url, responses=responses)
        return await next()

    return give_shared_respond
