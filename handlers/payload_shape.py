"""The shape of what Slack sends, checked once before Bolt or any listener reads it.

A signed request or a Socket Mode envelope whose payload is not a JSON object, or whose known fields have
the wrong type (`user` a string, `view` a list, `actions` not a list, ...), is refused here: HTTP answers
400, Socket Mode acks and drops it. Listeners can then index what Slack documents without guarding.

    problem = shape_problem(body)   # None, or what is wrong in a few words (no values: they may hold answers)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# Slack's interactivity payloads: a `user` object is always there.
INTERACTIVE = {
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
    "dialog_submission",
}
TEXT = (str,)
OBJECT = (dict,)
LIST = (list,)
NUMBER = (int, float)
# Top-level fields the bot or Bolt reads, and the types Slack gives them (null allowed where absent is).
TOP: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "type",
            "token",
            "command",
            "text",
            "user_id",
            "user_name",
            "team_id",
            "team_domain",
            "channel_id",
            "channel_name",
            "enterprise_id",
            "api_app_id",
            "trigger_id",
            "response_url",
            "callback_id",
            "challenge",
            "event_id",
            "action_ts",
            "message_ts",
        ),
        TEXT,
    ),
    **dict.fromkeys(("user", "channel", "view", "container", "message", "event", "state"), OBJECT),
    "team": (dict, str),
    "enterprise": (dict, str),
    "actions": LIST,
    "authorizations": LIST,
    "response_urls": LIST,
    "event_time": NUMBER,
}
# Fields inside those objects.
INNER: dict[str, dict[str, tuple[type, ...]]] = {
    "user": {"id": TEXT, "team_id": TEXT, "name": TEXT, "username": TEXT},
    "team": {"id": TEXT, "domain": TEXT, "enterprise_id": TEXT},
    "channel": {"id": TEXT, "name": TEXT},
    "view": {
        "id": TEXT,
        "type": TEXT,
        "callback_id": TEXT,
        "private_metadata": TEXT,
        "hash": TEXT,
        "team_id": TEXT,
        "app_installed_team_id": TEXT,
        "root_view_id": TEXT,
        "previous_view_id": TEXT,
        "external_id": TEXT,
        "state": OBJECT,
        "blocks": LIST,
    },
    "container": {"type": TEXT, "message_ts": TEXT, "channel_id": TEXT, "view_id": TEXT},
    "message": {"ts": TEXT, "text": TEXT, "user": TEXT, "thread_ts": TEXT, "blocks": LIST, "metadata": OBJECT},
    "event": {
        "type": TEXT,
        "subtype": TEXT,
        "ts": TEXT,
        "event_ts": TEXT,
        "text": TEXT,
        "user": (str, dict),  # an id; an object in user_change and team_join
        "channel": (str, dict),  # an id; an object in channel_created and the like
        "item": OBJECT,
        "team": TEXT,
        "inviter": TEXT,
        "channel_type": TEXT,
    },
}
# The events the bot subscribes to (manifest.yml), and what each one's listener reads.
EVENTS: dict[str, dict[str, tuple[type, ...]]] = {
    "member_joined_channel": {"user": TEXT, "channel": TEXT},
    "member_left_channel": {"user": TEXT, "channel": TEXT},
    "app_home_opened": {"user": TEXT, "tab": TEXT},
}
ACTION: dict[str, tuple[type, ...]] = {
    "action_id": TEXT,
    "block_id": TEXT,
    "type": TEXT,
    "value": TEXT,
    "action_ts": TEXT,
    "selected_option": OBJECT,
    "selected_options": LIST,
    "selected_users": LIST,
    "selected_user": TEXT,
    "selected_channel": TEXT,
    "selected_conversation": TEXT,
}


def shape_problem(body: Any) -> str | None:
    """What is wrong with the shape of a parsed Slack payload, or None when it has the shape Slack gives."""
    if not isinstance(body, dict):
        return f"the payload is {_kind(body)}, not an object"
    problem = _fields(body, TOP, "")
    if problem:
        return problem
    for name, fields in INNER.items():
        value = body.get(name)
        if isinstance(value, dict) and (problem := _fields(value, fields, f"{name}.")):
            return problem
    return _required(body) or _actions(body.get("actions")) or _state(body.get("view")) or _state(body)


def _required(body: dict[str, Any]) -> str | None:
    """What Slack always sends with a payload of this type."""
    kind = body.get("type")
    wanted: list[tuple[str, ...]] = []
    if kind in INTERACTIVE:
        wanted.append(("user", "id"))
    if kind == "event_callback":
        wanted.append(("event", "type"))
    if kind == "url_verification":
        wanted.append(("challenge",))  # else Bolt answers {"challenge": null}
    if kind == "block_actions":
        wanted.append(("actions",))
        container = body.get("container")
        if isinstance(container, dict) and container.get("type") == "message":
            wanted.append(("response_url",))  # a message's button always has one: the listeners answer through it
    if kind in ("view_submission", "view_closed"):
        wanted += [("view", "id"), ("view", "type"), ("view", "callback_id")]  # Bolt reads view.type
    if "command" in body:  # a slash command: Slack always sends who, where, and where to answer
        wanted += [("user_id",), ("team_id",), ("channel_id",), ("response_url",), ("trigger_id",)]
    if kind == "view_submission":
        wanted.append(("view", "state", "values"))
    if kind in ("shortcut", "message_action"):
        wanted.append(("callback_id",))
    event = body.get("event")
    if kind == "event_callback" and isinstance(event, dict) and event.get("type") in EVENTS:
        fields = EVENTS[event["type"]]
        wanted += [("event", key) for key in fields if key != "tab"]
        if problem := _fields(event, fields, "event."):
            return problem
    if kind == "block_actions" and body.get("actions") == []:  # Bolt reads actions[0]
        return "`actions` is empty"
    for path in wanted:
        node: Any = body
        for n, key in enumerate(path):
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                return f"`{'.'.join(path[: n + 1])}` is missing"
    return None


# Text a person typed: the screen (bot.text) refuses what no database stores there, and tells them why.
TYPED = {"text", "message.text", "event.text"}
# Slack's timestamps: seconds since the epoch, with microseconds.
TIMES = {"action_ts", "message_ts", "ts", "thread_ts", "event_ts"}
_TIME = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")


def _odd_text(path: str, key: str, value: str) -> str | None:
    """What is wrong with a string that is no typed text (an id, a time, a reference): a byte no database
    stores (a control character, a lone surrogate), or a time that is not one."""
    if path in TYPED:
        return None
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        return f"`{path}` holds a control character or a lone surrogate"
    if key in TIMES and not _TIME.fullmatch(value):
        return f"`{path}` is not a Slack timestamp"
    return None


def _fields(obj: Mapping[str, Any], fields: Mapping[str, tuple[type, ...]], where: str) -> str | None:
    for key, types in fields.items():
        value = obj.get(key)
        if value is None and key in obj and types is LIST:  # Bolt takes len() of those it finds
            return f"`{where}{key}` is null, not a list"
        if (
            isinstance(value, list)
            and key in ("authorizations", "response_urls")
            and not all(isinstance(item, dict) for item in value)
        ):
            return f"`{where}{key}` holds something that is not an object"
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            return f"`{where}{key}` is {_kind(value)}, not {_wanted(types)}"
        if isinstance(value, str) and (problem := _odd_text(f"{where}{key}", key, value)):
            return problem
    return None


def _actions(actions: Any) -> str | None:
    for n, action in enumerate(actions or ()):
        if not isinstance(action, dict):
            return f"`actions[{n}]` is {_kind(action)}, not an object"
        if problem := _fields(action, ACTION, f"actions[{n}]."):
            return problem
    return None


def _state(holder: Any) -> str | None:
    """`view.state.values` (or a block_actions' top-level `state.values`): block id -> action id -> element."""
    state = holder.get("state") if isinstance(holder, dict) else None
    if state is None:
        return None
    if not isinstance(state, dict):
        return f"`state` is {_kind(state)}, not an object"
    values = state.get("values")
    if values is None:
        return None
    if not isinstance(values, dict):
        return f"`state.values` is {_kind(values)}, not an object"
    for block in values.values():
        if not isinstance(block, dict) or not all(isinstance(element, dict) for element in block.values()):
            return "`state.values` holds something that is not an object of objects"
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _wanted(types: tuple[type, ...]) -> str:
    return " or ".join(_kind(t()) for t in types)
