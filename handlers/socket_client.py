"""Socket Mode's client, with the connect loop owned here: it runs like a service.

slack_sdk's aiohttp client retries a failed connection every `ping_interval` seconds for ever, with a
traceback each time, and takes a refused app token for one more failure. This one:
- tries again with a growing wait (1, 2, 4 … 60 s, or Slack's Retry-After), one log line per attempt;
- stops trying when Slack refuses the app token (`invalid_auth`, `not_authed`, …) and says so through
  `refused` (bot.app then ends the process with exit status 2);
- acks and drops an envelope whose payload has a shape Slack never sends (handlers.payload_shape);
- can be cancelled at any point (SIGTERM while connecting).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from handlers.payload_shape import shape_problem

log = logging.getLogger(__name__)
# apps.connections.open errors that no retry will fix: the app token itself is wrong
REFUSALS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}
)
WAIT_FIRST, WAIT_MOST = 1.0, 60.0
STABLE = 30.0  # seconds a connection must last to count as working: one dropped sooner is a failed attempt


class TokenRefused(Exception):
    """Slack refused the app token; `str()` is Slack's error code."""


class ServiceSocketClient(SocketModeClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.wait_first = WAIT_FIRST
        self._connected_at: float | None = None  # when the latest connection came up (the loop's clock)
        self._dropped = 0  # connections in a row that Slack dropped before they were STABLE

    @property
    def up(self) -> bool:
        """True while a websocket to Slack is open."""
        session = self.current_session
        return not self.closed and session is not None and not session.closed

    async def issue_new_wss_url(self) -> str:
        """apps.connections.open: a refused token raises TokenRefused; other failures raise as they are."""
        try:
            response = await self.web_client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in REFUSALS:
                raise TokenRefused(code) from None
            raise
        return str(response["url"])

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        """Reconnects (Slack asked to, or the session went stale): a new URL, through the same loop."""
        if self.connect_operation_lock.locked() and not force:
            return  # a reconnection is under way already
        if force or not self.up:
            self.wss_uri = None
            await self.connect()

    async def connect(self) -> None:
        """Connects, trying again with a growing wait until it works, the client is closed, or Slack
        refuses the token (then `refused` gets Slack's error code and this returns)."""
        failures = 0
        async with self.connect_operation_lock:
            await self._after_a_drop()
            while not self.closed and not self.refused.done():
                try:
                    await self._connect_once()
                except TokenRefused as refusal:
                    log.error("Slack refused the app token (%s)", refusal)
                    self.refused.set_result(str(refusal))
                    return
                except Exception as error:  # noqa: BLE001 - every failure is one line and a wait
                    if self.closed:
                        return
                    failures += 1
                    wait = min(self.wait_first * 2 ** (failures - 1), WAIT_MOST)
                    wait = max(wait, _retry_after(error))
                    log.warning(
                        "Socket Mode: cannot connect to Slack (%s); attempt %s, trying again in %.0f s",
                        _describe(error),
                        failures,
                        wait,
                    )
                    self.wss_uri = None
                    await asyncio.sleep(wait)
                else:
                    if failures:
                        log.info("Socket Mode: connected after %s failed attempts", failures)
                    self._connected_at = asyncio.get_running_loop().time()
                    return

    async def _after_a_drop(self) -> None:
        """A Slack that accepts each connection and drops it at once is not reconnected to in a tight loop:
        the first early drop is reconnected at once (Slack asks that now and then), the next ones after a
        growing wait, one log line each."""
        if self._connected_at is None:
            return  # the first connection
        lasted = asyncio.get_running_loop().time() - self._connected_at
        self._connected_at = None
        if lasted >= STABLE:
            self._dropped = 0
            return
        self._dropped += 1
        if self._dropped < 2:
            return
        wait = min(self.wait_first * 2 ** (self._dropped - 2), WAIT_MOST)
        log.warning(
            "Socket Mode: Slack dropped the connection after %.1f s (%s in a row); reconnecting in %.0f s",
            lasted,
            self._dropped,
            wait,
        )
        await asyncio.sleep(wait)

    async def _connect_once(self) -> None:
        """slack_sdk's connect, once: a new URL, the websocket, its monitor and its receiver."""
        old = self.current_session
        self.auto_reconnect_enabled = False
        if old is not None and not old.closed:
            try:
                await old.close()
            except Exception as error:  # noqa: BLE001 - a broken old session is left behind
                log.info("closing the old Socket Mode session failed (%s)", type(error).__name__)
        if self.aiohttp_client_session.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        if self.wss_uri is None:
            self.wss_uri = await self.issue_new_wss_url()
        self.current_session = await self.aiohttp_client_session.ws_connect(
            self.wss_uri,
            autoping=False,
            heartbeat=self.ping_interval,
            proxy=self.proxy,
            ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
        )
        self.auto_reconnect_enabled = self.default_auto_reconnect_enabled
        self.stale = False
        self.last_ping_pong_time = None
        if self.current_session_monitor is not None:
            self.current_session_monitor.cancel()
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        if self.message_receiver is not None:
            self.message_receiver.cancel()
        self.message_receiver = asyncio.ensure_future(self.receive_messages())

    async def run_message_listeners(self, message: dict, raw_message: str) -> None:
        """The door of the envelopes: a payload of the wrong shape is acked (Slack does not send it again)
        and dropped with one log line, before slack_sdk or Bolt reads it."""
        if isinstance(message, dict) and message.get("envelope_id") and "payload" in message:
            problem = shape_problem(message["payload"])
            if problem is not None:
                log.warning("dropped a Socket Mode envelope (%s): %s", message.get("type"), problem)
                await self.send_socket_mode_response(SocketModeResponse(envelope_id=str(message["envelope_id"])))
                return
        await super().run_message_listeners(message, raw_message)


def _retry_after(error: Exception) -> float:
    if isinstance(error, SlackApiError) and error.response.status_code == 429:
        try:
            return float(error.response.headers.get("Retry-After", WAIT_FIRST))
        except ValueError:
            return WAIT_FIRST
    return 0.0


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return f"apps.connections.open: {error.response.get('error') or error.response.status_code}"
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
