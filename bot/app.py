"""Assembly: settings in, a running Bolt app out, over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.access import Identity
from bot.check import health_report
from bot.flows import Flows
from bot.metrics import metrics_of, metrics_route
from bot.scheduled import NudgeScheduler
from storage.db import make_engine, migrate, ping
from storage.repository import Repository

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


@dataclass
class Leakbot:
    settings: Settings
    app: AsyncApp
    flows: Flows
    engine: AsyncEngine
    scheduler: NudgeScheduler
    identity: Identity
    _sweeper: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        secret = self.settings.slack_signing_secret
        # Without a secret (Socket Mode) nothing arriving over HTTP can be trusted.
        self._verifier = SignatureVerifier(secret) if secret else None

    async def start(self, *, nudges: bool = True) -> None:
        """Brings the schema up to date (migrations) and starts the nudge sweeps.

        SQLite serves one bot process, so jobs a killed predecessor had taken are taken back at once;
        on PostgreSQL (several replicas) their leases run out instead.
        """
        await migrate(self.engine)
        await self.identity.learn()
        if self.engine.dialect.name == "sqlite":
            released = await self.flows.repo.release_leases()
            if released:
                log.info("taking back %s unfinished jobs from before the restart", released)
        if nudges:
            self._sweeper = asyncio.create_task(self.scheduler.run(), name="leakbot-nudges")

    async def stop(self) -> None:
        """Stops the sweeps, lets work after acks finish, and releases the database connections."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.flows.idle()
        await self.engine.dispose()

    def web_app(self) -> web.Application:
        """The HTTP surface: POST /slack/events, GET /healthz and GET /metrics."""
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._events)
        application.router.add_get("/healthz", self._health)
        application.router.add_get("/metrics", metrics_route(self))
        return application

    async def _events(self, request: web.Request) -> web.Response:
        # Verify before anything reads the body: an unsigned request must not reach any listener,
        # error handler or parser (and must never make the bot call a URL it names).
        body = await request.text()
        if not self._signed(body, request.headers):
            return web.json_response({"ok": False, "error": "invalid signature"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # signed, but not a payload Slack would send
            log.warning("refused a signed request whose body cannot be read")
            return web.json_response({"ok": False, "error": "unreadable payload"}, status=400)
        bolt_response = await metrics_of(self).dispatch(self.app, bolt_request)
        return await to_aiohttp_response(bolt_response)

    def _signed(self, body: str, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if self._verifier is None or not timestamp.isdigit() or not signature:
            return False
        return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)

    async def _health(self, request: web.Request) -> web.Response:
        healthy = await ping(self.engine)
        body: dict[str, object] = {"ok": True} if healthy else {"ok": False, "error": "database unavailable"}
        if request.query.get("verbose") in ("1", "true", "yes"):  # the `leakbot check` results, no secrets
            body.update(await health_report(self.settings, self.engine))
        return web.json_response(body, status=200 if healthy else 503)


def build(settings: Settings, *, clock: Clock | None = None, slack_timeout: float = 10) -> Leakbot:
    """Builds the Bolt app, the storage and the flows from settings; nothing is started yet."""
    # No sleeping retries here: a rate-limited job is rescheduled by the job runner (Retry-After),
    # and a modal cannot wait anyway (its trigger lives three seconds).
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=slack_timeout)
    engine = make_engine(settings.database_url)
    flows = Flows(repo=Repository(engine), client=client, clock=clock or SystemClock(), lang=settings.leakbot_lang,
                  nudge_after=settings.leakbot_nudge_after)
    identity = flows.identity

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return await identity.result()

    app = AsyncApp(
        client=client,
        authorize=authorize,
        # Bolt answers Slack when a listener returns; each listener returns right after its ack
        # (handlers/acking.py) instead of Bolt polling for the ack every 10 ms.
        process_before_response=True,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("leakbot.bolt"),
    )
    handlers.register(app, flows)
    scheduler = NudgeScheduler(flows, tick=settings.leakbot_nudge_tick)
    return Leakbot(settings=settings, app=app, flows=flows, engine=engine, scheduler=scheduler, identity=identity)


async def serve_http(bot: Leakbot, *, host: str, port: int) -> web.AppRunner:
    """Starts the HTTP server and returns its runner (stop it with `await runner.cleanup()`)."""
    runner = web.AppRunner(bot.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("leakbot listening on http://%s:%s%s", host, port, EVENTS_PATH)
    return runner


async def connect_socket_mode(bot: Leakbot) -> AsyncSocketModeHandler:
    """Connects to Slack over Socket Mode (apps.connections.open on SLACK_API_URL, then a websocket)."""
    handler = AsyncSocketModeHandler(bot.app, bot.settings.slack_app_token, web_client=bot.flows.client)
    await handler.connect_async()
    log.info("leakbot connected in Socket Mode")
    return handler


async def serve_operations(bot: Leakbot, *, host: str, port: int) -> web.AppRunner:
    """Socket Mode's own small HTTP server: GET /metrics and GET /healthz (no Slack request comes over HTTP)."""
    application = web.Application()
    application.router.add_get("/healthz", bot._health)
    application.router.add_get("/metrics", metrics_route(bot))
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("metrics and health on http://%s:%s/metrics and /healthz", host, port)
    return runner


async def run(settings: Settings) -> None:
    """Runs the bot until it is stopped: Socket Mode when an app token is set, else HTTP."""
    bot = build(settings)
    await bot.start()
    try:
        if settings.socket_mode:
            handler = await connect_socket_mode(bot)
            operations = await serve_operations(bot, host=settings.host, port=settings.port)
            try:
                await asyncio.Event().wait()
            finally:
                await operations.cleanup()
                await handler.close_async()
        else:
            runner = await serve_http(bot, host=settings.host, port=settings.port)
            try:
                await asyncio.Event().wait()
            finally:
                await runner.cleanup()
    finally:
        await bot.stop()
