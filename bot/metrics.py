"""Prometheus metrics of one bot, in a registry of its own (several bots can live in one process).

    metrics = metrics_of(bot)                   # made on first use, one per bot
    response = await metrics.dispatch(app, req) # counts the request and times its ack, by kind
    metrics.nudge_sent()                        # a nudge was posted
    metrics.slack_error("chat.postMessage", "channel_not_found")
    metrics.watch_socket(connected)             # Socket Mode: leakbot_socket_connected, read at each scrape

leakbot_build_info{version} says which release runs.

Jobs and open incidents are read from the database when /metrics is scraped, so every replica reports
the same shared state. Like bot/app.py this is assembly code.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import version
from bot.clock import Clock
from storage.models import IncidentRow, JobRow
from storage.repository import _claimable, _first_of_its_incident

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Leakbot

log = logging.getLogger(__name__)

# What a request from Slack is; anything else counts as "other" (labels stay few).
KINDS = (
    "command",
    "view_submission",
    "view_closed",
    "block_actions",
    "block_suggestion",
    "shortcut",
    "message_action",
    "event",
    "url_verification",
    "other",
)
# Slack must see an ack within 3 s: buckets fine below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
JOB_STATES = ("pending", "running", "failed", "done")
STUCK_AFTER = 300.0  # seconds a due job may wait before /healthz says the worker is stuck
_LABEL = re.compile(r"[^A-Za-z0-9_.:-]")
_NAME = re.compile(r"[^A-Za-z0-9_.:/-]")  # a command keeps its slash


def request_kind(body: Mapping[str, Any] | None) -> str:
    """The kind of a Slack request from its parsed body: command, view_submission, block_actions, event, ..."""
    body = body or {}
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in KINDS else "other"


def request_name(body: Mapping[str, Any] | None) -> str:
    """What a request is, for the log, from ids Slack or the bot chose (never what someone typed): its kind,
    then the command, the modal's callback_id, the first action's action_id or the event's type."""
    body = body or {}
    kind = request_kind(body)
    view, event, actions = body.get("view"), body.get("event"), body.get("actions")
    named = (
        body.get("command")
        or (view.get("callback_id") if isinstance(view, Mapping) else None)
        or (
            actions[0].get("action_id")
            if isinstance(actions, list) and actions and isinstance(actions[0], Mapping)
            else None
        )
        or body.get("callback_id")
        or (event.get("type") if isinstance(event, Mapping) else None)
    )
    return f"{kind} {_NAME.sub('_', named)[:64]}" if isinstance(named, str) and named else kind


def method_name(method: str) -> str:
    """`chat_postMessage` (the client's attribute) or `chat.postMessage`: the Web API's own spelling."""
    return method if "." in method else method.replace("_", ".", 1)


class Metrics:
    """The counters and the scrape-time collector of one bot."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "leakbot_requests",
            "Requests from Slack answered, by kind and HTTP status",
            ["kind", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "leakbot_ack_seconds",
            "Seconds from a request's arrival to its ack, by kind",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.nudges = Counter("leakbot_nudges_sent", "Nudges posted about open incidents", registry=self.registry)
        self.slack_errors = Counter(
            "leakbot_slack_errors",
            "Slack Web API calls that failed, by method and error",
            ["method", "error"],
            registry=self.registry,
        )
        self.state = DatabaseState(engine, clock)
        self.registry.register(self.state)
        # leakbot_build_info{version="…"} 1: which release runs, as `leakbot --version` says
        Info("leakbot_build", "The running leakbot's version", registry=self.registry).info({"version": version()})

    def watch_socket(self, connected: Callable[[], bool]) -> None:
        """Socket Mode only: leakbot_socket_connected reports `connected()` (1 while the connection to Slack is
        up, 0 otherwise, from the start) at each scrape. An HTTP-mode bot has no connection to report, and
        leaves the gauge out rather than show a 0 that an alert on disconnection would take for an outage."""
        gauge = Gauge(
            "leakbot_socket_connected",
            "1 while the Socket Mode connection to Slack is up, 0 otherwise",
            registry=self.registry,
        )
        gauge.set_function(lambda: 1.0 if connected() else 0.0)

    def observe_request(self, kind: str, seconds: float, status: int = 200) -> None:
        """Counts one answered request of `kind` and the time its ack took."""
        kind = kind if kind in KINDS else "other"
        self.requests.labels(kind=kind, status=str(status)).inc()
        self.ack_seconds.labels(kind=kind).observe(seconds)

    async def dispatch(self, app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
        """`app.async_dispatch(request)`, counted and timed (HTTP: bot.app; Socket Mode: the same call)."""
        started, status = time.perf_counter(), 500
        try:
            response = await app.async_dispatch(request)
            status = response.status
            return response
        finally:
            self.observe_request(request_kind(request.body), time.perf_counter() - started, status)

    def nudge_sent(self, count: int = 1) -> None:
        """Counts nudges posted (in the channel or by DM, reviewers' reminders too)."""
        self.nudges.inc(count)

    def slack_error(self, method: str, error: str) -> None:
        """Counts a failed Web API call: `method` as Slack names it (or the client's attribute), Slack's error code."""
        self.slack_errors.labels(
            method=_LABEL.sub("_", method_name(method))[:64], error=_LABEL.sub("_", error or "unknown")[:64]
        ).inc()

    async def exposition(self) -> bytes:
        """The Prometheus text format, with the database read now."""
        await self.state.refresh()
        return generate_latest(self.registry)


class DatabaseState:
    """Jobs by state, the oldest pending job's age and open incidents, read at scrape time.

    `refresh()` (async) reads the database; `collect()` (which prometheus_client calls) reports it.
    """

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        self.jobs: dict[str, int] | None = None
        self.oldest_pending = 0.0
        self.oldest_due = 0.0
        self.open_incidents = 0
        self.worker_running: Callable[[], bool] = lambda: False  # set by bot.app.build

    async def refresh(self) -> None:
        now = self.clock.now()
        try:
            states = _job_states(now)
            # one statement, so that a job finishing during the scrape is counted in one state only
            query = select(
                *(func.count().filter(where) for where in states.values()),
                func.min(JobRow.created_at).filter(states["pending"]),
                func.min(JobRow.next_attempt_at).filter(and_(*_claimable(now), _first_of_its_incident())),
                select(func.count()).select_from(IncidentRow).where(IncidentRow.status != "closed").scalar_subquery(),
            )
            async with self.engine.connect() as connection:
                row = (await connection.execute(query.select_from(JobRow))).one()
            jobs = {state: int(row[n] or 0) for n, state in enumerate(states)}
            oldest = cast("datetime | None", row[len(states)])  # min(created_at), typed as that column
            due = cast("datetime | None", row[len(states) + 1])
            incidents = row[len(states) + 2]
        except Exception as error:  # noqa: BLE001 - a scrape must answer: report the database as down instead
            log.warning("metrics: the database did not answer (%s)", type(error).__name__)
            self.jobs = None
            return
        self.jobs, self.open_incidents = jobs, int(incidents or 0)
        self.oldest_pending = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        self.oldest_due = max(0.0, (now - due).total_seconds()) if due is not None else 0.0

    def describe(self) -> list[Metric]:
        return list(self._families(up=True))

    def collect(self) -> Iterator[Metric]:
        return self._families(up=self.jobs is not None)

    def _families(self, *, up: bool) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "leakbot_database_up", "1 when the last scrape could read the database", value=1 if up else 0
        )
        yield GaugeMetricFamily(
            "leakbot_worker_up", "1 while the job worker's loop runs", value=1 if self.worker_running() else 0
        )
        if not up:
            return
        jobs = GaugeMetricFamily(
            "leakbot_jobs", "Slack jobs by state (running: leased by a runner now)", labels=["state"]
        )
        for state in JOB_STATES:
            jobs.add_metric([state], (self.jobs or {}).get(state, 0))
        yield jobs
        yield GaugeMetricFamily(
            "leakbot_job_oldest_pending_seconds",
            "Age of the oldest pending job in seconds (0 when none)",
            value=self.oldest_pending,
        )
        yield GaugeMetricFamily(
            "leakbot_oldest_due_job_seconds",
            "Seconds the oldest job that could run now has waited for the worker (0 when none)",
            value=self.oldest_due,
        )
        yield GaugeMetricFamily("leakbot_open_incidents", "Incidents not closed", value=self.open_incidents)


def _job_states(now: datetime) -> dict[str, Any]:
    unfinished = and_(JobRow.done_at.is_(None), JobRow.failed_at.is_(None))
    return {
        "pending": and_(unfinished, or_(JobRow.leased_until.is_(None), JobRow.leased_until <= now)),
        "running": and_(unfinished, JobRow.leased_until > now),
        "failed": and_(JobRow.done_at.is_(None), JobRow.failed_at.is_not(None)),
        "done": JobRow.done_at.is_not(None),
    }


async def oldest_due_job_seconds(engine: AsyncEngine, now: datetime) -> float:
    """Seconds the oldest job that the worker could take now has waited (0 when none); raises when the
    database does not answer."""
    query = select(func.min(JobRow.next_attempt_at)).where(*_claimable(now), _first_of_its_incident())
    async with engine.connect() as connection:
        due = (await connection.execute(query)).scalar()
    return max(0.0, (now - due).total_seconds()) if due is not None else 0.0


def metrics_of(bot: Leakbot) -> Metrics:
    """The bot's metrics, made on first use (its own registry)."""
    found = vars(bot).get("metrics")
    if not isinstance(found, Metrics):
        found = Metrics(bot.engine, bot.deps.clock)
        vars(bot)["metrics"] = found
    return found


def metrics_route(bot: Leakbot) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler of GET /metrics for this bot."""

    async def serve(_request: web.Request) -> web.Response:
        body = await metrics_of(bot).exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return serve
