"""Middleware: the door every request goes through before any listener runs.

It reads who asks and which incident the request is about (the channel it came from, or the reference
in a button's value, a picker's block_id or a modal's metadata), and asks the one access policy
(bot.usecases.access.admit). Admitted: the incident goes in `context["incident"]` for the listeners.
Refused: no listener runs, nothing is stored, and the person is told here, in one place, in the way the
surface allows: an ephemeral reply to a command, an error in a modal, a private reply through the
response_url (or a notice modal where there is none) for a button or a shortcut.

No cache: a change acknowledged by any replica is seen by the next request (indexed queries).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import logs
from bot.access import Identity
from bot.i18n import t
from bot.slack.locales import Locales
from bot.ui.ids import ANSWER_ACTION, OWNER_ACTION, STEP_CALLBACK
from bot.ui.metadata import IncidentRef, OwnerRef, R, StepRef
from bot.ui.modals import notice_modal
from bot.usecases import access
from bot.usecases.base import Deps
from handlers.after_ack import user_of
from handlers.responding import ResponseSession

log = logging.getLogger(__name__)
# Commands that do not belong to an incident channel need no lookup.
_NO_INCIDENT_COMMANDS = {"/leak-open", "/leak-list"}  # /leak-timeline needs its channel
_told: set[asyncio.Task[None]] = set()  # refusals being said after the ack (kept until done)


def incident_resolver(
    deps: Deps, identity: Identity, locales: Locales, responses: ResponseSession | None = None
) -> Callable[..., Awaitable[Any]]:
    """Returns the Bolt middleware that admits a request (the incident, or None, in the context) or refuses it
    (a refusal told after the ack goes over `responses`' one HTTP session)."""

    async def resolve_incident(
        body: dict[str, Any], context: Any, client: Any, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        ref = _step_ref(body)
        context["step_ref"], context["owner_ref"] = ref, _owner_ref(body)
        context["incident"] = None
        request = request_of(body)
        # Every later line of this request (its listeners, lazy listeners and error handler, or its refusal)
        # names the incident it is about; Leakbot.dispatch's log scope ends with the request.
        try:
            incident = await access.admit(deps, request, installation_team=identity.team_id)
        except access.Denied as denied:
            logs.bind(incident=denied.incident.id if denied.incident else None)
            log.warning(
                "refused %s from %s (team %s): %s, incident %s",
                body.get("type") or body.get("command"),
                request.user_id,
                ",".join(sorted(request.team_ids)),
                denied.key,
                denied.incident.id if denied.incident else request.incident_id,
            )
            return refusal(body, denied, locales, client, responses)
        logs.bind(incident=incident.id if incident is not None else None)
        context["incident"] = incident
        return await next()

    return resolve_incident


def request_of(body: dict[str, Any]) -> access.Request:
    """Who asks, about which incident, from where: read from any payload shape Slack sends."""
    kind = body.get("type")
    user = body.get("user")
    teams = {
        body.get("team_id"),
        _get(body.get("team"), "id"),
        _get(user, "team_id"),
        _get(body.get("view"), "team_id"),
    }
    if kind == "event_callback":  # events concern no one incident: only their team is checked
        return access.Request(user_id=None, team_ids=_ids(teams), channel_bound=False)
    return access.Request(
        user_id=user_of(body) if isinstance(user, dict | str | None) else None,
        team_ids=_ids(teams),
        incident_id=_named_incident(body),
        channel_id=_channel_id(body),
        channel_bound=body.get("command") not in _NO_INCIDENT_COMMANDS,
    )


def refusal(
    body: dict[str, Any], denied: access.Denied, locales: Locales, client: Any, responses: ResponseSession | None = None
) -> BoltResponse:
    """The one place a refusal is said: in the ack where the surface can show it, else right after it."""
    user = user_of(body) if isinstance(body.get("user"), dict | str | None) else None
    words = [denied.key]
    if denied.key == "access.not_member" and body.get("type") != "view_submission":
        words.append("access.not_member_retry")  # the records may be behind Slack: a refresh is on its way
    if "command" in body:
        return _json({"response_type": "ephemeral", "text": _say(words, locales.known(user))})
    if body.get("type") == "view_submission":
        state = _get(_get(body.get("view"), "state"), "values") or {}
        words.append("refused.not_saved")
        if denied.key == "access.not_member":
            words.append("access.not_member_recheck")
        message = _say(words, locales.known(user))
        if state:  # under the last input, next to the Submit button (Slack shows errors only under inputs)
            return _json({"response_action": "errors", "errors": {list(state)[-1]: message}})
        title = t("home.refused_title", locales.known(user))
        return _json({"response_action": "update", "view": notice_modal(title, message)})
    if body.get("type") in ("event_callback", None):  # an event, or nothing Slack sends: no one to tell
        return BoltResponse(status=400, body=json.dumps({"ok": False, "error": denied.key}))
    response_url = body.get("response_url")
    trigger_id = body.get("trigger_id")
    if body.get("type") == "shortcut":
        response_url = None  # a global shortcut has no response_url: a modal tells it
    if isinstance(response_url, str) or isinstance(trigger_id, str):
        told = _tell_after_ack(words, user, response_url, trigger_id, locales, client, responses)
        task = asyncio.ensure_future(told)
        _told.add(task)
        task.add_done_callback(_told.discard)
    return BoltResponse(status=200, body="")


async def _tell_after_ack(
    words: list[str],
    user: str | None,
    response_url: Any,
    trigger_id: Any,
    locales: Locales,
    client: Any,
    responses: ResponseSession | None,
) -> None:
    """Tells a refused click or message shortcut privately (its response_url); a global shortcut or a Home
    tab click (no response_url) in a notice modal."""
    await asyncio.sleep(0)  # the ack is on its way first, as a Bolt lazy listener's would be
    try:
        lang = await locales.lang_of(user)
        text = _say(words, lang)
        if isinstance(response_url, str):
            webhook = responses.webhook(response_url) if responses else AsyncWebhookClient(response_url)
            await webhook.send(text=text, response_type="ephemeral", replace_original=False)
        else:
            await client.views_open(trigger_id=trigger_id, view=notice_modal(t("home.refused_title", lang), text))
    except Exception as error:  # noqa: BLE001 - the refusal stands; only telling it failed
        log.warning("could not tell a refusal: %s", type(error).__name__)


def _say(keys: list[str], lang: str) -> str:
    return " ".join(t(key, lang) for key in keys)


def _json(body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(body, ensure_ascii=False), headers={"content-type": ["application/json"]}
    )


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _ids(values: set[Any]) -> frozenset[str]:
    return frozenset(v for v in values if isinstance(v, str) and v)


def _named_incident(body: dict[str, Any]) -> int | None:
    """The incident a reference the bot made names: a button's value or block_id, else the modal's metadata."""
    actions = body.get("actions")
    for action in actions if isinstance(actions, list) else []:
        for raw in (_get(action, "value"), _get(action, "block_id")):
            ref = IncidentRef.load(raw) if isinstance(raw, str) else None
            if ref is not None:
                return ref.incident_id
    metadata = _get(body.get("view"), "private_metadata")
    ref = IncidentRef.load(metadata) if isinstance(metadata, str) else None
    return ref.incident_id if ref is not None else None


def _step_ref(body: dict[str, Any]) -> StepRef | None:
    if body.get("type") == "view_submission" and _get(body.get("view"), "callback_id") == STEP_CALLBACK:
        metadata = _get(body.get("view"), "private_metadata")
        return StepRef.load(metadata if isinstance(metadata, str) else None)
    return _action_ref(body, ANSWER_ACTION, "value", StepRef)


def _owner_ref(body: dict[str, Any]) -> OwnerRef | None:
    return _action_ref(body, OWNER_ACTION, "block_id", OwnerRef)


def _action_ref(body: dict[str, Any], action_id: str, field: str, kind: type[R]) -> R | None:
    """The reference an action with this id carries in `field` (its value or block_id), if any."""
    actions = body.get("actions")
    for action in actions if isinstance(actions, list) else []:
        raw = _get(action, field)
        if _get(action, "action_id") == action_id:
            return kind.load(raw if isinstance(raw, str) else None)
    return None


def _channel_id(body: dict[str, Any]) -> str | None:
    if isinstance(body.get("channel_id"), str):
        return body["channel_id"]
    channel = _get(body.get("channel"), "id")
    return channel if isinstance(channel, str) else None
