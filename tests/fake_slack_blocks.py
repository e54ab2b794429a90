"""Block Kit validation for the fake Slack server (tests/fake_slack.py).

Checks messages' blocks and modal views against the documented Block Kit limits and reports
problems the way Slack does: one "[ERROR] <what> [json-pointer:<where>]" string per problem.
Also fills in the block_id / action_id values Slack generates when an app leaves them out.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100

INPUT_ELEMENTS = {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "checkboxes",
    "radio_buttons",
    "static_select",
    "multi_static_select",
    "external_select",
    "multi_external_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "file_input",
}
_SELECT_PLACEHOLDER = {
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
    "external_select",
    "multi_external_select",
}


class Problems:
    """Collects Slack-style validation messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, pointer: str, message: str) -> None:
        self.messages.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def length(self, value: Any, pointer: str, max_len: int, *, min_len: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(pointer, "must be a string")
        elif len(value) > max_len:
            self.add(pointer, f"must be less than {max_len + 1} characters")
        elif len(value) < min_len:
            self.add(pointer, f"must be more than {min_len - 1} characters")

    def count(self, items: Any, pointer: str, max_items: int, *, min_items: int = 0) -> bool:
        if not isinstance(items, list):
            self.add(pointer, "must be an array")
            return False
        if len(items) > max_items:
            self.add(pointer, f"must be less than {max_items + 1} items")
        elif len(items) < min_items:
            self.add(pointer, f"must be more than {min_items - 1} items")
        return True

    def text(self, obj: Any, pointer: str, max_len: int, *, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                self.add(pointer.rsplit("/", 1)[0] or "/", f"missing required field: {pointer.rsplit('/', 1)[1]}")
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if not isinstance(obj, dict) or obj.get("type") not in allowed:
            self.add(pointer, "failed to match all allowed schemas")
            return
        if "text" not in obj:
            self.add(pointer, "missing required field: text")
            return
        self.length(obj["text"], f"{pointer}/text", max_len, min_len=1)


# ---------------------------------------------------------------------------------------- blocks


def check_blocks(p: Problems, blocks: Any, pointer: str, max_blocks: int) -> None:
    if not p.count(blocks, pointer, max_blocks):
        return
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        ptr = f"{pointer}/{i}"
        if not isinstance(block, dict) or "type" not in block:
            p.add(ptr, "missing required field: type")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            p.length(block_id, f"{ptr}/block_id", 255, min_len=1)
            if block_id in seen:
                p.add(f"{ptr}/block_id", "duplicate block_id")
            seen.add(block_id)
        checker = _BLOCK_CHECKS.get(block["type"])
        if checker is None:
            p.add(ptr, "failed to match all allowed schemas")
        else:
            checker(p, block, ptr)


def _check_section(p: Problems, block: dict, ptr: str) -> None:
    if "text" not in block and "fields" not in block:
        p.add(ptr, "must provide either text or fields")
    p.text(block.get("text"), f"{ptr}/text", 3000, required=False)
    if "fields" in block and p.count(block["fields"], f"{ptr}/fields", 10, min_items=1):
        for i, field in enumerate(block["fields"]):
            p.text(field, f"{ptr}/fields/{i}", 2000)
    if "accessory" in block:
        check_element(p, block["accessory"], f"{ptr}/accessory")


def _check_header(p: Problems, block: dict, ptr: str) -> None:
    p.text(block.get("text"), f"{ptr}/text", 150, plain_only=True)


def _check_context(p: Problems, block: dict, ptr: str) -> None:
    elements = block.get("elements")
    if elements is None:
        p.add(ptr, "missing required field: elements")
    elif p.count(elements, f"{ptr}/elements", 10, min_items=1):
        for i, element in enumerate(elements):
            eptr = f"{ptr}/elements/{i}"
            if isinstance(element, dict) and element.get("type") == "image":
                _check_image_element(p, element, eptr)
            else:
                p.text(element, eptr, 3000)


def _check_actions(p: Problems, block: dict, ptr: str) -> None:
    elements = block.get("elements")
    if elements is None:
        p.add(ptr, "missing required field: elements")
    elif p.count(elements, f"{ptr}/elements", 25, min_items=1):
        for i, element in enumerate(elements):
            check_element(p, element, f"{ptr}/elements/{i}")


def _check_input(p: Problems, block: dict, ptr: str) -> None:
    p.text(block.get("label"), f"{ptr}/label", 2000, plain_only=True)
    p.text(block.get("hint"), f"{ptr}/hint", 2000, plain_only=True, required=False)
    for flag in ("optional", "dispatch_action"):
        if flag in block and not isinstance(block[flag], bool):
            p.add(f"{ptr}/{flag}", "must be a boolean")
    element = block.get("element")
    if element is None:
        p.add(ptr, "missing required field: element")
    elif not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENTS:
        p.add(f"{ptr}/element", "failed to match all allowed schemas")
    else:
        check_element(p, element, f"{ptr}/element")


def _check_image_block(p: Problems, block: dict, ptr: str) -> None:
    _check_image_element(p, block, ptr)
    p.text(block.get("title"), f"{ptr}/title", 2000, plain_only=True, required=False)


def _check_image_element(p: Problems, element: dict, ptr: str) -> None:
    if "image_url" not in element and "slack_file" not in element:
        p.add(ptr, "missing required field: image_url")
    p.length(element.get("image_url"), f"{ptr}/image_url", 3000, min_len=1)
    if "alt_text" not in element:
        p.add(ptr, "missing required field: alt_text")
    p.length(element.get("alt_text"), f"{ptr}/alt_text", 2000)


def _check_rich_text(p: Problems, block: dict, ptr: str) -> None:
    if not isinstance(block.get("elements"), list):
        p.add(ptr, "missing required field: elements")


def _check_markdown(p: Problems, block: dict, ptr: str) -> None:
    p.length(block.get("text"), f"{ptr}/text", 12000, min_len=1)


_BLOCK_CHECKS = {
    "section": _check_section,
    "header": _check_header,
    "context": _check_context,
    "actions": _check_actions,
    "input": _check_input,
    "image": _check_image_block,
    "divider": lambda p, b, ptr: None,
    "rich_text": _check_rich_text,
    "markdown": _check_markdown,
}


# -------------------------------------------------------------------------------------- elements


def check_element(p: Problems, element: Any, ptr: str) -> None:
    if not isinstance(element, dict) or "type" not in element:
        p.add(ptr, "missing required field: type")
        return
    p.length(element.get("action_id"), f"{ptr}/action_id", 255, min_len=1)
    kind = element["type"]
    if kind in _SELECT_PLACEHOLDER or kind in (
        "static_select",
        "multi_static_select",
        "datepicker",
        "timepicker",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
    ):
        p.text(element.get("placeholder"), f"{ptr}/placeholder", 150, plain_only=True, required=False)
    if "confirm" in element:
        _check_confirm(p, element["confirm"], f"{ptr}/confirm")
    checker = _ELEMENT_CHECKS.get(kind)
    if checker is None and kind not in _SELECT_PLACEHOLDER and kind not in ("rich_text_input", "file_input"):
        p.add(ptr, "failed to match all allowed schemas")
    elif checker is not None:
        checker(p, element, ptr)


def _check_confirm(p: Problems, confirm: Any, ptr: str) -> None:
    if not isinstance(confirm, dict):
        p.add(ptr, "must be an object")
        return
    p.text(confirm.get("title"), f"{ptr}/title", 100, plain_only=True)
    p.text(confirm.get("text"), f"{ptr}/text", 300)
    p.text(confirm.get("confirm"), f"{ptr}/confirm", 30, plain_only=True)
    p.text(confirm.get("deny"), f"{ptr}/deny", 30, plain_only=True)


def _check_button(p: Problems, element: dict, ptr: str) -> None:
    p.text(element.get("text"), f"{ptr}/text", 75, plain_only=True)
    p.length(element.get("value"), f"{ptr}/value", 2000)
    p.length(element.get("url"), f"{ptr}/url", 3000)
    if "style" in element and element["style"] not in ("primary", "danger"):
        p.add(f"{ptr}/style", "must be a valid enum value")


def _check_options(p: Problems, options: Any, ptr: str, max_items: int, *, plain_only: bool) -> list[dict]:
    if not p.count(options, ptr, max_items, min_items=1):
        return []
    for i, option in enumerate(options):
        optr = f"{ptr}/{i}"
        if not isinstance(option, dict):
            p.add(optr, "must be an object")
            continue
        p.text(option.get("text"), f"{optr}/text", 75, plain_only=plain_only)
        if "value" not in option:
            p.add(optr, "missing required field: value")
        p.length(option.get("value"), f"{optr}/value", 150, min_len=1)
        p.text(option.get("description"), f"{optr}/description", 75, plain_only=plain_only, required=False)
    return [o for o in options if isinstance(o, dict)]


def same_option(a: Any, b: Any) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    text_a, text_b = a.get("text") or {}, b.get("text") or {}
    return a.get("value") == b.get("value") and text_a.get("text") == text_b.get("text")


def _check_initial_options(p: Problems, element: dict, ptr: str, options: list[dict]) -> None:
    if "initial_option" in element and not any(same_option(element["initial_option"], o) for o in options):
        p.add(f"{ptr}/initial_option", "must exactly match one of the provided options")
    if "initial_options" in element:
        initial = element["initial_options"]
        if not isinstance(initial, list):
            p.add(f"{ptr}/initial_options", "must be an array")
            return
        for i, chosen in enumerate(initial):
            if not any(same_option(chosen, o) for o in options):
                p.add(f"{ptr}/initial_options/{i}", "must exactly match one of the provided options")


def _check_static_select(p: Problems, element: dict, ptr: str) -> None:
    if "options" in element:
        options = _check_options(p, element["options"], f"{ptr}/options", 100, plain_only=True)
    elif "option_groups" in element and p.count(element["option_groups"], f"{ptr}/option_groups", 100):
        options = []
        for i, group in enumerate(element["option_groups"]):
            gptr = f"{ptr}/option_groups/{i}"
            p.text(group.get("label"), f"{gptr}/label", 75, plain_only=True)
            options += _check_options(p, group.get("options"), f"{gptr}/options", 100, plain_only=True)
    else:
        p.add(ptr, "must provide either options or option_groups")
        return
    _check_initial_options(p, element, ptr, options)
    if "max_selected_items" in element and not (
        isinstance(element["max_selected_items"], int) and element["max_selected_items"] >= 1
    ):
        p.add(f"{ptr}/max_selected_items", "must be a number greater than 0")


def _check_choice(p: Problems, element: dict, ptr: str) -> None:
    if "options" not in element:
        p.add(ptr, "missing required field: options")
        return
    options = _check_options(p, element["options"], f"{ptr}/options", 10, plain_only=False)
    _check_initial_options(p, element, ptr, options)


def _check_overflow(p: Problems, element: dict, ptr: str) -> None:
    _check_options(p, element.get("options"), f"{ptr}/options", 5, plain_only=True)


def _check_text_input(p: Problems, element: dict, ptr: str) -> None:
    lengths = {}
    for key, low in (("min_length", 0), ("max_length", 1)):
        if key in element:
            value = element[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 3000:
                p.add(f"{ptr}/{key}", "must be less than 3001" if isinstance(value, int) else "must be a number")
            else:
                lengths[key] = value
    if lengths.get("min_length", 0) > lengths.get("max_length", 3000):
        p.add(f"{ptr}/min_length", "must be less than or equal to max_length")
    initial = element.get("initial_value")
    p.length(initial, f"{ptr}/initial_value", lengths.get("max_length", 3000))
    if "multiline" in element and not isinstance(element["multiline"], bool):
        p.add(f"{ptr}/multiline", "must be a boolean")


def _check_number_input(p: Problems, element: dict, ptr: str) -> None:
    if not isinstance(element.get("is_decimal_allowed"), bool):
        p.add(ptr, "missing required field: is_decimal_allowed")
    for key in ("initial_value", "min_value", "max_value"):
        value = element.get(key)
        if value is not None and not re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
            p.add(f"{ptr}/{key}", "must be a number")


def _check_datepicker(p: Problems, element: dict, ptr: str) -> None:
    value = element.get("initial_date")
    if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        p.add(f"{ptr}/initial_date", "must match the format YYYY-MM-DD")


def _check_timepicker(p: Problems, element: dict, ptr: str) -> None:
    value = element.get("initial_time")
    if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(value)):
        p.add(f"{ptr}/initial_time", "must match the format HH:mm")


def _check_datetimepicker(p: Problems, element: dict, ptr: str) -> None:
    value = element.get("initial_date_time")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        p.add(f"{ptr}/initial_date_time", "must be an integer")


_ELEMENT_CHECKS = {
    "button": _check_button,
    "static_select": _check_static_select,
    "multi_static_select": _check_static_select,
    "checkboxes": _check_choice,
    "radio_buttons": _check_choice,
    "overflow": _check_overflow,
    "plain_text_input": _check_text_input,
    "email_text_input": _check_text_input,
    "url_text_input": _check_text_input,
    "number_input": _check_number_input,
    "datepicker": _check_datepicker,
    "timepicker": _check_timepicker,
    "datetimepicker": _check_datetimepicker,
    "image": _check_image_element,
}


# ----------------------------------------------------------------------------------- entry points


def validate_message_blocks(blocks: Any) -> list[str]:
    """Problems with a message's `blocks`, as chat.postMessage / chat.update report them."""
    p = Problems()
    check_blocks(p, blocks, "/blocks", MESSAGE_MAX_BLOCKS)
    return p.messages


def validate_view(view: Any) -> list[str]:
    """Problems with a modal view, as views.open / views.push / views.update report them."""
    p = Problems()
    if not isinstance(view, dict):
        p.add("/view", "must provide an object")
        return p.messages
    if "type" not in view:
        p.add("/view", "missing required field: type")
    elif view["type"] != "modal":
        p.add("/view/type", "must be a valid enum value")
    p.text(view.get("title"), "/view/title", 24, plain_only=True)
    p.text(view.get("submit"), "/view/submit", 24, plain_only=True, required=False)
    p.text(view.get("close"), "/view/close", 24, plain_only=True, required=False)
    p.length(view.get("callback_id"), "/view/callback_id", 255)
    p.length(view.get("private_metadata"), "/view/private_metadata", 3000)
    p.length(view.get("external_id"), "/view/external_id", 255)
    if "blocks" not in view:
        p.add("/view", "missing required field: blocks")
    else:
        check_blocks(p, view["blocks"], "/view/blocks", VIEW_MAX_BLOCKS)
        has_input = isinstance(view["blocks"], list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in view["blocks"]
        )
        if has_input and "submit" not in view:
            p.add("/view", "must provide a submit property when using input blocks")
    return p.messages


def validate_home_view(view: Any) -> list[str]:
    """Problems with an App Home view, as views.publish reports them (at most 100 blocks, no inputs needed)."""
    p = Problems()
    if not isinstance(view, dict):
        p.add("/view", "must provide an object")
        return p.messages
    if view.get("type") != "home":
        p.add("/view/type", "must be a valid enum value")
    p.length(view.get("callback_id"), "/view/callback_id", 255)
    p.length(view.get("private_metadata"), "/view/private_metadata", 3000)
    p.length(view.get("external_id"), "/view/external_id", 255)
    if "blocks" not in view:
        p.add("/view", "missing required field: blocks")
    else:
        check_blocks(p, view["blocks"], "/view/blocks", VIEW_MAX_BLOCKS)
    return p.messages


def _random_id(length: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def with_generated_ids(blocks: list) -> list:
    """A copy of valid `blocks` with the block_id and action_id values Slack fills in when missing."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        block.setdefault("block_id", _random_id(5))
        elements = list(block.get("elements") or []) if block["type"] == "actions" else []
        elements += [block[key] for key in ("accessory", "element") if isinstance(block.get(key), dict)]
        for element in elements:
            if isinstance(element, dict) and element.get("type") not in ("image", None):
                element.setdefault("action_id", _random_id(5))
    return blocks
