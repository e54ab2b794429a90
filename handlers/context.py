"""Middleware: which incident a request is about, read from the database once and put in `context`.

No cache: a change acknowledged by any replica is seen by the next request (one indexed query).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.ui.ids import ANSWER_ACTION, OWNER_ACTION, STEP_CALLBACK
from bot.ui.metadata import OwnerRef, StepRef
from storage.repository import Repository

log = logging.getLogger(__name__)
# Commands that do not belong to an incident channel need no lookup.
_NO_INCIDENT_COMMANDS = {"/leak-open", "/leak-list"}  # /leak-timeline needs its channel


def incident_resolver(repo: Repository) -> Callable[..., Awaitable[Any]]:
    """Returns a Bolt middleware that puts the incident (or None) and any StepRef/OwnerRef in the context."""

    async def resolve_incident(body: dict[str, Any], context: Any, next: Callable[[], Awaitable[Any]]) -> Any:
        ref = _step_ref(body)
        owner_ref = _owner_ref(body)
        context["step_ref"], context["owner_ref"] = ref, owner_ref
        context["incident"] = None
        if body.get("type") in ("view_submission", "event_callback"):
            pass  # checked inside the submission's own transaction / not about one incident
        elif ref is not None or owner_ref is not None:
            async with repo.read() as tx:
                incident = await tx.incident((ref or owner_ref).incident_id)  # type: ignore[union-attr]
            clicked_in = _channel_id(body)
            if incident is not None and clicked_in and clicked_in != incident.channel_id:
                # A button names an incident other than the channel it was clicked in: never act on it.
                log.warning(
                    "refused %s: names incident %s but came from channel %s", body.get("type"), incident.id, clicked_in
                )
                context["refused"] = True
                incident = None
            context["incident"] = incident
        elif (channel_id := _channel_id(body)) and body.get("command") not in _NO_INCIDENT_COMMANDS:
            async with repo.read() as tx:
                context["incident"] = await tx.incident_by_channel(channel_id)
        return await next()

    return resolve_incident


def _step_ref(body: dict[str, Any]) -> StepRef | None:
    view = body.get("view") or {}
    if body.get("type") == "view_submission" and view.get("callback_id") == STEP_CALLBACK:
        return StepRef.load(view.get("private_metadata"))
    for action in body.get("actions") or []:
        if action.get("action_id") == ANSWER_ACTION:
            return StepRef.load(action.get("value"))
    return None


def _owner_ref(body: dict[str, Any]) -> OwnerRef | None:
    for action in body.get("actions") or []:
        if action.get("action_id") == OWNER_ACTION:
            return OwnerRef.load(action.get("block_id"))
    return None


def _channel_id(body: dict[str, Any]) -> str | None:
    if "channel_id" in body:
        return body["channel_id"]
    channel = body.get("channel") or {}
    return channel.get("id")
