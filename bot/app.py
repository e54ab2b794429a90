"""Assembly: settings in, a running Bolt app out, over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_base_handler import AsyncBaseSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot import logs
from bot.access import BotTokenRefused, Identity
from bot.check import health_report
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.metrics import STUCK_AFTER, metrics_of, metrics_route, oldest_due_job_seconds, request_name
from bot.scheduled import Sweeper
from bot.slack.adapter import SlackAdapter
from bot.slack.locales import Locales
from bot.usecases.base import Deps
from bot.worker import JobWorker
from handlers.payload_shape import shape_problem
from handlers.responding import ResponseSession
from handlers.socket_client import ServiceSocketClient
from storage.db import make_engine, migrate, missing_folder, ping
from storage.repository import Repository

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
VERBOSE = ("1", "true", "yes")
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")  # where the operations endpoints answer without a token
STOP_GRACE = 3.0  # seconds running jobs get to finish after SIGTERM (the process ends within 5 s)
REPORT_FOR = 60.0  # seconds a /healthz?verbose=1 report is reused
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Leakbot:
    settings: Settings
    app: AsyncApp
    deps: Deps
    adapter: SlackAdapter
    worker: JobWorker
    sweeper: Sweeper
    engine: AsyncEngine
    identity: Identity
    _sweeping: asyncio.Task[None] | None = None
    connected: Callable[[], bool] | None = None  # Socket Mode: whether the connection to Slack is up
    responses: ResponseSession | None = None  # the one HTTP session of replies through response_urls

    def __post_init__(self) -> None:
        secret = self.settings.slack_signing_secret
        # Without a secret (Socket Mode) nothing arriving over HTTP can be trusted.
        self._verifier = SignatureVerifier(secret) if secret else None
        self._reporting = asyncio.Lock()
        self._reported: tuple[float, dict[str, Any]] | None = None

    @property
    def repo(self) -> Repository:
        """The store every use case works on."""
        return self.deps.repo

    async def start(self, *, sweeps: bool = True) -> None:
        """Brings the schema up to date (migrations), starts the job worker and the periodic sweeps.

        SQLite serves one bot process, so jobs a killed predecessor had taken are taken back at once;
        on PostgreSQL (several replicas) their leases run out instead.
        """
        folder = missing_folder(self.settings.database_url)
        if folder is not None:  # SQLite cannot open the file: no folder is made (storage.db.make_private)
            raise ConfigError(
                "DATABASE_URL",
                f"names a SQLite file in {folder}, a folder that does not exist "
                "(create it, or mount the volume meant to hold it)",
            )
        try:
            await migrate(self.engine)
        except (OSError, DBAPIError) as error:  # the database cannot be reached: one line, not a traceback
            cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
            said = str(cause).splitlines()[0][:200] if str(cause) else ""
            raise ConfigError("DATABASE_URL", f"cannot be reached ({type(cause).__name__}: {said})") from None
        try:
            await self.identity.learn()
        except BotTokenRefused as refusal:
            raise ConfigError("SLACK_BOT_TOKEN", f"was refused by Slack ({refusal})") from None
        if self.engine.dialect.name == "sqlite":
            async with self.repo.tx() as tx:
                released = await tx.release_leases()
            if released:
                log.info("taking back %s unfinished jobs from before the restart", released)
        self.worker.start()
        if sweeps:
            self._sweeping = asyncio.create_task(self.sweeper.run(), name="leakbot-sweeps")

    async def stop(self, *, grace: float = 10) -> None:
        """Stops the sweeps, lets running jobs finish (up to `grace` s), and releases the database connections."""
        if self._sweeping is not None:
            self._sweeping.cancel()
            await asyncio.gather(self._sweeping, return_exceptions=True)
        await self.identity.stop()
        await self.worker.stop(grace)
        await self.adapter.locales.close()
        if self.responses is not None:
            await self.responses.close()
        await self.repo.dispose()
        await self.engine.dispose()

    def web_app(self) -> web.Application:
        """The HTTP surface: POST /slack/events, GET /healthz and GET /metrics."""
        application = self.operations_app()
        application.router.add_post(EVENTS_PATH, self._events)
        return application

    def operations_app(self) -> web.Application:
        """GET /healthz and GET /metrics behind the operations gate (HTTP mode adds /slack/events to it)."""
        application = web.Application(middlewares=[self._operations_gate])
        application.router.add_get("/healthz", self._health)
        application.router.add_get("/metrics", metrics_route(self))
        return application

    @web.middleware
    async def _operations_gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The one door of the operations endpoints: /metrics and /healthz?verbose=1 need the bearer token
        LEAKBOT_OPS_TOKEN when it is set (401), else a request from the loopback address itself (403: no
        forwarding header is trusted). Plain /healthz and /slack/events pass."""
        verbose = request.path == "/healthz" and request.query.get("verbose") in VERBOSE
        if request.path != "/metrics" and not verbose:
            return await handler(request)
        token = self.settings.leakbot_ops_token
        if token is not None:
            scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
            given = credentials.encode() if scheme.lower() == "bearer" else b""  # the scheme is case-insensitive
            if not given or not hmac.compare_digest(given, token.get_secret_value().encode()):
                log.warning("refused %s without the operations token", request.path)
                return web.json_response(
                    {"ok": False, "error": "bearer token required"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="leakbot"'},
                )
        elif request.remote not in LOOPBACK:
            log.warning(
                "refused %s to %s (set LEAKBOT_OPS_TOKEN to serve it beyond 127.0.0.1)", request.path, request.remote
            )
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        return await handler(request)

    async def _events(self, request: web.Request) -> web.Response:
        # Verify before anything reads the body: an unsigned request must not reach any listener,
        # error handler or parser (and must never make the bot call a URL it names).
        raw = await request.read()
        if not self._signed(raw, request.headers):
            return web.json_response({"ok": False, "error": "invalid signature"}, status=401)
        try:
            bolt_request = slack_request(raw, mode="http", headers=dict(request.headers), query=request.query_string)
        except MalformedPayload as problem:  # signed, but not a payload Slack would send
            log.warning("refused a signed request: %s", problem)
            return web.json_response({"ok": False, "error": "malformed payload"}, status=400)
        return await to_aiohttp_response(await self.dispatch(bolt_request))

    async def dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        """Answers one request from Slack (HTTP or Socket Mode): counted, timed, and ahead of the job worker.
        Its log lines carry the incident it is about from the access middleware on (handlers.context), and
        only its own: an HTTP connection kept alive answers the next request in the same task."""
        started = time.perf_counter()
        with logs.scope(), self.worker.traffic.request():
            response = await metrics_of(self).dispatch(self.app, request)
            took = (time.perf_counter() - started) * 1000
            log.info("%s answered %s in %.0f ms", request_name(request.body), response.status, took)
            return response

    def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if self._verifier is None or not timestamp.isdigit() or not signature:
            return False
        try:
            return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except UnicodeDecodeError:  # Slack signs UTF-8 text; these bytes are not that
            return False

    async def _health(self, request: web.Request) -> web.Response:
        """200 while the database answers, the job worker runs, no due job has waited STUCK_AFTER seconds,
        (Socket Mode) the connection to Slack is up and Slack has answered auth.test once since the start;
        else 503 with what is wrong."""
        problem = None
        if not await ping(self.engine):
            problem = "database unavailable"
        else:
            try:
                waited = await oldest_due_job_seconds(self.engine, self.deps.clock.now())
            except Exception as error:  # noqa: BLE001 - the database answers, its tables may not be made yet
                log.debug("/healthz could not read the jobs (%s)", type(error).__name__)
                waited = 0.0
            if not self.worker.running:
                problem = "job worker not running"
            elif waited > STUCK_AFTER:
                problem = f"a due job has waited {int(waited)} s"
            elif self.connected is not None and not self.connected():
                problem = "not connected to Slack"
            elif self.identity.problem is not None:  # Slack unreachable since the start: no request can be served
                problem = self.identity.problem
        body: dict[str, object] = {"ok": True} if problem is None else {"ok": False, "error": problem}
        if request.query.get("verbose") in VERBOSE:  # the `leakbot check` results, no secrets
            body.update(await self._report())
        return web.json_response(body, status=200 if problem is None else 503)

    async def _report(self) -> dict[str, Any]:
        """The `leakbot check` results, made at most once a minute whatever the requests (it calls Slack)."""
        async with self._reporting:
            now = time.monotonic()
            if self._reported is None or now - self._reported[0] >= REPORT_FOR:
                self._reported = (now, await health_report(self.settings, self.engine))
            return self._reported[1]


class MalformedPayload(ValueError):
    """A payload Slack would not send; `str()` says what is wrong, without its values."""


def slack_request(
    body: bytes | object, *, mode: str, headers: dict[str, Any] | None, query: str | None = None
) -> AsyncBoltRequest:
    """The one door from what arrived (HTTP bytes, or a Socket Mode envelope's payload) to Bolt: a payload
    that cannot be read or has the wrong shape (handlers.payload_shape) raises MalformedPayload before
    Bolt or any listener reads it."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
            parsed: object = parse_body(text, extract_content_type(build_normalized_headers(headers)))
        except ValueError:  # not UTF-8, or not JSON where JSON is due
            raise MalformedPayload("the body is not a form or JSON that Slack sends") from None
    else:
        text, parsed = "", body
    if problem := shape_problem(parsed):
        raise MalformedPayload(problem)
    # Built from the parsed body (no second parse on the ack's path); in HTTP mode Bolt also keeps the raw
    # text, which its signature check and lazy listeners read.
    request = AsyncBoltRequest(body=cast(dict, parsed), query=query, headers=headers, mode="socket_mode")
    request.raw_body, request.mode = text, mode
    return request


def build(settings: Settings, *, clock: Clock | None = None, slack_timeout: float = 10) -> Leakbot:
    """Builds the Bolt app, the storage, the worker and the Slack adapter from settings; nothing is started yet."""
    # No sleeping retries here: a rate-limited job is rescheduled by the worker (Retry-After),
    # and a modal cannot wait anyway (its trigger lives three seconds).
    # slack_sdk annotates the timeout as int; it goes to aiohttp, which takes fractions of a second too
    client = AsyncWebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=cast(int, slack_timeout)
    )
    engine = make_engine(settings.database_url)
    clock = clock or SystemClock()
    repo = Repository(engine)
    deps = Deps(
        repo=repo,
        clock=clock,
        lang=settings.leakbot_lang,
        nudge_after=settings.leakbot_nudge_after,
        company=settings.leakbot_company,
    )
    identity = Identity(client)
    # each person's language, from their Slack locale, kept in the database
    locales = Locales(client, clock, settings.leakbot_lang, repo=repo)
    adapter = SlackAdapter(
        repo=repo,
        client=client,
        clock=clock,
        lang=settings.leakbot_lang,
        identity=identity,
        company=settings.leakbot_company,
        locales=locales,
    )
    worker = JobWorker(
        repo=repo, clock=clock, handlers=adapter.handlers(), give_up=adapter.give_up, idle=settings.leakbot_nudge_tick
    )
    repo.on_jobs = worker.wake  # woken when a transaction that recorded jobs commits

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return await identity.result()

    app = AsyncApp(
        # Bolt's own client carries no token: `authorize` gives each request the bot token. (A client with a
        # token beside `authorize` makes Bolt warn on every start that it ignores the token.)
        client=AsyncWebClient(base_url=settings.slack_api_url, timeout=cast(int, slack_timeout)),
        authorize=authorize,
        # Slack gets its answer when the ack function returns: after what the request changes is
        # stored. What needs Slack afterwards runs as lazy listeners or as jobs of the worker.
        process_before_response=True,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("leakbot.bolt"),
    )
    responses = ResponseSession()
    handlers.register(app, deps, adapter, responses)
    sweeper = Sweeper(
        deps, worker, tick=settings.leakbot_nudge_tick, retention_days=settings.leakbot_job_retention_days
    )
    bot = Leakbot(
        settings=settings,
        app=app,
        deps=deps,
        adapter=adapter,
        worker=worker,
        sweeper=sweeper,
        engine=engine,
        identity=identity,
        responses=responses,
    )
    metrics = metrics_of(bot)
    metrics.state.worker_running = lambda: worker.running
    if settings.socket_mode:  # up once connect_socket_mode has connected, and while it stays so
        metrics.watch_socket(lambda: bot.connected is not None and bot.connected())
    worker.slack_errors = metrics.slack_error
    adapter.locales.slack_errors = metrics.slack_error
    worker.observe = lambda job, error: (
        metrics.nudge_sent() if job.kind in ("nudge", "review_nudge") and error is None else None
    )
    return bot


async def serve_http(bot: Leakbot, *, host: str, port: int) -> web.AppRunner:
    """Starts the HTTP server and returns its runner (stop it with `await runner.cleanup()`)."""
    runner = web.AppRunner(bot.web_app(), access_log=None)
    await runner.setup()
    await _listen(runner, host, port)
    log.info("leakbot listening on http://%s:%s%s", host, port, EVENTS_PATH)
    return runner


class CountedSocketModeHandler(AsyncBaseSocketModeHandler):
    """Bolt's Socket Mode handler on the service-like client (handlers.socket_client), with each envelope
    counted and timed like an HTTP request (/metrics)."""

    client: ServiceSocketClient

    def __init__(self, bot: Leakbot) -> None:
        self.app, self.bot = bot.app, bot
        self.client = ServiceSocketClient(
            app_token=bot.settings.slack_app_token or "",
            logger=logging.getLogger("leakbot.socket"),
            # apps.connections.open only, without the SDK's own retries: the client's connect loop retries
            web_client=AsyncWebClient(base_url=bot.settings.slack_api_url, timeout=10, retry_handlers=[]),
            ping_interval=10,
        )
        self.client.socket_mode_request_listeners.append(self.handle)

    async def handle(self, client: Any, req: Any) -> None:
        started = time.time()
        try:
            request = slack_request(req.payload, mode="socket_mode", headers=build_headers(req))
        except MalformedPayload as problem:  # acked, so that Slack does not send it again, and dropped
            log.warning("dropped a Socket Mode envelope (%s): %s", req.type, problem)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        response = await self.bot.dispatch(request)
        await send_async_response(client, req, response, started)


async def connect_socket_mode(
    bot: Leakbot, handler: CountedSocketModeHandler | None = None
) -> CountedSocketModeHandler:
    """Connects to Slack over Socket Mode (apps.connections.open on SLACK_API_URL, then a websocket), trying
    again until it works; raises ConfigError when Slack refuses the app token (the caller closes `handler`)."""
    handler = handler or CountedSocketModeHandler(bot)
    client = handler.client
    bot.connected = lambda: client.up
    await handler.connect_async()
    if client.refused.done():
        raise ConfigError("SLACK_APP_TOKEN", f"was refused by Slack ({client.refused.result()})")
    log.info("leakbot connected in Socket Mode")
    return handler


async def serve_operations(bot: Leakbot, *, host: str, port: int) -> web.AppRunner:
    """Socket Mode's own small HTTP server: GET /metrics and GET /healthz (no Slack request comes over HTTP)."""
    runner = web.AppRunner(bot.operations_app(), access_log=None)
    await runner.setup()
    await _listen(runner, host, port)
    log.info("metrics and health on http://%s:%s/metrics and /healthz", host, port)
    return runner


async def _listen(runner: web.AppRunner, host: str, port: int) -> None:
    """Listens on host:port; an address that cannot be had is the operator's to fix (ConfigError)."""
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError("PORT", f"{port} on {host} cannot be listened on ({error.strerror or error})") from None


async def run(settings: Settings) -> None:
    """Runs the bot until SIGTERM or SIGINT (then it ends within seconds, whatever it was doing): Socket
    Mode when an app token is set, else HTTP. A refused app token raises ConfigError."""
    bot = build(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):  # docker stop, systemd, Ctrl-C: stop gracefully
        loop.add_signal_handler(stop_signal, stopping.set)
    serving = asyncio.create_task(_serve(bot, settings), name="leakbot")
    stopped = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        serving.cancel()  # a stop signal: whatever it awaits (a connection, a migration) ends now
        await asyncio.gather(serving, return_exceptions=True)
        log.info("stopped")
    if not serving.cancelled() and serving.exception() is not None:
        raise cast(BaseException, serving.exception())


async def _until_refused(bot: Leakbot, handler: CountedSocketModeHandler | None) -> None:
    """Waits until Slack refuses a token: the app token (Socket Mode; revoked while running, say) or the
    bot token (when Slack did not answer at start and refuses it once it does); raises ConfigError then."""
    refusals: dict[asyncio.Future[str], str] = {}
    if bot.identity.refused is not None:
        refusals[bot.identity.refused] = "SLACK_BOT_TOKEN"
    if handler is not None:
        refusals[handler.client.refused] = "SLACK_APP_TOKEN"
    done, _ = await asyncio.wait(
        refusals or {asyncio.get_running_loop().create_future()}, return_when=asyncio.FIRST_COMPLETED
    )
    refused = next(iter(done))
    raise ConfigError(refusals[refused], f"was refused by Slack ({refused.result()})")


async def _serve(bot: Leakbot, settings: Settings) -> None:
    """Serves until cancelled. In Socket Mode /healthz and /metrics answer from the start (503 until the
    connection is up); the bot is stopped on the way out (running jobs get STOP_GRACE seconds)."""
    servers: list[web.AppRunner] = []
    handler: CountedSocketModeHandler | None = None
    try:
        if settings.socket_mode:
            servers.append(await serve_operations(bot, host=settings.host, port=settings.port))
        await bot.start()
        # What is alive now (modules, the app, its listeners: about 140,000 objects) lives as long as the
        # process: the garbage collector's full passes skip it from here on. Each such pass took 60 to 95 ms
        # with them, and the requests waiting behind it were measured as slow acks (issue 9).
        gc.collect()
        gc.freeze()
        if settings.socket_mode:
            handler = CountedSocketModeHandler(bot)
            await connect_socket_mode(bot, handler)
        else:
            servers.append(await serve_http(bot, host=settings.host, port=settings.port))
        await _until_refused(bot, handler)
    finally:
        if handler is not None:
            with suppress(Exception):
                await asyncio.wait_for(handler.close_async(), 1)
        for server in servers:
            await server.cleanup()  # stops taking requests, lets those in flight finish
        await bot.stop(grace=STOP_GRACE)  # running jobs finish; waiting ones stay in the database
