"""handlers/surface.py is the one declaration of what the code listens to and calls: it must stay true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.async_app import AsyncApp

from bot.app import build
from handlers import surface
from tests.conftest import settings_for
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
# A Web API method in the code: client.chat_postMessage(...) or {"method": "chat_postMessage", ...}.
METHOD = re.compile(
    r"(?<=[.\"'])(auth|chat|conversations(?:_canvases)?|pins|users|views|files|apps|reactions|bookmarks|"
    r"canvases|usergroups|reminders|dnd|emoji|search|stars|bots)_([a-zA-Z]+)(_v2)?\b"
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[Any]]:
    """What handlers.register() hands to Bolt, by listener kind, recorded while the bot is built."""
    seen: dict[str, list[Any]] = {"command": [], "shortcut": [], "event": []}
    for kind in seen:
        original = getattr(AsyncApp, kind)

        def spy(
            self: AsyncApp, name: Any, *args: Any, _kind: str = kind, _original: Any = original, **kwargs: Any
        ) -> Any:
            seen[_kind].append(name)
            return _original(self, name, *args, **kwargs)

        monkeypatch.setattr(AsyncApp, kind, spy)
    fake = FakeSlack()  # never started: building the bot calls nothing
    fake.url = "http://127.0.0.1:9/api/"
    build(settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'surface.db'}"))
    return seen


def test_the_listeners_register_exactly_the_declared_commands(registered: dict[str, list[Any]]) -> None:
    assert sorted(registered["command"]) == sorted(surface.COMMANDS)
    assert len(set(surface.COMMANDS)) == len(surface.COMMANDS)


def test_the_listeners_register_exactly_the_declared_shortcuts_and_events(registered: dict[str, list[Any]]) -> None:
    assert sorted(registered["shortcut"]) == sorted(surface.SHORTCUTS)
    assert sorted(registered["event"]) == sorted(surface.EVENTS)


def methods_in_code() -> set[str]:
    found = set()
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in METHOD.finditer(path.read_text(encoding="utf-8")):
                if match[2] == "select":  # Block Kit's users_select, conversations_select: elements, not methods
                    continue
                found.add(f"{match[1].replace('_', '.')}.{match[2]}{match[3] or ''}")
    return found


def test_every_web_api_method_the_code_calls_has_its_scopes_declared() -> None:
    called = methods_in_code()
    # files_upload_v2 is files.getUploadURLExternal and files.completeUploadExternal
    if "files.upload_v2" in called:
        called = (called - {"files.upload_v2"}) | {"files.getUploadURLExternal", "files.completeUploadExternal"}
    # the scan finds what is there
    assert {"chat.postMessage", "pins.add", "auth.test", "conversations.canvases.create", "canvases.edit"} <= called
    assert called - set(surface.METHOD_SCOPES) == set()
    # and the other way round: no method is declared (with the scope it would ask for) that no code calls
    assert set(surface.METHOD_SCOPES) - called == set()


def test_the_needed_scopes_follow_from_the_methods() -> None:
    assert set(surface.SCOPES) == {
        "commands",
        "chat:write",
        "groups:write",
        "groups:read",
        "pins:write",
        "files:write",
        "files:read",
        "canvases:write",
        "bookmarks:write",
        "bookmarks:read",
        "users:read",
        "groups:history",  # a post whose outcome is unknown is looked for before it is sent again
        "im:history",
        "im:write",
    }
    assert surface.why_scope("users:read") == "users.info"
    assert surface.why_scope("pins:write") == "pins.add"
    assert "slash commands" in surface.why_scope("commands")


def test_the_manifest_grants_every_needed_scope_and_no_other() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    # every scope the manifest asks for is needed by a method the code calls (or its commands), and vice versa
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(surface.SCOPES)
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == set(surface.COMMANDS)
