"""Reading a submitted modal: Block Kit's view.state.values flattened to {block_id: raw value}.

The domain (bot.answers.parse_step) parses plain values; only this module knows Block Kit's shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.ui.metadata import lang_of_modal


def element_value(entry: Mapping[str, Any]) -> Any:
    """The raw value of one block's state entry, whatever the element type."""
    kind = entry.get("type", "")
    if kind == "checkboxes" or kind.startswith("multi_"):
        if "selected_users" in entry:
            return list(entry.get("selected_users") or [])
        return [option["value"] for option in entry.get("selected_options") or []]
    if "selected_option" in entry:
        option = entry.get("selected_option")
        return option["value"] if option else None
    for key in ("selected_date_time", "selected_user", "selected_date", "selected_time", "value"):
        if key in entry:
            return entry[key]
    return None


def raw_values(state_values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Flattens view.state.values to {block_id: raw value} (one element per input block)."""
    return {
        block_id: element_value(next(iter(actions.values()))) if actions else None
        for block_id, actions in state_values.items()
    }


def modal_lang(view: Mapping[str, Any], fallback: str) -> str:
    """The language a submitted modal was built in (its metadata says), for its error messages; else
    `fallback` (the person's language as far as it is known, no Slack call)."""
    return lang_of_modal(view.get("private_metadata")) or fallback
