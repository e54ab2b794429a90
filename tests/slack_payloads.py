"""Builders for what Slack sends to an app: signed slash commands, view submissions, block actions."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
from datetime import date, datetime
from datetime import time as dtime
from typing import Any
from urllib.parse import urlencode

from tests.fake_slack_blocks import INPUT_ELEMENTS

APP_ID = "A0LEAKAPP"
TEAM_DOMAIN = "leak-test"
VERIFICATION_TOKEN = "fake-verification-token"

# The inputs whose state these builders fill: every one Slack has but the external selects and the file
# input (leakbot uses none of them).
_STATEFUL = INPUT_ELEMENTS - {"external_select", "multi_external_select", "file_input"}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-Signature / X-Slack-Request-Timestamp headers Slack would send with `body`."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = f"v0:{ts}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": str(ts)}


def form_body(fields: dict) -> bytes:
    return urlencode(fields).encode()


def interactive_body(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()


def fake_trigger_id() -> str:
    """A well-formed trigger_id that no FakeSlack issued (views.open answers invalid_trigger_id)."""
    return f"{int(time.time())}.738474920.{secrets.token_hex(16)}"


def slash_command(
    command: str,
    text: str = "",
    *,
    user_id: str,
    channel_id: str,
    trigger_id: str,
    response_url: str,
    team_id: str = "T0LEAK",
    channel_name: str = "general",
    user_name: str | None = None,
) -> dict:
    """The form fields Slack POSTs for a slash command."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _user(user_id: str, team_id: str) -> dict:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _envelope(kind: str, *, user_id: str, trigger_id: str | None, team_id: str) -> dict:
    return {
        "type": kind,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or fake_trigger_id(),
        "is_enterprise_install": False,
        "enterprise": None,
    }


# ------------------------------------------------------------------------------- view state


def _options_of(element: dict) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _pick(element: dict, value: Any, where: str) -> dict:
    for option in _options_of(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    known = [o.get("value") for o in _options_of(element)]
    raise ValueError(f"{where}: {value!r} is not one of the options {known}")


def _as_list(value: Any, where: str) -> list:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{where}: expected a list of values, got {value!r}")


def _typed_value(element: dict, value: Any, where: str) -> dict:
    """The state entry for `element` when the user entered `value`."""
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return {"value": None if value in (None, "") else str(value)}
    if kind in ("checkboxes", "multi_static_select"):
        return {"selected_options": [_pick(element, v, where) for v in _as_list(value, where)]}
    if kind in ("radio_buttons", "static_select"):
        return {"selected_option": None if value is None else _pick(element, value, where)}
    if kind == "datetimepicker":
        return {"selected_date_time": int(value.timestamp()) if isinstance(value, datetime) else value}
    if kind == "datepicker":
        return {"selected_date": value.isoformat() if isinstance(value, date) else value}
    if kind == "timepicker":
        entry = {"selected_time": value.strftime("%H:%M") if isinstance(value, dtime) else value}
        return entry | ({"timezone": element["timezone"]} if "timezone" in element else {})
    if kind == "rich_text_input":
        return {"rich_text_value": _rich_text(value)}
    single = {"users_select": "user", "conversations_select": "conversation", "channels_select": "channel"}
    if kind in single:
        return {f"selected_{single[kind]}": value}
    multi = {
        "multi_users_select": "users",
        "multi_conversations_select": "conversations",
        "multi_channels_select": "channels",
    }
    if kind in multi:
        return {f"selected_{multi[kind]}": _as_list(value if value is not None else [], where)}
    raise TypeError(f"{where}: view_submission() does not know element type {kind!r}")


def _rich_text(value: Any) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": str(value)}]}
    return {"type": "rich_text", "elements": [section]}


def _initial_value(element: dict) -> Any:
    """What Slack reports for an element the user did not touch: its initial value, else empty."""
    kind = element["type"]
    if kind in ("checkboxes", "multi_static_select"):
        return [o.get("value") for o in element.get("initial_options") or []]
    if kind in ("radio_buttons", "static_select"):
        return (element.get("initial_option") or {}).get("value")
    keys = {
        "datetimepicker": "initial_date_time",
        "datepicker": "initial_date",
        "timepicker": "initial_time",
        "users_select": "initial_user",
        "multi_users_select": "initial_users",
        "conversations_select": "initial_conversation",
        "multi_conversations_select": "initial_conversations",
        "channels_select": "initial_channel",
        "multi_channels_select": "initial_channels",
    }
    return element.get(keys.get(kind, "initial_value"))


def _stateful_elements(view: dict) -> dict[str, list[dict]]:
    """block_id -> the stateful elements of that block, in the order Slack reports them."""
    found: dict[str, list[dict]] = {}
    for block in view.get("blocks") or []:
        candidates = [
            block.get("element"),
            block.get("accessory"),
            *list(block.get("elements") or [] if block.get("type") == "actions" else []),
        ]
        elements = [e for e in candidates if isinstance(e, dict) and e.get("type") in _STATEFUL]
        if elements and "block_id" in block:
            found[block["block_id"]] = elements
    return found


def view_state(view: dict, values: dict[str, object]) -> dict:
    """The view.state Slack sends with a submission; `values` maps block_id -> what the user entered.

    For an actions block holding several inputs, pass {action_id: value} for that block_id."""
    blocks = _stateful_elements(view)
    unknown = sorted(set(values) - set(blocks))
    if unknown:
        raise ValueError(f"values name block_id(s) {unknown} that are not inputs of the view; it has {sorted(blocks)}")
    state: dict[str, dict] = {}
    for block_id, elements in blocks.items():
        entries = state.setdefault(block_id, {})
        for element in elements:
            given = values.get(block_id, _MISSING)
            if len(elements) > 1 and isinstance(given, dict):
                given = given.get(element.get("action_id"), _MISSING)
            value = _initial_value(element) if given is _MISSING else given
            where = f"block {block_id!r} / action {element.get('action_id')!r}"
            entries[element["action_id"]] = {"type": element["type"], **_typed_value(element, value, where)}
    return {"values": state}


_MISSING = object()


def view_submission(
    view: dict, values: dict[str, object], *, user_id: str, trigger_id: str | None = None, team_id: str = "T0LEAK"
) -> dict:
    """A view_submission payload for `view` (as views.open returned it) with the user's `values`."""
    payload = _envelope("view_submission", user_id=user_id, trigger_id=trigger_id, team_id=team_id)
    submitted = copy.deepcopy(view)
    submitted["state"] = view_state(view, values)
    payload.update({"view": submitted, "response_urls": []})
    return payload


def view_closed(view: dict, *, user_id: str, team_id: str = "T0LEAK") -> dict:
    """A view_closed payload (sent only when the view had notify_on_close)."""
    payload = _envelope("view_closed", user_id=user_id, trigger_id=None, team_id=team_id)
    payload.pop("trigger_id")
    payload.update({"view": copy.deepcopy(view), "is_cleared": False})
    return payload


# ----------------------------------------------------------------------------- block actions


def _find_element(blocks: list, action_id: str) -> tuple[str | None, dict | None]:
    for block in blocks or []:
        candidates = [*list(block.get("elements") or []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None


def _action(action_id: str, block_id: str | None, element: dict | None, value: Any, selected_user: str | None) -> dict:
    action = {"action_id": action_id, "block_id": block_id or secrets.token_hex(3), "action_ts": f"{time.time():.6f}"}
    if selected_user is not None:
        return action | {"type": "users_select", "selected_user": selected_user}
    element = element or {}
    action["type"] = element.get("type", "button")
    if action["type"] in ("static_select", "radio_buttons", "overflow") and value is not None:
        return action | {"selected_option": _pick(element, value, f"action {action_id!r}")}
    if "text" in element:
        action["text"] = copy.deepcopy(element["text"])
    if value is not None or "value" in element:
        action["value"] = value if value is not None else element["value"]
    return action


def block_actions(
    *,
    action_id: str,
    value: Any = None,
    block_id: str | None = None,
    user_id: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
    trigger_id: str,
    response_url: str | None = None,
    view: dict | None = None,
    selected_user: str | None = None,
    team_id: str = "T0LEAK",
    message: dict | None = None,
) -> dict:
    """A block_actions payload: from a view when `view` is given, else from a message.

    block_id and the element's type/text/value are looked up in the view's or message's blocks
    when they hold `action_id`; `message` may be the stored message (e.g. from FakeSlack.messages)."""
    source_blocks = (view or message or {}).get("blocks") or []
    found_block_id, element = _find_element(source_blocks, action_id)
    payload = _envelope("block_actions", user_id=user_id, trigger_id=trigger_id, team_id=team_id)
    payload["actions"] = [_action(action_id, block_id or found_block_id, element, value, selected_user)]
    if view is not None:
        payload.update({"container": {"type": "view", "view_id": view.get("id")}, "view": copy.deepcopy(view)})
        return payload
    ts = message_ts or (message or {}).get("ts")
    shown = {k: v for k, v in (message or {"type": "message", "ts": ts, "text": ""}).items() if k != "edits"}
    payload.update(
        {
            "container": {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": False},
            "channel": {"id": channel_id, "name": "channel"},
            "message": copy.deepcopy(shown),
            "response_url": response_url,
            "state": {"values": {}},
        }
    )
    return payload


# ----------------------------------------------------------------------------- events


def event_callback(
    event: dict, *, team_id: str = "T0LEAK", api_app_id: str = "A0LEAKAPP", event_time: float | None = None
) -> bytes:
    """The JSON body of an Events API delivery (as Slack POSTs it to the request URL); `event_time` is
    when Slack says the event happened (now unless given: a retry carries the time of the first try)."""
    at = time.time() if event_time is None else event_time
    return json.dumps(
        {
            "token": "unused",
            "team_id": team_id,
            "api_app_id": api_app_id,
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(at),
            "authorizations": [{"team_id": team_id, "user_id": "U0LEAKBOT", "is_bot": True}],
            "event": {"event_ts": f"{at:.6f}", **event},
        }
    ).encode()


def member_event(
    kind: str, *, user_id: str, channel_id: str, team_id: str = "T0LEAK", event_time: float | None = None
) -> bytes:
    """member_joined_channel or member_left_channel, for a private channel."""
    return event_callback(
        {"type": kind, "user": user_id, "channel": channel_id, "channel_type": "G", "team": team_id},
        team_id=team_id,
        event_time=event_time,
    )


# ----------------------------------------------------------------------------- shortcuts


def global_shortcut(callback_id: str, *, user_id: str, trigger_id: str, team_id: str = "T0LEAK") -> dict:
    """A `shortcut` payload: a global shortcut chosen from the shortcuts menu (no channel, no response_url)."""
    payload = _envelope("shortcut", user_id=user_id, trigger_id=trigger_id, team_id=team_id)
    payload.update({"callback_id": callback_id, "action_ts": f"{time.time():.6f}"})
    return payload


def message_shortcut(
    callback_id: str,
    *,
    user_id: str,
    channel_id: str,
    message: dict,
    trigger_id: str,
    response_url: str,
    team_id: str = "T0LEAK",
) -> dict:
    """A `message_action` payload: a message shortcut used on `message` (as FakeSlack stores it)."""
    payload = _envelope("message_action", user_id=user_id, trigger_id=trigger_id, team_id=team_id)
    shown = {k: v for k, v in message.items() if k != "edits"}
    payload.update(
        {
            "callback_id": callback_id,
            "action_ts": f"{time.time():.6f}",
            "message_ts": message["ts"],
            "channel": {"id": channel_id, "name": "channel"},
            "message": copy.deepcopy(shown),
            "response_url": response_url,
        }
    )
    return payload
