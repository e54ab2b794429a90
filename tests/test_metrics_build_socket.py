"""leakbot_build_info{version} (the version `leakbot --version` prints) and leakbot_socket_connected (Socket Mode
only: 1 while the connection to Slack is up, 0 from the start until then and again once it drops), scraped
over HTTP as Prometheus would and read back with prometheus_client's own parser."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import aiohttp
import pytest

from bot.app import build, connect_socket_mode, serve_operations
from bot.cli import main
from tests.conftest import FakeClock, Harness, settings_for
from tests.fake_slack import FakeSlack
from tests.test_metrics import scrape, scrape_until

CONNECTED = ("leakbot_socket_connected", ())


def test_build_info_names_the_version_leakbot_version_prints(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.strip() == f"leakbot {version('leakbot')}"


async def test_http_mode_reports_its_version_and_no_socket(sqlite_leakbot: Harness) -> None:
    found = await scrape(sqlite_leakbot.http, sqlite_leakbot.url)
    assert found[("leakbot_build_info", (("version", version("leakbot")),))] == 1
    # no connection to report: an alert on leakbot_socket_connected == 0 cannot fire for an HTTP-mode bot
    assert not [name for name, _ in found if name.startswith("leakbot_socket")]


async def test_the_socket_gauge_follows_the_connection_up_and_dropped(fake: FakeSlack, tmp_path: Path) -> None:
    settings = settings_for(
        fake, f"sqlite+aiosqlite:///{tmp_path / 's.db'}", slack_signing_secret="", slack_app_token=fake.app_token
    )
    bot = build(settings, clock=FakeClock())
    await bot.start(sweeps=False)
    runner = await serve_operations(bot, host="127.0.0.1", port=0)  # served before connecting, as leakbot does
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    handler = None
    try:
        async with aiohttp.ClientSession() as http:
            before = await scrape(http, url)
            assert before[CONNECTED] == 0  # present from the start, 0 until connected
            assert before[("leakbot_build_info", (("version", version("leakbot")),))] == 1
            handler = await connect_socket_mode(bot)
            await fake.wait_socket_connected()
            await scrape_until(http, url, lambda s: s[CONNECTED] == 1, what="the connection up")
            await fake.stop()  # Slack goes away: the websocket closes, and no new one can be opened
            await scrape_until(http, url, lambda s: s[CONNECTED] == 0, what="the connection dropped")
            async with http.get(url + "/healthz") as response:  # the health check says the same
                assert (response.status, (await response.json())["error"]) == (503, "not connected to Slack")
    finally:
        if handler is not None:
            await handler.close_async()
        await runner.cleanup()
        await bot.stop()
