"""Events: who joins and leaves incident channels, so access checks need only the database.

They are applied in Slack's order (the time Slack gives each event), not in the order they arrive:
a retried `member_joined_channel` that comes after the `member_left_channel` that followed it changes nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.usecases import membership
from bot.usecases.base import Deps
from handlers import surface


def event_us(body: dict[str, Any]) -> int | None:
    """Slack's time of an event, in microseconds: the event's `event_ts`, else the envelope's `event_time`."""
    event = body.get("event") or {}
    for raw in (event.get("event_ts"), body.get("event_time")):
        try:
            return round(float(str(raw)) * 1_000_000)
        except (TypeError, ValueError):
            continue
    return None


def register(app: AsyncApp, deps: Deps) -> None:
    """Adds the membership event listeners to the app."""

    @app.event(surface.MEMBER_JOINED)
    async def joined(ack: Any, body: dict[str, Any], event: dict[str, Any]) -> None:
        await membership.joined(deps, event["channel"], event["user"], event_us=event_us(body))
        await ack()

    @app.event(surface.MEMBER_LEFT)
    async def left(ack: Any, body: dict[str, Any], event: dict[str, Any]) -> None:
        await membership.left(deps, event["channel"], event["user"], event_us=event_us(body))
        await ack()
