"""How fast leakbot answers Slack, against a bare Bolt app on the same machine and HTTP stack.

Run by hand:  .venv/bin/python bench/ack_latency.py [--requests 300] [--incidents 10000]

Starts, each in its own process on 127.0.0.1: a bare Bolt AsyncApp whose listeners only ack (served
the way leakbot serves Bolt: aiohttp, signature checked), and leakbot itself (`python -m bot`) on a
SQLite file. The fake Slack of tests/ answers leakbot's Web API calls from this process. Then it
measures, in one run:
- ack latency p50/p99 of /leak-status (its reply is the ack's body) and of a checklist view submission
  at 1, 10 and 50 concurrent requests, for both apps, and their ratio;
- the time from a /leak-open submission to the first question posted in the new channel;
- answers per second sustained (submissions until every answer is stored and its jobs are done);
- resident memory of both processes, leakbot's with --incidents incidents in its database.
Every request is signed like Slack's and goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from sqlalchemy import insert

from bot.ui.metadata import StepRef
from storage.db import make_engine, migrate
from storage.models import IncidentRow, MemberRow, RevisionRow, ViewRow
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, interactive_body, sign, slash_command, view_submission

SECRET = "bench-signing-secret"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_bare(port: int, immediate: bool) -> None:
    """The baseline: Bolt with listeners that only ack, behind the same aiohttp handler shape.

    By default Bolt polls for the ack every 10 ms; `immediate` (process_before_response) answers
    when the listener returns, as leakbot does."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=immediate)

    @app.command("/leak-status")
    async def status(ack: Any) -> None:
        await ack()

    @app.view("leak_step")
    async def step(ack: Any) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    application = web.Application()
    application.router.add_post("/slack/events", events)
    application.router.add_get("/healthz", lambda _r: web.json_response({"ok": True}))
    web.run_app(application, host="127.0.0.1", port=port, print=None, access_log=None)


def server_env(fake: FakeSlack, database: str) -> dict[str, str]:
    """The environment of the servers a bench starts: the fake Slack, the bench's SQLite file, HTTP mode."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_API_URL": fake.url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "DATABASE_URL": database,
        "HOST": "127.0.0.1",
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name, self.command, self.env, self.port, self.process = name, command, env, port, None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.command, env=self.env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(400):
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def rss_mib(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        return kib / 1024

    async def stop(self) -> None:
        self.process.terminate()
        await self.process.wait()


EMPTY_ACKS: dict[int, int] = {}  # port -> acks with an empty body (their reply, if any, comes by response_url)


async def post(http: aiohttp.ClientSession, port: int, body: bytes) -> float:
    """Sends one signed request; returns the seconds until the response arrived."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    started = time.perf_counter()
    async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as response:
        text = await response.read()
        assert response.status == 200, (port, response.status, text[:200])
    if not text:
        EMPTY_ACKS[port] = EMPTY_ACKS.get(port, 0) + 1
    return time.perf_counter() - started


async def latencies(port: int, bodies: list[bytes], concurrency: int) -> list[float]:
    """Sends the bodies with at most `concurrency` in flight; returns each request's latency.

    The bench's own garbage collector is held off while the requests are timed: the fake Slack keeps
    every call leakbot made, and one full collection of that paused this process for 55 ms, which the
    requests in flight then measured as 10 slow acks."""
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def one(body: bytes) -> float:
            async with gate:
                return await post(http, port, body)

        for body in bodies[:concurrency]:  # warm the connections
            await post(http, port, body)
        gc.collect()
        gc.disable()
        try:
            return list(await asyncio.gather(*(one(b) for b in bodies)))
        finally:
            gc.enable()


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


# The tags of the submissions the run sends (see measure_acks and answers_per_second): each is a form
# the bot opened for U0ALICE (a `views` row), as it would be had she clicked the question's button.
SUBMISSION_TAGS = [f"{server}{concurrency}i" for server in "bl" for concurrency in (1, 10, 50)] + ["rate"]


async def prepare_database(url: str, incidents: int, channel: str, requests: int) -> None:
    """Migrates, then adds `incidents` open incidents; incident 1 lives in `channel`, where U0ALICE is a
    member with the forms she will submit recorded as opened for her."""
    engine = make_engine(url)
    await migrate(engine)
    now = datetime.now(UTC)
    rows = [
        {
            "id": n,
            "team_id": "T0LEAK",
            "opener_id": "U0ALICE",
            "status": "open",
            "created_at": now,
            "nudges_sent": 0,
            "setup_stage": 8,
            "channel_id": channel if n == 1 else f"CBENCH{n:07d}",
            "checklist_ts": None,
            "nudge_due_at": now + timedelta(days=7),
        }
        for n in range(1, incidents + 1)
    ]
    answers = [
        {"incident_id": n, "item_id": "title", "value": f"架空の事案 {n}", "user_id": "U0ALICE", "created_at": now}
        for n in range(1, incidents + 1)
    ]
    async with engine.begin() as connection:
        for start in range(0, incidents, 5000):
            await connection.execute(insert(IncidentRow), rows[start : start + 5000])
            await connection.execute(insert(RevisionRow), answers[start : start + 5000])
        await connection.execute(insert(MemberRow), [{"channel_id": channel, "user_id": "U0ALICE", "since": now}])
        await connection.execute(
            insert(ViewRow),
            [
                {
                    "external_id": external_id(tag, i),
                    "user_id": "U0ALICE",
                    "incident_id": 1,
                    "step_id": "services",
                    "opened_at": now,
                }
                for tag in SUBMISSION_TAGS
                for i in range(max(requests, 300))
            ],
        )
    await engine.dispose()


def external_id(tag: str, i: int) -> str:
    """The id a bench form was opened under."""
    return f"bench-{tag}-{i}"


def status_bodies(fake: FakeSlack, channel: str, n: int) -> list[bytes]:
    return [
        form_body(
            slash_command(
                "/leak-status",
                "",
                user_id="U0ALICE",
                channel_id=channel,
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
        )
        for _ in range(n)
    ]


def submission_bodies(n: int, tag: str) -> list[bytes]:
    view = {
        "id": "",
        "type": "modal",
        "callback_id": "leak_step",
        "hash": "h",
        "private_metadata": StepRef(incident_id=1, step_id="services").dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": "services",
                "label": {"type": "plain_text", "text": "s"},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            }
        ],
    }
    return [
        interactive_body(
            view_submission(
                view | {"id": f"V{tag}{i:06d}", "external_id": external_id(tag, i)},
                {"services": f"架空のサービス {tag} {i}"},
                user_id="U0ALICE",
            )
        )
        for i in range(n)
    ]


async def measure_acks(
    servers: dict[str, Server], fake: FakeSlack, channel: str, database: str, requests: int
) -> list[str]:
    rows = []
    for kind, make in (
        ("/leak-status", lambda tag: status_bodies(fake, channel, requests)),
        ("view submission", lambda tag: submission_bodies(requests, tag)),
    ):
        for concurrency in (1, 10, 50):
            result = {}
            for name, server in servers.items():
                replies, empty = len(fake.responses), EMPTY_ACKS.get(server.port, 0)
                result[name] = await latencies(server.port, make(f"{name[:1]}{concurrency}{kind[1]}"), concurrency)
                if name == "leakbot" and kind == "view submission":
                    await drained(database)  # each row starts quiet: the follow-ups of this one are done first
                if name == "leakbot" and kind == "/leak-status":
                    # each row starts quiet: the replies of this one posted after an empty ack (warm-up
                    # requests included) are all in first; a reply in the ack's body has no other to wait for
                    sent = EMPTY_ACKS.get(server.port, 0) - empty
                    await fake.wait_until(
                        lambda replies=replies, sent=sent: len(fake.responses) >= replies + sent,
                        timeout=120,
                        what="every /leak-status reply",
                    )
            bare, quick, bot = result["bare Bolt"], result["bare Bolt, immediate"], result["leakbot"]
            rows.append(
                f"| {kind} | {concurrency} | {pct(bare, 0.5):.1f} / {pct(bare, 0.99):.1f} "
                f"| {pct(quick, 0.5):.1f} / {pct(quick, 0.99):.1f} | {pct(bot, 0.5):.1f} / {pct(bot, 0.99):.1f} "
                f"| {pct(bot, 0.99) / pct(bare, 0.99):.2f}x | {pct(bot, 0.99) / pct(quick, 0.99):.2f}x |"
            )
    return rows


async def time_to_first_question(server: Server, fake: FakeSlack, rounds: int = 5) -> float:
    """Median seconds from a /leak-open submission's response to the first question in its channel."""
    times = []
    async with aiohttp.ClientSession() as http:
        for n in range(rounds):
            view = {
                "id": f"VOPEN{n:04d}",
                "type": "modal",
                "callback_id": "leak_open",
                "hash": "h",
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "title",
                        "label": {"type": "plain_text", "text": "t"},
                        "element": {
                            "type": "plain_text_input",
                            "action_id": "value",
                            "initial_value": f"計測用の架空事案 {n}",
                        },
                    },
                    {
                        "type": "input",
                        "block_id": "discovered_at",
                        "label": {"type": "plain_text", "text": "d"},
                        "element": {
                            "type": "datetimepicker",
                            "action_id": "value",
                            "initial_date_time": int(time.time()) - 60,
                        },
                    },
                    {
                        "type": "input",
                        "block_id": "summary",
                        "label": {"type": "plain_text", "text": "s"},
                        "element": {"type": "plain_text_input", "action_id": "value"},
                    },
                ],
            }
            before = len(fake.calls)
            started = time.perf_counter()
            await post(
                http,
                server.port,
                interactive_body(view_submission(view, {"summary": "計測（架空）"}, user_id="U0ALICE")),
            )

            def asked(since: int = before) -> bool:
                return any(
                    c.method == "chat.postMessage" and "leak_answer" in str(c.args.get("blocks"))
                    for c in fake.calls[since:]
                )

            await fake.wait_until(asked, timeout=30, what="the first question")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


async def drained(database: str) -> None:
    """Returns once leakbot has no job left to do (what its requests recorded has reached Slack)."""
    engine = make_engine(database)
    try:
        while True:
            async with engine.connect() as connection:
                pending = (
                    await connection.exec_driver_sql(
                        "SELECT count(*) FROM jobs WHERE done_at IS NULL AND failed_at IS NULL"
                    )
                ).scalar_one()
            if pending == 0:
                return
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def answers_per_second(server: Server, database: str, count: int = 300) -> float:
    """Answers submitted 10 at a time, per second, until each is stored and its follow-up jobs are done."""
    started = time.perf_counter()
    await latencies(server.port, submission_bodies(count, "rate"), 10)
    await drained(database)
    return count / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    async with FakeSlack() as fake:
        channel = fake.add_channel("leak-bench", members=["U0ALICE", fake.bot_user_id], is_private=True).id
        with tempfile.TemporaryDirectory() as folder:
            database = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await prepare_database(database, args.incidents, channel, args.requests)
            env = server_env(fake, database)
            bare_port, quick_port, bot_port = free_port(), free_port(), free_port()
            servers = {
                "bare Bolt": Server(
                    "bare Bolt", [sys.executable, __file__, "--serve-bare", str(bare_port)], env, bare_port
                ),
                "bare Bolt, immediate": Server(
                    "bare Bolt, immediate",
                    [sys.executable, __file__, "--serve-bare", str(quick_port), "--immediate"],
                    env,
                    quick_port,
                ),
                "leakbot": Server("leakbot", [sys.executable, "-m", "bot"], {**env, "PORT": str(bot_port)}, bot_port),
            }
            for server in servers.values():
                await server.start()
            try:
                await report(servers, fake, channel, database, args)
            finally:
                for server in servers.values():
                    await server.stop()


async def report(servers: dict[str, Server], fake: FakeSlack, channel: str, database: str, args: Any) -> None:
    rss_before = {name: server.rss_mib() for name, server in servers.items()}
    rows = await measure_acks(servers, fake, channel, database, args.requests)
    print(f"Ack latency in ms ({args.requests} signed requests per row, 127.0.0.1, {os.cpu_count()} cores)\n")
    print(
        "| request | concurrent | bare Bolt p50 / p99 | bare Bolt, immediate p50 / p99 | leakbot p50 / p99 "
        "| p99 ratio to bare | to bare, immediate |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    first = await time_to_first_question(servers["leakbot"], fake)
    rate = await answers_per_second(servers["leakbot"], database)
    print(f"\n/leak-open submission to the first question posted: {first * 1000:.0f} ms (median of 5)")
    print(f"answers per second sustained (10 at a time, until stored and followed up): {rate:.0f}")
    print(
        f"resident memory: bare Bolt {rss_before['bare Bolt']:.0f} MiB; leakbot {rss_before['leakbot']:.0f} MiB "
        f"at start with {args.incidents:,} incidents, {servers['leakbot'].rss_mib():.0f} MiB after the run"
    )


if __name__ == "__main__":
    if "--serve-bare" in sys.argv:
        serve_bare(int(sys.argv[sys.argv.index("--serve-bare") + 1]), "--immediate" in sys.argv)
    else:
        asyncio.run(main())
