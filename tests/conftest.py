"""The bot started for real on 127.0.0.1, talking to a fake Slack, driven by signed HTTP requests."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import Leakbot, build, connect_socket_mode, serve_http
from bot.config import load_settings
from tests.fake_slack import FakeSlack
from tests.slack_payloads import (
    block_actions,
    form_body,
    interactive_body,
    member_event,
    sign,
    slash_command,
    view_submission,
)

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
# 2026-11-26 10:00 JST
START = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
GENERAL = "C0GENERAL"


class FakeClock:
    """A clock the tests move by hand; whoever waits for a time (the job worker) is told when it moves."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now
        self.listeners: list[Any] = []

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
        for listener in self.listeners:
            listener()


@dataclass
class Reply:
    status: int
    body: Any  # parsed JSON, the raw text, or None when empty

    @property
    def text(self) -> str:
        """All the text of an ephemeral reply (text and sections), for assertions."""
        if not isinstance(self.body, dict):
            return str(self.body or "")
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class Harness:
    fake: FakeSlack
    bot: Leakbot
    clock: FakeClock
    url: str
    http: aiohttp.ClientSession
    secret: str = SIGNING_SECRET
    lang: str = "ja"
    extra: dict[str, Any] = field(default_factory=dict)

    async def post(
        self,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Reply:
        """POSTs a body to /slack/events, signed like Slack unless told otherwise."""
        all_headers = {"Content-Type": content_type, **(sign(self.secret, body) if signed else {}), **(headers or {})}
        async with self.http.post(self.url + "/slack/events", data=body, headers=all_headers) as response:
            raw = await response.text()
        if not raw:
            return Reply(response.status, None)
        try:
            return Reply(response.status, json.loads(raw))
        except json.JSONDecodeError:
            return Reply(response.status, raw)

    async def command(
        self, command: str, text: str = "", *, user: str = "U0ALICE", channel: str = GENERAL, trigger_age: float = 0.0
    ) -> Reply:
        """Types a slash command (its trigger_id issued `trigger_age` seconds ago)."""
        payload = slash_command(
            command,
            text,
            user_id=user,
            channel_id=channel,
            trigger_id=self.fake.new_trigger_id(trigger_age),
            response_url=self.fake.response_url(),
        )
        return await self.post(form_body(payload))

    async def reply(self, command: str, text: str = "", *, user: str = "U0ALICE", channel: str = GENERAL) -> Reply:
        """Types a slash command and returns what only its user sees: in the ack, or later by response_url."""
        before = len(self.fake.responses)
        acked = await self.command(command, text, user=user, channel=channel)
        if acked.body is not None:
            return acked
        await self.fake.wait_until(lambda: len(self.fake.responses) > before, what=f"the reply to {command}")
        return Reply(200, self.fake.responses[before][1])

    async def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE") -> Reply:
        """Submits a modal as Slack would, with the given inputs."""
        payload = view_submission(view, values, user_id=user, trigger_id=self.fake.new_trigger_id())
        return await self.post(interactive_body(payload))

    async def click(
        self,
        action_id: str,
        value: str | None,
        *,
        user: str = "U0ALICE",
        channel: str | None = None,
        message_ts: str | None = None,
    ) -> Reply:
        """Clicks a button on a message."""
        payload = block_actions(
            action_id=action_id,
            value=value,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            trigger_id=self.fake.new_trigger_id(),
            response_url=self.fake.response_url(),
        )
        return await self.post(interactive_body(payload))

    async def member(self, kind: str, user: str, channel: str) -> Reply:
        """Slack tells the bot that someone joined (member_joined_channel) or left (member_left_channel)."""
        return await self.post(member_event(kind, user_id=user, channel_id=channel), content_type="application/json")

    async def settle(self, timeout: float = 5.0) -> None:
        """An internal wait, for tests of internals and of "nothing happened" only: waits until Bolt's lazy
        listeners are done, the worker runs no job and no job is due (retries may wait for the clock).

        A test of what users see waits on the fake Slack's recorded calls instead."""
        due: list[Any] = []
        for _ in range(int(timeout / 0.02)):
            await _drain()
            due = await self._unfinished_due_jobs()
            if not due and not self.bot.worker.busy:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"jobs still due after {timeout}s: {due}")

    async def _unfinished_due_jobs(self) -> list[Any]:
        """Jobs due now and not finished, running ones included, unless an earlier job of their incident
        waits for a later retry (then they wait too). One query: asking "claimable?" and "running?"
        apart could miss a job that moved from one to the other in between."""
        from sqlalchemy import exists, select
        from sqlalchemy.orm import aliased

        from storage.models import JobRow

        now = self.clock.now()
        earlier = aliased(JobRow)
        held_back = exists().where(
            earlier.incident_id == JobRow.incident_id,
            earlier.id < JobRow.id,
            earlier.done_at.is_(None),
            earlier.failed_at.is_(None),
            earlier.next_attempt_at > now,
        )
        query = select(JobRow.id, JobRow.kind).where(
            JobRow.done_at.is_(None), JobRow.failed_at.is_(None), JobRow.next_attempt_at <= now, ~held_back
        )
        async with self.bot.engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(query)).all()]

    @property
    def stored(self) -> Stored:
        """What the database holds (for proving what was, or was not, stored)."""
        return Stored(self.bot.repo)

    async def modal(
        self, command: str, text: str = "", *, user: str = "U0ALICE", channel: str = GENERAL
    ) -> dict[str, Any]:
        """Types a command that opens a modal, and returns the modal once Slack has it."""
        opened = len([c for c in self.fake.calls_to("views.open") if c.ok])
        reply = await self.command(command, text, user=user, channel=channel)
        assert reply.status == 200 and reply.body is None, reply
        return await self.opened_view(opened + 1)

    async def opened_view(self, count: int) -> dict[str, Any]:
        """Waits for the `count`-th successful views.open and returns the view Slack stored."""
        call = await self.fake.wait_for("views.open", lambda c: c.ok, count=count)
        return self.fake.views[call.response["view"]["id"]]


class Stored:
    """Reads of the database for assertions, each in a unit of work of its own."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo

    async def answers(self, incident_id: int) -> dict[str, Any]:
        async with self.repo.read() as tx:
            return await tx.answers(incident_id)

    async def history(self, incident_id: int, item_id: str | None = None) -> list[Any]:
        async with self.repo.read() as tx:
            return await tx.history(incident_id, item_id)

    async def incident(self, incident_id: int) -> Any:
        async with self.repo.read() as tx:
            return await tx.incident(incident_id)

    async def owners(self, incident_id: int) -> dict[str, Any]:
        async with self.repo.read() as tx:
            return await tx.owners(incident_id)

    async def owner_history(self, incident_id: int) -> list[Any]:
        async with self.repo.read() as tx:
            return await tx.owner_history(incident_id)


def settings_for(fake: FakeSlack, database_url: str, **overrides: Any) -> Any:
    """Settings as an operator would give them, pointing at the fake Slack."""
    values = {
        "slack_bot_token": fake.bot_token,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "database_url": database_url,
        "host": "127.0.0.1",
        "port": 1,
        "leakbot_lang": "ja",
    }
    values.update(overrides)
    return load_settings(_env_file=None, **values)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_channel("general", members=["U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"])
        yield slack


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Every test of the bot runs on SQLite and on PostgreSQL (a fresh database each time)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}"
        return
    async with postgres_database() as url:
        yield url


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on 127.0.0.1:5432, dropped afterwards."""
    import asyncpg

    try:
        admin = await asyncpg.connect(PG_ADMIN, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            raise  # .ci/run starts PostgreSQL: in CI its absence is a failure
        pytest.skip(f"PostgreSQL is not answering at 127.0.0.1:5432 ({error})")
    name = f"leakbot_{uuid.uuid4().hex[:16]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        # A test database need not outlive a crash of PostgreSQL itself (the bot's crashes are what the
        # tests kill): commits do not wait for the disk, so a neighbour's CREATE or DROP DATABASE flushing
        # gigabytes cannot hold a set-up's commits for seconds (seen: triggers expired, set-ups past 5 s).
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def socket_bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Any]:
    """The bot in Socket Mode (no signing secret, an app token), connected to the fake Slack's socket, with
    an injected clock and its own SQLite database; closed and stopped afterwards."""
    settings = settings_for(
        fake, f"sqlite+aiosqlite:///{tmp_path / 'socket.db'}", slack_signing_secret="", slack_app_token=fake.app_token
    )
    assert settings.socket_mode
    bot = build(settings, clock=FakeClock())
    await bot.start(sweeps=False)
    handler = await connect_socket_mode(bot)
    try:
        await fake.wait_socket_connected()
        yield bot
    finally:
        await handler.close_async()
        await bot.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For the few tests that need SQLite itself (breaking its file, its single-process rules)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}"


async def start_harness(
    fake: FakeSlack, database_url: str, *, slack_timeout: float = 10, **overrides: Any
) -> tuple[Harness, Any]:
    """Builds and starts the bot over HTTP on a free port; returns the harness and its runner."""
    clock = FakeClock()
    settings = settings_for(fake, database_url, **overrides)
    bot = build(settings, clock=clock, slack_timeout=slack_timeout)
    clock.listeners.append(bot.worker.wake)  # a retry waiting for the clock runs when the test moves it
    await bot.start(sweeps=False)  # tests sweep by hand, with the clock they move
    runner = await serve_http(bot, host="127.0.0.1", port=0)
    port = runner.addresses[0][1]
    http = aiohttp.ClientSession()
    return Harness(fake, bot, clock, f"http://127.0.0.1:{port}", http, lang=settings.leakbot_lang), runner


async def stop_harness(harness: Harness, runner: Any) -> None:
    """Lets lazy listeners still running after their ack finish, then stops everything (the worker
    finishes its running jobs)."""
    await _drain()
    await harness.http.close()
    await runner.cleanup()
    await harness.bot.stop()


async def _drain(timeout: float = 3.0) -> None:
    """An internal wait: for Bolt's lazy listeners still running after their ack, and for the look-ups of
    people's languages started after an ack (bot/slack/locales.py)."""
    current = asyncio.current_task()
    for _ in range(3):
        pending = [
            t
            for t in asyncio.all_tasks()
            if t is not current
            and not t.done()
            and ("to_runnable_function" in repr(t.get_coro()) or t.get_name().startswith("leakbot-locale-"))
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=timeout)


@pytest.fixture
async def sqlite_leakbot(fake: FakeSlack, sqlite_url: str) -> AsyncIterator[Harness]:
    """The bot on SQLite only, for tests about SQLite itself."""
    harness, runner = await start_harness(fake, sqlite_url)
    yield harness
    await stop_harness(harness, runner)


@pytest.fixture
async def leakbot(fake: FakeSlack, database_url: str) -> AsyncIterator[Harness]:
    harness, runner = await start_harness(fake, database_url)
    yield harness
    await stop_harness(harness, runner)
