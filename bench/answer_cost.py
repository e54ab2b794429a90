"""What one answer costs leakbot in CPU, against a bare Bolt app given the same requests, in one run.

Run by hand:  .venv/bin/python bench/answer_cost.py [--answers 2000] [--concurrent 50] [--incidents 10000]

Starts, each in its own process on 127.0.0.1: a bare Bolt AsyncApp that answers when its listener returns
(process_before_response, as leakbot does) and leakbot itself (`python -m bot`) on a SQLite file with
--incidents incidents, both served by aiohttp with the signature checked. Sends each of them the same
number of signed checklist view submissions, --concurrent at a time, and reads each process's CPU time
(user + system, /proc, so Linux only) before and after: CPU per answer until every answer is
acknowledged, and for leakbot also until its follow-ups have reached the fake Slack of tests/. The
ratio to the bare app is what to compare between runs; the machine is shared. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # ack_latency, whose helpers this bench shares

from ack_latency import (
    Server,
    drained,
    free_port,
    latencies,
    pct,
    prepare_database,
    server_env,
    submission_bodies,
)

from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
WARM = 200  # submissions sent first and not counted (imports, caches, connections)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(server: Server, bodies: list[bytes], concurrent: int, database: str | None) -> dict[str, float]:
    """Sends the bodies after a warm-up; returns CPU ms per answer (acknowledged, and settled) and latencies."""
    pid = server.process.pid
    await latencies(server.port, bodies[:WARM], concurrent)
    if database:
        await drained(database)
    counted = bodies[WARM:]
    before, started = cpu_seconds(pid), time.perf_counter()
    timed = await latencies(server.port, counted, concurrent)
    acked, elapsed = cpu_seconds(pid), time.perf_counter() - started
    if database:
        await drained(database)  # the follow-ups the answers recorded have reached Slack
    settled = cpu_seconds(pid)
    return {
        "acked": (acked - before) * 1000 / len(counted),
        "settled": (settled - before) * 1000 / len(counted),
        "per_second": len(counted) / elapsed,
        "p50": pct(timed, 0.5),
        "p99": pct(timed, 0.99),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    total = args.answers + WARM
    async with FakeSlack() as fake:
        channel = fake.add_channel("leak-bench", members=["U0ALICE", fake.bot_user_id], is_private=True).id
        with tempfile.TemporaryDirectory() as folder:
            database = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await prepare_database(database, args.incidents, channel, total)
            env = server_env(fake, database)
            bare_port, bot_port = free_port(), free_port()
            bare = Server(
                "bare Bolt, immediate",
                [sys.executable, str(ROOT / "bench" / "ack_latency.py"), "--serve-bare", str(bare_port), "--immediate"],
                env,
                bare_port,
            )
            bot = Server("leakbot", [sys.executable, "-m", "bot"], {**env, "PORT": str(bot_port)}, bot_port)
            for server in (bare, bot):
                await server.start()
            try:
                # the same forms: each was opened for U0ALICE (a `views` row), so leakbot stores every one
                base = await measure(bare, submission_bodies(total, "rate"), args.concurrent, None)
                ours = await measure(bot, submission_bodies(total, "rate"), args.concurrent, database)
            finally:
                for server in (bare, bot):
                    await server.stop()
    print(f"CPU per checklist view submission, {args.answers} answers, {args.concurrent} at a time, SQLite\n")
    print("| app | CPU ms until acked | until followed up | answers/s | p50 / p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| bare Bolt, immediate | {base['acked']:.2f} | - | {base['per_second']:.0f} "
        f"| {base['p50']:.1f} / {base['p99']:.1f} |"
    )
    print(
        f"| leakbot | {ours['acked']:.2f} | {ours['settled']:.2f} | {ours['per_second']:.0f} "
        f"| {ours['p50']:.1f} / {ours['p99']:.1f} |"
    )
    print(f"\nleakbot / bare Bolt, CPU per answer until acked: {ours['acked'] / base['acked']:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
