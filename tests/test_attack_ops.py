"""Attacks on "operations endpoints are not open" (issue 18, promise 7) that its own tests do not try, against
real processes: the same paths written otherwise (a trailing slash, another case, percent-encoded, a
repeated or differently written `verbose`), HEAD instead of GET, the token in the query string, an empty
bearer, the scheme in lower case (which RFC 7235 makes the same scheme); the IPv6 loopback address; and the
operations server of Socket Mode, which has the same door."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.test_ops_endpoints import TOKEN, from_address, started
from tests.test_socket_service import socket_process

# Paths that must never give the verbose report or the metrics to a caller the door refuses.
OTHER_SPELLINGS = [
    "/metrics/",
    "/Metrics",
    "/METRICS",
    "/%6Detrics",
    "//metrics",
    "/./metrics",
    "/x/../metrics",
    "/metrics%2F",
    "/metrics?",
    "/healthz/?verbose=1",
    "/%68ealthz?verbose=1",
    "/healthz?verbose=%31",
    "/healthz?verbose=0&verbose=1",
    "/healthz?verbose=1&verbose=0",
    "/healthz?Verbose=1",
    "/healthz?verbose=TRUE",
    "/healthz?verbose=1;",
]
SECRETS = ("T0LEAK", "leakbot_", "scopes", "database")


async def answer(http: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str]) -> tuple[int, str]:
    async with http.request(method, url, headers=headers) as response:
        return response.status, await response.text()


def nothing_told(status: int, body: str) -> bool:
    return status in (401, 403, 404, 405) or (status in (200, 503) and not any(s in body for s in SECRETS))


async def test_no_other_spelling_or_method_gets_past_the_door(fake: FakeSlack, tmp_path: Path) -> None:
    for token in (None, TOKEN):
        bot = await started(fake, tmp_path, **({"LEAKBOT_OPS_TOKEN": token} if token else {}))
        base = f"http://127.0.0.1:{bot.port}"
        wrong = [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"}, {"Authorization": f"Token {TOKEN}"}]
        try:
            async with from_address("127.0.0.2") as outsider:
                for path in [*OTHER_SPELLINGS, "/metrics", "/healthz?verbose=1"]:
                    for method in ("GET", "HEAD"):
                        for headers in wrong:
                            status, body = await answer(outsider, method, base + path, headers)
                            assert nothing_told(status, body), (token, method, path, headers, status, body)
                    status, body = await answer(outsider, "GET", f"{base}{path}&token={TOKEN}", {})
                    assert nothing_told(status, body), (path, "token in the query", status, body)
                    status, body = await answer(outsider, "GET", f"{base}{path}?access_token={TOKEN}", {})
                    assert nothing_told(status, body), (path, "token in the query", status, body)
                if token:
                    for scheme in ("Bearer", "bearer", "BEARER"):
                        status, body = await answer(
                            outsider, "GET", base + "/metrics", {"Authorization": f"{scheme} {token}"}
                        )
                        assert status == 200 and "leakbot_" in body, (scheme, status)
        finally:
            await bot.stop()
        assert "Traceback" not in bot.log_path.read_text(), bot.log_tail()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
async def test_the_ipv6_loopback_address_is_served_without_a_token(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    bot.env["HOST"] = "::1"
    await bot.launch()
    url = f"http://[::1]:{bot.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(400):
                try:
                    status, _ = await answer(http, "GET", url + "/healthz", {})
                    if status == 200:
                        break
                except aiohttp.ClientConnectionError:
                    pass
                assert bot.process.returncode is None, bot.log_tail()
                import asyncio

                await asyncio.sleep(0.025)
            status, body = await answer(http, "GET", url + "/metrics", {})
            assert status == 200 and "leakbot_worker_up" in body, (status, body)
    finally:
        await bot.stop()


async def test_the_socket_mode_operations_server_has_the_same_door(fake: FakeSlack, tmp_path: Path) -> None:
    for token in (None, TOKEN):
        bot = socket_process(fake, tmp_path, HOST="0.0.0.0", **({"LEAKBOT_OPS_TOKEN": token} if token else {}))
        await bot.start()
        base = f"http://127.0.0.1:{bot.port}"
        try:
            async with from_address("127.0.0.2") as outsider, from_address("127.0.0.1") as local:
                for path in ("/metrics", "/healthz?verbose=1"):
                    status, body = await answer(outsider, "GET", base + path, {})
                    assert status == (401 if token else 403) and not any(s in body for s in SECRETS), (path, body)
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    status, body = await answer(local if token is None else outsider, "GET", base + path, headers)
                    assert status == 200, (path, status, body)
                assert (await answer(outsider, "GET", base + "/healthz", {}))[0] == 200
        finally:
            await bot.stop()
