"""Attacks on "Socket Mode starts and stops like a service" (issue 18, promise 8) that its own tests do not
try, against real processes: SIGTERM while a job waits on a slow Slack call, and SIGTERM while the
migration waits for another replica's lock (PostgreSQL). Each ends within 5 s, with status 0 and no
traceback; the job left unfinished is done by the next start, once."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from itertools import pairwise
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp import web

from tests.conftest import postgres_database
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import slash_command, view_submission
from tests.test_socket_service import first_health, socket_process, stopped_within

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


async def open_over_the_socket(fake: FakeSlack, title: str) -> None:
    command = slash_command(
        "/leak-open",
        title,
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    await fake.socket_send("slash_commands", command)
    call = await fake.wait_for("views.open", lambda c: c.ok)
    view = fake.views[call.response["view"]["id"]]
    await fake.socket_send("interactive", view_submission(view, {"summary": "架空の概要"}, user_id="U0ALICE"))


async def test_sigterm_while_a_job_waits_on_slack_ends_it_in_5_s_and_the_next_start_finishes_it_once(
    fake: FakeSlack, tmp_path: Path
) -> None:
    bot = socket_process(fake, tmp_path)
    await bot.start()
    try:
        await fake.wait_socket_connected(timeout=15)
        fake.slow("chat.postMessage", 8.0)  # the set-up's first post: Slack is slow
        await open_over_the_socket(fake, "停止中の投稿")
        await fake.wait_for("conversations.setTopic", lambda c: c.ok)
        code = await stopped_within(bot, signal.SIGTERM, 5)
    finally:
        await bot.stop()
    first_log = bot.log_path.read_text()
    assert code == 0, first_log
    assert "Traceback" not in first_log and "Task was destroyed" not in first_log, first_log
    again = socket_process(fake, tmp_path)
    await again.start()
    try:
        await fake.wait_for("pins.add", lambda c: c.ok, timeout=30)
    finally:
        await again.stop()
    channel = next(c.response["channel"]["id"] for c in fake.calls_to("conversations.create") if c.ok)
    texts = [str(m.get("text")) for m in fake.messages.get(channel, [])]
    assert len(texts) == len(set(texts)), texts  # the slow post landed (late) once, and nothing twice
    assert "Traceback" not in again.log_path.read_text(), again.log_tail(60)


@pytest.mark.parametrize("socket_mode", [True, False], ids=["Socket Mode", "HTTP"])
async def test_sigterm_while_the_migration_waits_for_another_replica_ends_it_in_5_s(
    fake: FakeSlack, tmp_path: Path, socket_mode: bool
) -> None:
    async with postgres_database() as url:
        other = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=5)
        try:
            await other.execute("BEGIN")
            await other.execute("SELECT pg_advisory_xact_lock(7413061)")  # another replica migrating
            bot = socket_process(fake, tmp_path) if socket_mode else BotProcess(fake, tmp_path)
            bot.env["DATABASE_URL"] = url
            await bot.launch()
            try:
                waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                for _ in range(400):  # the bot's migration waits for the lock
                    if await other.fetchval(waiting):
                        break
                    assert bot.process.returncode is None, bot.log_tail()
                    await asyncio.sleep(0.025)
                else:
                    raise AssertionError("the migration never waited for the lock: " + bot.log_tail())
                if socket_mode:  # its health answers meanwhile: not ready
                    async with aiohttp.ClientSession() as http:
                        assert (await first_health(bot, http))[0] == 503
                code = await stopped_within(bot, signal.SIGTERM, 5)
            finally:
                await bot.stop()
        finally:
            await other.close()
    log = bot.log_path.read_text()
    assert code == 0, log
    assert "Traceback" not in log, log
    assert len(log.splitlines()) < 10, log


class DroppingSlack(FakeSlack):
    """A Slack that opens every Socket Mode connection (hello and all) and drops it at once."""

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": self.app_id}})
        await ws.close()
        return ws


async def test_a_slack_that_drops_every_connection_is_retried_quietly_with_backoff(tmp_path: Path) -> None:
    async with DroppingSlack() as fake:
        bot = socket_process(fake, tmp_path)
        await bot.launch()
        try:
            await fake.wait_for("apps.connections.open", count=4, timeout=30)
            async with aiohttp.ClientSession() as http:
                status, body = await first_health(bot, http)
            assert status == 503, body  # never usable, so never healthy for long
            code = await stopped_within(bot, signal.SIGTERM, 5)
        finally:
            await bot.stop()
        opened = [c.at for c in fake.calls_to("apps.connections.open")]
    log = bot.log_path.read_text()
    assert code == 0, log
    assert "Traceback" not in log, log
    gaps = [b - a for a, b in pairwise(opened)]
    assert gaps[-1] >= 1.0, gaps  # it waits between attempts, not a tight loop
    assert len(log.splitlines()) <= 6 + 2 * len(opened), log  # a line or two per attempt, not a flood


@pytest.mark.parametrize("socket_mode", [True, False], ids=["Socket Mode", "HTTP"])
async def test_a_database_unreachable_at_start_ends_it_with_one_line(
    fake: FakeSlack, tmp_path: Path, socket_mode: bool
) -> None:
    with socket.socket() as closed:  # a port where nothing listens
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/nothing"
    bot = socket_process(fake, tmp_path) if socket_mode else BotProcess(fake, tmp_path)
    bot.env["DATABASE_URL"] = url
    line = await bot.refused_start()
    assert line.startswith("leakbot: DATABASE_URL cannot be reached"), line
