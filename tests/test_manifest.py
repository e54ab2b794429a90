"""The Slack app manifest validates against Slack's schema and matches the contract's commands."""

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from handlers.surface import COMMANDS, EVENTS, SCOPES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SCHEMA_PATH = SHARED / "slack" / "manifest.schema.1.0.0.json"
CONTRACT_PATH = SHARED / "CONTRACT.md"
MANIFEST_PATH = REPO / "manifest.yml"
HTTP_MANIFEST_PATH = REPO / "manifest.http.yml"

REQUIRED_BOT_SCOPES = set(SCOPES)  # what the code calls needs (handlers/surface.py)
EVENTS_URL = "https://YOUR-HOST/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def http_manifest() -> dict:
    return yaml.safe_load(HTTP_MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"Slack manifest schema not found at {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def contract_commands() -> set[str]:
    if not CONTRACT_PATH.is_file():
        pytest.skip(f"contract not found at {CONTRACT_PATH}")
    commands = set()
    for line in CONTRACT_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `/leak-"):
            cell = line.split("`")[1]  # e.g. "/leak-open [title]"
            commands.add(cell.split()[0])
    return commands


def schema_errors(validator: Draft7Validator, doc: dict) -> list[str]:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    return ["/".join(map(str, e.path)) + ": " + e.message for e in errors]


def http_mode_variant(manifest: dict) -> dict:
    """manifest.yml made into the HTTP-mode app: every request URL set, Socket Mode off."""
    doc = copy.deepcopy(manifest)
    doc["settings"]["socket_mode_enabled"] = False
    for command in doc["features"]["slash_commands"]:
        command["url"] = EVENTS_URL
    doc["settings"]["interactivity"]["request_url"] = EVENTS_URL
    doc["settings"]["event_subscriptions"]["request_url"] = EVENTS_URL
    return doc


def test_manifest_validates(manifest, validator):
    assert schema_errors(validator, manifest) == []


def test_display_information(manifest):
    info = manifest["display_information"]
    assert info["name"] == "leakbot"
    assert "leak" in info["description"].lower()
    # The schema states this pattern under "regex", which JSON Schema does not enforce: check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])


def test_bot_user(manifest):
    bot_user = manifest["features"]["bot_user"]
    assert bot_user["display_name"] == "leakbot"
    assert bot_user["always_online"] is True


def test_commands_match_the_code_and_the_contract(manifest):
    # The manifest declares what the code answers (handlers/surface.py), all of it named by the contract;
    # the contract may name commands that are not built yet.
    names = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert len(names) == len(set(names)), names
    assert set(names) == set(COMMANDS)
    assert set(names) <= contract_commands()


def test_commands_have_description_and_hint(manifest):
    hints = {}
    for command in manifest["features"]["slash_commands"]:
        assert command["description"].strip(), command
        assert command["usage_hint"].strip(), command
        assert command["should_escape"] is False, command
        assert "url" not in command, "Socket Mode needs no request URL"
        hints[command["command"]] = command["usage_hint"]
    assert hints["/leak-open"] == "[title]"
    assert hints["/leak-answer"] == "<item-id>"


def test_bot_scopes(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), scopes
    assert set(scopes) == REQUIRED_BOT_SCOPES  # only the scopes the code uses, all of them
    # history is read only to find a post whose outcome was unknown (bot/slack/sender.py), never people's words
    assert {"groups:history", "im:history", "im:write"} <= set(scopes)
    assert "channels:history" not in scopes


def test_settings(manifest):
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert "request_url" not in settings["interactivity"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_http_mode_variant_validates(manifest, validator):
    variant = http_mode_variant(manifest)
    assert variant["settings"]["socket_mode_enabled"] is False
    assert all(c["url"] == EVENTS_URL for c in variant["features"]["slash_commands"])
    assert schema_errors(validator, variant) == []


def test_the_http_manifest_validates(http_manifest, validator):
    assert schema_errors(validator, http_manifest) == []


def test_the_http_manifest_differs_from_manifest_yml_only_in_its_request_urls(manifest, http_manifest):
    # every request URL from one placeholder, Socket Mode off; everything else the same app
    assert http_manifest == http_mode_variant(manifest)
    assert http_manifest["settings"]["event_subscriptions"]["request_url"] == EVENTS_URL  # member and Home events
    assert http_manifest["settings"]["interactivity"]["request_url"] == EVENTS_URL
    assert HTTP_MANIFEST_PATH.read_text(encoding="utf-8").count(f"url: {EVENTS_URL}") == len(COMMANDS) + 2


def test_the_messages_tab_is_read_only(manifest):
    # nudges reach owners by DM and show in the Messages tab; the bot answers no DM, so nobody can type there
    app_home = manifest["features"]["app_home"]
    assert app_home == {"home_tab_enabled": True, "messages_tab_enabled": True, "messages_tab_read_only_enabled": True}
    assert "message.im" not in EVENTS  # nothing listens to a DM


def test_validator_rejects_a_broken_manifest(manifest, validator):
    # Guards against a validator that accepts anything (say, a schema that failed to load).
    broken = copy.deepcopy(manifest)
    broken["features"]["slash_commands"][0]["url"] = "YOUR-HOST/slack/events"
    broken["settings"]["socket_mode"] = True
    assert len(schema_errors(validator, broken)) == 2


def test_the_events_the_code_listens_to_are_subscribed(manifest):
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)
