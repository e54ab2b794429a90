"""Events: who joins and leaves incident channels, so access checks need only the database."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.usecases import membership
from bot.usecases.base import Deps
from handlers import surface


def register(app: AsyncApp, deps: Deps) -> None:
    """Adds the membership event listeners to the app."""

    @app.event(surface.MEMBER_JOINED)
    async def joined(ack: Any, event: dict[str, Any]) -> None:
        await membership.joined(deps, event["channel"], event["user"])
        await ack()

    @app.event(surface.MEMBER_LEFT)
    async def left(ack: Any, event: dict[str, Any]) -> None:
        await membership.left(deps, event["channel"], event["user"])
        await ack()
