"""Socket Mode starts and stops like a service (issue 18, promise 8), against real processes: /healthz and
/metrics answer from the start (503 until connected); SIGTERM and SIGINT end the process within 5 s in any
state of the connection; a refused app token ends it with exit status 2 and one line naming
SLACK_APP_TOKEN; an unreachable Slack gives one log line per attempt, with a growing wait, and no
traceback. Envelopes of the wrong shape are acked and dropped."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.app import Leakbot
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess, free_port
from tests.slack_payloads import slash_command
from tests.test_payload_shape import BROKEN, no_traceback

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def leak_list(fake: FakeSlack) -> dict:
    return slash_command(
        "/leak-list",
        "",
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )


def socket_process(fake: FakeSlack, folder: Path, **settings: str) -> BotProcess:
    bot = BotProcess(fake, folder)
    bot.env.update({"SLACK_APP_TOKEN": fake.app_token, **settings})
    return bot


async def first_health(bot: BotProcess, http: aiohttp.ClientSession) -> tuple[int, dict]:
    """The first answer of /healthz once the process listens."""
    for _ in range(400):
        assert bot.process.returncode is None, bot.log_tail()
        try:
            async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as response:
                return response.status, await response.json()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.025)
    raise AssertionError("the operations server never answered: " + bot.log_tail())


async def stopped_within(bot: BotProcess, stop_signal: int, seconds: float) -> int:
    sent = time.monotonic()
    bot.process.send_signal(stop_signal)
    try:
        code = await asyncio.wait_for(bot.process.wait(), seconds)
    except TimeoutError:
        raise AssertionError(f"still running {seconds} s after the signal: {bot.log_tail()}") from None
    assert time.monotonic() - sent < seconds
    return code


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_an_unreachable_slack_is_retried_quietly_and_a_signal_stops_it(
    fake: FakeSlack, tmp_path: Path, stop_signal: int
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    bot = socket_process(fake, tmp_path, SLACK_API_URL=closed)
    await bot.launch()
    try:
        async with aiohttp.ClientSession() as http:
            status, body = await first_health(bot, http)
            assert status == 503, body
            async with http.get(f"http://127.0.0.1:{bot.port}/metrics") as response:
                assert response.status == 200 and "leakbot_worker_up" in await response.text()
            began = time.monotonic()
            for _ in range(300):  # what an operator sees: the third attempt's line (at about 0, 1, 3 s)
                if bot.log_path.read_text().count("cannot connect to Slack") >= 3:
                    break
                await asyncio.sleep(0.05)
            status, body = await first_health(bot, http)
            assert (status, body["error"]) == (503, "not connected to Slack")
        code = await stopped_within(bot, stop_signal, 5)
        ran = time.monotonic() - began + 1
    finally:
        await bot.stop()
    assert code == 0, bot.log_tail()
    log = bot.log_path.read_text()
    assert "Traceback" not in log, bot.log_tail()
    attempts = [line for line in log.splitlines() if "cannot connect to Slack" in line]
    assert 3 <= len(attempts) <= 2 + ran / 1, log  # one line an attempt, and fewer attempts as time goes
    waits = [int(m) for m in re.findall(r"trying again in (\d+) s", log)]
    assert waits[:3] == [1, 2, 4], waits
    assert len(log.splitlines()) < 20, log
    assert "stopped" in log.splitlines()[-1]


async def test_a_signal_while_slack_does_not_answer_the_connection_stops_it(fake: FakeSlack, tmp_path: Path) -> None:
    """Slack accepts the connection but does not answer apps.connections.open (the SDK would wait)."""
    fake.slow("apps.connections.open", 60)
    bot = socket_process(fake, tmp_path)
    await bot.launch()
    try:
        async with aiohttp.ClientSession() as http:
            assert (await first_health(bot, http))[0] == 503
        await fake.wait_until(lambda: "apps.connections.open" in fake.arrivals, timeout=15, what="the connection")
        code = await stopped_within(bot, signal.SIGTERM, 5)
    finally:
        await bot.stop()
    assert code == 0, bot.log_tail()
    assert "Traceback" not in bot.log_path.read_text()


@pytest.mark.parametrize("how", ["wrong token", "token_revoked", "not_authed"])
async def test_a_refused_app_token_ends_it_with_status_2(fake: FakeSlack, tmp_path: Path, how: str) -> None:
    if how == "wrong token":
        bot = socket_process(fake, tmp_path, SLACK_APP_TOKEN="xapp-1-A0WRONG-0000-" + "0" * 20)
    else:
        fake.fail("apps.connections.open", how)
        bot = socket_process(fake, tmp_path)
    await bot.launch()
    try:
        code = await asyncio.wait_for(bot.process.wait(), 20)
    finally:
        await bot.stop()
    log = bot.log_path.read_text()
    assert code == 2, log
    named = [line for line in log.splitlines() if "SLACK_APP_TOKEN" in line]
    assert len(named) == 1, log
    assert named[0].startswith("leakbot: SLACK_APP_TOKEN was refused by Slack (")
    assert "Traceback" not in log and fake.app_token not in log
    assert len(fake.calls_to("apps.connections.open")) == 1  # not retried: no retry can fix it


async def test_health_is_503_until_connected_then_200(fake: FakeSlack, tmp_path: Path) -> None:
    fake.slow("apps.connections.open", 2)
    bot = socket_process(fake, tmp_path)
    await bot.launch()
    try:
        async with aiohttp.ClientSession() as http:
            status, body = await first_health(bot, http)
            assert status == 503, body
            await fake.wait_socket_connected(timeout=15)
            for _ in range(100):
                status, body = await first_health(bot, http)
                if status == 200:
                    break
                await asyncio.sleep(0.05)
            assert (status, body) == (200, {"ok": True})
            # Slack asks to reconnect: the bot does, and is healthy again
            await fake.socket_disconnect()
            ack = await fake.socket_send("slash_commands", leak_list(fake))
            assert ack["envelope_id"]
        code = await stopped_within(bot, signal.SIGTERM, 5)
    finally:
        await bot.stop()
    assert code == 0 and "Traceback" not in bot.log_path.read_text(), bot.log_tail()


async def test_socket_mode_acks_and_drops_an_envelope_of_the_wrong_shape(
    fake: FakeSlack, socket_bot: Leakbot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = [c.method for c in fake.calls]
    for payload in BROKEN.values():
        ack = await fake.socket_send("interactive", payload)  # type: ignore[arg-type]
        assert set(ack) == {"envelope_id"}, ack  # a plain ack: Slack does not send it again
    dropped = [r.getMessage() for r in caplog.records if "dropped a Socket Mode envelope" in r.getMessage()]
    assert len(dropped) == len(BROKEN)
    no_traceback(caplog)
    assert [c.method for c in fake.calls] == before  # nothing done with them
    ack = await fake.socket_send("slash_commands", leak_list(fake))
    assert ack["envelope_id"]  # the connection still works
    no_traceback(caplog)


@pytest.mark.parametrize("socket_mode", [True, False], ids=["Socket Mode", "HTTP"])
async def test_a_port_in_use_ends_it_with_status_2(fake: FakeSlack, tmp_path: Path, socket_mode: bool) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = socket_process(fake, tmp_path, PORT=str(port)) if socket_mode else BotProcess(fake, tmp_path)
        bot.env["PORT"] = str(port)
        await bot.launch()
        try:
            code = await asyncio.wait_for(bot.process.wait(), 20)
        finally:
            await bot.stop()
    log = bot.log_path.read_text()
    assert code == 2, log
    assert [line for line in log.splitlines() if line.startswith("leakbot: PORT")], log
    assert "Traceback" not in log


async def test_slack_gone_after_connecting_is_retried_quietly_and_a_signal_stops_it(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    bot = socket_process(fake, tmp_path)
    try:
        await bot.start()
        await fake.wait_socket_connected(timeout=15)
        await fake.stop()  # Slack goes away: the socket closes, and nothing answers any more
        for _ in range(300):  # what an operator sees: the second failed attempt
            if bot.log_path.read_text().count("cannot connect to Slack") >= 2:
                break
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as http:
            status, body = await first_health(bot, http)
        assert (status, body.get("error")) == (503, "not connected to Slack")
        code = await stopped_within(bot, signal.SIGTERM, 5)
    finally:
        await bot.stop()
    log = bot.log_path.read_text()
    assert code == 0, log
    assert "Traceback" not in log, log
    assert 2 <= log.count("cannot connect to Slack") <= 4, log
    assert len(log.splitlines()) < 30, log
