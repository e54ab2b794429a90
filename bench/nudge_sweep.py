"""Nudge sweep time against the number of open incidents, of which 1% are due.

Run by hand:  .venv/bin/python bench/nudge_sweep.py [--sizes 1000 10000 100000] [--repeat 3]

Each size gets a fresh SQLite file with that many open incidents; 1% have a nudge due now, the rest
later. A sweep is timed (best of --repeat, the due rows made due again between runs) with the bot as
`bot.app.build` assembles it, from the sweep's start until the fake Slack of tests/ on 127.0.0.1 has
every nudge (the sweep records them; the job worker posts them). Ratios are against the smallest size
measured in the same run: the time should follow the number due, not the number open.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update

from bot.app import build
from bot.config import load_settings
from storage.db import migrate
from storage.models import IncidentRow
from tests.fake_slack import FakeSlack

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def measure(size: int, repeat: int, fake: FakeSlack, folder: Path) -> tuple[int, float, float]:
    """Returns (number due, best sweep seconds, seconds of a sweep with nothing due)."""
    settings = load_settings(
        _env_file=None,
        slack_bot_token=fake.bot_token,
        slack_signing_secret="bench",
        slack_api_url=fake.url,
        database_url=f"sqlite+aiosqlite:///{folder / f'bench-{size}.db'}",
    )
    bot = build(settings, clock=FixedClock())
    engine = bot.engine
    await migrate(engine)
    due_ids = set(range(1, size + 1, 100))  # 1%
    for incident_id in due_ids:
        fake.add_channel(f"bench-{size}-{incident_id}", members=["U0ALICE", fake.bot_user_id])
    channels = {i: fake.channel_by_name(f"bench-{size}-{i}").id for i in due_ids}
    rows = [
        {
            "id": n,
            "team_id": "T0LEAK",
            "opener_id": "U0ALICE",
            "status": "open",
            "created_at": NOW - timedelta(hours=1),
            "channel_id": channels.get(n, f"C{size}X{n}"),
            "nudges_sent": 0,
            "nudge_due_at": NOW - timedelta(seconds=1) if n in due_ids else NOW + timedelta(days=1),
        }
        for n in range(1, size + 1)
    ]
    async with engine.begin() as connection:
        for start in range(0, size, 5000):
            await connection.execute(insert(IncidentRow), rows[start : start + 5000])
    await bot.start(sweeps=False)

    def posted() -> int:
        return len([c for c in fake.calls_to("chat.postMessage") if "未回答の必須項目" in (c.args.get("text") or "")])

    best = float("inf")
    for attempt in range(repeat):
        async with engine.begin() as connection:  # due again, at a time of its own (each nudge is keyed by it)
            await connection.execute(
                update(IncidentRow)
                .where(IncidentRow.id.in_(due_ids))
                .values(nudge_due_at=NOW - timedelta(seconds=1 + attempt), nudges_sent=0)
            )
        before = posted()
        started = time.perf_counter()
        sent = await bot.sweeper.sweep()
        await fake.wait_until(lambda before=before: posted() == before + len(due_ids), what="every nudge", timeout=600)
        best = min(best, time.perf_counter() - started)
        assert sent == len(due_ids), (sent, len(due_ids))
    refused = [c for c in fake.calls if not c.ok]
    assert not refused, refused[:3]  # every nudge really reached (fake) Slack
    started = time.perf_counter()
    assert await bot.sweeper.sweep() == 0
    idle = time.perf_counter() - started
    await bot.stop()
    return len(due_ids), best, idle


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = []
    async with FakeSlack() as fake:
        with tempfile.TemporaryDirectory() as folder:
            for size in args.sizes:
                results.append((size, *await measure(size, args.repeat, fake, Path(folder))))
    base_size, _base_due, base_time, base_idle = results[0]
    print(
        f"| open incidents | due | sweep (best of {args.repeat}) | per due nudge | ratio to {base_size:,} "
        f"| sweep with none due | ratio |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, due, best, idle in results:
        print(
            f"| {size:,} | {due:,} | {best * 1000:.1f} ms | {best / due * 1000:.2f} ms | {best / base_time:.2f}x "
            f"| {idle * 1000:.2f} ms | {idle / base_idle:.2f}x |"
        )


if __name__ == "__main__":
    asyncio.run(main())
