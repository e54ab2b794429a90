"""SQLite's writers queue in the process (storage.repository._OneWriter): one at a time, the writes an ack
waits for first, in arrival order, and a waiter that gives up does not stall the line.

A unit test of that queue: it waits only on the queue itself."""

from __future__ import annotations

import asyncio

from storage.repository import _OneWriter


async def test_one_at_a_time_urgent_first_then_in_arrival_order() -> None:
    writer, order, inside = _OneWriter(), [], []

    async def write(
        name: str, urgent: bool, entered: asyncio.Event | None = None, leave: asyncio.Event | None = None
    ) -> None:
        async with writer.turn(urgent=urgent):
            inside.append(name)
            assert len(inside) == 1, inside
            order.append(name)
            if entered is not None:
                entered.set()
            if leave is not None:
                await leave.wait()
            await asyncio.sleep(0)
            inside.remove(name)

    entered, leave = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(write("background-1", False, entered, leave))
    await entered.wait()  # it holds the turn; everyone else queues
    others = [
        asyncio.create_task(write(name, urgent))
        for name, urgent in [("background-2", False), ("ack-1", True), ("background-3", False), ("ack-2", True)]
    ]
    await asyncio.sleep(0)
    leave.set()
    await asyncio.gather(first, *others)
    assert order == ["background-1", "ack-1", "ack-2", "background-2", "background-3"]


async def test_a_cancelled_waiter_does_not_stall_the_line() -> None:
    writer = _OneWriter()
    entered, leave = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with writer.turn():
            entered.set()
            await leave.wait()

    async def write() -> str:
        async with writer.turn(urgent=True):
            return "written"

    holder = asyncio.create_task(hold())
    await entered.wait()
    gives_up, waits = asyncio.create_task(write()), asyncio.create_task(write())
    await asyncio.sleep(0)
    gives_up.cancel()
    leave.set()
    assert await asyncio.wait_for(waits, 1) == "written"
    await holder
    # the turn is free again
    assert await asyncio.wait_for(write(), 1) == "written"
