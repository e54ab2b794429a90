"""Operations endpoints are not open to the world (issue 18, promise 7), against a real leakbot listening
on 0.0.0.0: without LEAKBOT_OPS_TOKEN, /metrics and /healthz?verbose=1 answer the loopback address itself
only (a client bound to 127.0.0.2 is refused, whatever forwarding header it sends); with the token they
need `Authorization: Bearer <token>`; plain /healthz is open; the verbose report calls Slack at most once
a minute, however many ask."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess

TOKEN = "ops-" + "架空".encode().hex() + "-0123456789abcdef"
SPOOFS = [
    {},
    {"X-Forwarded-For": "127.0.0.1"},
    {"X-Real-IP": "127.0.0.1"},
    {"Forwarded": "for=127.0.0.1"},
    {"Host": "127.0.0.1"},
]


def from_address(address: str) -> aiohttp.ClientSession:
    """A client whose connections come from `address` (another loopback address: still only 127.0.0.1 is
    ever connected to)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0), force_close=True))


async def get(http: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with http.get(url, headers=headers or {}) as response:
        return response.status, await response.text()


async def started(fake: FakeSlack, folder: Path, **settings: str) -> BotProcess:
    bot = BotProcess(fake, folder, **settings)
    bot.env["HOST"] = "0.0.0.0"  # every interface: what decides is where a request comes from
    await bot.start()
    return bot


async def test_without_a_token_only_the_loopback_address_itself_is_served(fake: FakeSlack, tmp_path: Path) -> None:
    bot = await started(fake, tmp_path)
    base = f"http://127.0.0.1:{bot.port}"
    try:
        async with from_address("127.0.0.2") as outsider, from_address("127.0.0.1") as local:
            for path in ("/metrics", "/healthz?verbose=1", "/healthz?verbose=true"):
                for spoof in SPOOFS:
                    status, body = await get(outsider, base + path, spoof)
                    assert status == 403, (path, spoof, body)
                    assert "T0LEAK" not in body and "leakbot_" not in body
                status, body = await get(local, base + path)
                assert status == 200, (path, body)
            assert (await get(outsider, base + "/healthz"))[0] == 200  # plain health is open
            status, body = await get(local, base + "/metrics")
            assert "leakbot_worker_up 1.0" in body
    finally:
        await bot.stop()
    log = bot.log_path.read_text()
    assert "refused /metrics to 127.0.0.2" in log and "Traceback" not in log


async def test_with_a_token_the_bearer_is_required_from_anywhere(fake: FakeSlack, tmp_path: Path) -> None:
    bot = await started(fake, tmp_path, LEAKBOT_OPS_TOKEN=TOKEN)
    base = f"http://127.0.0.1:{bot.port}"
    wrong = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"X-Forwarded-For": "127.0.0.1"},
    ]
    try:
        async with from_address("127.0.0.1") as local, from_address("127.0.0.2") as outsider:
            for http in (local, outsider):
                for path in ("/metrics", "/healthz?verbose=1"):
                    for headers in wrong:
                        status, body = await get(http, base + path, headers)
                        assert status == 401, (path, headers, body)
                        assert "T0LEAK" not in body and "leakbot_" not in body
                    status, body = await get(http, base + path, {"Authorization": f"Bearer {TOKEN}"})
                    assert status == 200, (path, body)
                assert (await get(http, base + "/healthz"))[0] == 200
    finally:
        await bot.stop()
    log = bot.log_path.read_text()
    assert TOKEN not in log and "refused /metrics without the operations token" in log


async def test_verbose_reports_cannot_multiply_slack_calls(fake: FakeSlack, tmp_path: Path) -> None:
    bot = await started(fake, tmp_path)
    url = f"http://127.0.0.1:{bot.port}/healthz?verbose=1"
    try:
        before = len(fake.calls_to("auth.test"))
        async with aiohttp.ClientSession() as http:
            answers = await asyncio.gather(*(get(http, url) for _ in range(20)))
            answers += [await get(http, url) for _ in range(5)]
        assert {status for status, _ in answers} == {200}
        assert len({body for _, body in answers}) == 1  # the same report, made once
        assert len(fake.calls_to("auth.test")) - before <= 1
    finally:
        await bot.stop()


async def test_help_documents_the_token(tmp_path: Path) -> None:
    from tests.processes import clean_env, run_cli

    code, out, err = await run_cli(tmp_path, "--help", env=clean_env())
    assert code == 0, err
    assert "LEAKBOT_OPS_TOKEN (default: unset)" in out and "127.0.0.1" in out.split("LEAKBOT_OPS_TOKEN")[1]


async def test_a_blank_token_is_unset(fake: FakeSlack, tmp_path: Path) -> None:
    from tests.conftest import settings_for

    settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", leakbot_ops_token="  ")
    assert settings.leakbot_ops_token is None
    settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", leakbot_ops_token=TOKEN)
    assert TOKEN not in repr(settings) and settings.leakbot_ops_token.get_secret_value() == TOKEN
