"""GET /metrics, scraped over real HTTP and read back with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build, serve_operations
from bot.metrics import Metrics, metrics_of, request_kind
from storage.db import make_engine
from tests.conftest import FakeClock, Harness, settings_for
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess, free_port
from tests.story import open_incident


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of a Prometheus text exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(http: aiohttp.ClientSession, url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with http.get(url + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return samples(await response.text())


async def scrape_until(
    http: aiohttp.ClientSession, url: str, ready: Any, *, what: str, timeout: float = 5.0
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Scrapes /metrics, as an operator's dashboard would, until `ready(samples)` holds; returns those samples."""
    deadline = time.monotonic() + timeout
    while True:
        found = await scrape(http, url)
        if ready(found):
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"/metrics did not show {what} within {timeout}s: {found}")
        await asyncio.sleep(0.02)  # the next scrape


async def test_requests_jobs_and_incidents_are_counted(leakbot: Harness) -> None:
    before = await scrape(leakbot.http, leakbot.url)
    assert before[("leakbot_open_incidents", ())] == 0
    assert before[("leakbot_database_up", ())] == 1
    assert ("leakbot_requests_total", (("kind", "command"), ("status", "200"))) not in before

    await open_incident(leakbot)  # its set-up (one job) is done in Slack: the modal says the channel is ready
    # the set-up and what it leads to (the members' Home tabs) are done once no job is pending or running
    found = await scrape_until(
        leakbot.http,
        leakbot.url,
        lambda s: (
            s.get(("leakbot_jobs", (("state", "done"),)), 0) >= 1
            and s.get(("leakbot_jobs", (("state", "pending"),)), 0) == 0
            and s.get(("leakbot_jobs", (("state", "running"),)), 0) == 0
        ),
        what="the set-up and its follow-up jobs done",
    )
    assert found[("leakbot_requests_total", (("kind", "command"), ("status", "200")))] == 1
    assert found[("leakbot_requests_total", (("kind", "view_submission"), ("status", "200")))] == 1
    assert found[("leakbot_ack_seconds_count", (("kind", "command"),))] == 1
    assert found[("leakbot_ack_seconds_bucket", (("kind", "command"), ("le", "+Inf")))] == 1
    assert 0 < found[("leakbot_ack_seconds_sum", (("kind", "view_submission"),))] < 3
    assert found[("leakbot_open_incidents", ())] == 1
    assert found[("leakbot_jobs", (("state", "done"),))] >= 1
    assert found[("leakbot_jobs", (("state", "failed"),))] == 0
    assert found[("leakbot_jobs", (("state", "running"),))] == 0
    assert found[("leakbot_job_oldest_pending_seconds", ())] == 0


async def test_pending_jobs_and_their_age_come_from_the_database(leakbot: Harness) -> None:
    await leakbot.bot.worker.stop()  # so the job stays pending
    async with leakbot.bot.repo.tx() as tx:
        await tx.enqueue("say", {"key": "close.kept", "params": {}}, key="metrics-test", at=leakbot.clock.now())
    leakbot.clock.advance(90)
    found = await scrape(leakbot.http, leakbot.url)
    assert found[("leakbot_jobs", (("state", "pending"),))] == 1
    assert found[("leakbot_job_oldest_pending_seconds", ())] == 90


async def test_nudges_and_slack_errors_are_counted_by_method_and_error(leakbot: Harness) -> None:
    metrics = metrics_of(leakbot.bot)
    assert metrics_of(leakbot.bot) is metrics  # one registry per bot
    metrics.nudge_sent()
    metrics.nudge_sent(2)
    metrics.slack_error("chat_postMessage", "channel_not_found")
    metrics.slack_error("chat.postMessage", "channel_not_found")
    metrics.slack_error("conversations.invite", "user_not_found")
    found = await scrape(leakbot.http, leakbot.url)
    assert found[("leakbot_nudges_sent_total", ())] == 3
    assert found[("leakbot_slack_errors_total", (("error", "channel_not_found"), ("method", "chat.postMessage")))] == 2
    assert found[("leakbot_slack_errors_total", (("error", "user_not_found"), ("method", "conversations.invite")))] == 1


async def test_several_bots_in_one_process_keep_their_own_counts(tmp_path: Path) -> None:
    clock = FakeClock()
    first = Metrics(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"), clock)
    second = Metrics(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"), clock)
    first.nudge_sent()
    try:
        assert samples((await first.exposition()).decode())[("leakbot_nudges_sent_total", ())] == 1
        assert samples((await second.exposition()).decode())[("leakbot_nudges_sent_total", ())] == 0
    finally:
        await first.state.engine.dispose()
        await second.state.engine.dispose()


async def test_a_scrape_answers_while_the_database_does_not(tmp_path: Path) -> None:
    engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none")
    metrics = Metrics(engine, FakeClock())
    try:
        found = samples((await metrics.exposition()).decode())
    finally:
        await engine.dispose()
    assert found[("leakbot_database_up", ())] == 0
    assert not any(name == "leakbot_jobs" for name, _ in found)


async def test_socket_mode_serves_metrics_and_health_on_its_own_port(fake: FakeSlack, tmp_path: Path) -> None:
    settings = settings_for(
        fake, f"sqlite+aiosqlite:///{tmp_path / 's.db'}", slack_signing_secret="", slack_app_token=fake.app_token
    )
    bot = build(settings, clock=FakeClock())
    await bot.start(sweeps=False)
    runner = await serve_operations(bot, host="127.0.0.1", port=0)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession() as http:
            found = await scrape(http, url)
            async with http.get(url + "/healthz") as response:
                assert response.status == 200 and await response.json() == {"ok": True}
            async with http.post(url + "/slack/events", data=b"{}") as response:
                assert response.status in (404, 405)  # nothing from Slack arrives over HTTP in Socket Mode
    finally:
        await runner.cleanup()
        await bot.stop()
    assert found[("leakbot_database_up", ())] == 1 and found[("leakbot_open_incidents", ())] == 0


def test_request_kinds() -> None:
    assert request_kind({"command": "/leak-open"}) == "command"
    assert request_kind({"type": "view_submission"}) == "view_submission"
    assert request_kind({"type": "block_actions"}) == "block_actions"
    assert request_kind({"type": "shortcut"}) == "shortcut"
    assert request_kind({"type": "event_callback", "event": {"type": "app_home_opened"}}) == "event"
    assert request_kind({"type": "something_new"}) == "other"
    assert request_kind(None) == "other"


async def test_a_real_process_in_socket_mode_serves_metrics_on_port(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, SLACK_APP_TOKEN=fake.app_token)
    await bot.start()
    try:
        await fake.wait_socket_connected()
        async with aiohttp.ClientSession() as http:
            found = await scrape(http, f"http://127.0.0.1:{bot.port}")
    finally:
        await bot.stop()
    assert found[("leakbot_database_up", ())] == 1 and found[("leakbot_nudges_sent_total", ())] == 0
