"""Tests of the fake Slack itself, driven through the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fake_slack import FakeSlack
from tests.slack_payloads import block_actions, form_body, interactive_body, sign, slash_command, view_submission

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def fake():
    async with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake):
    return AsyncWebClient(token=fake.bot_token, base_url=fake.url)


async def error_of(coro) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await coro
    return info.value


async def expect_error(coro, error: str) -> SlackApiError:
    e = await error_of(coro)
    assert e.response.status_code == 200
    assert e.response["error"] == error, e.response.data
    return e


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", value: str = "v", action_id: str = "go") -> dict:
    return {"type": "button", "text": plain(text), "value": value, "action_id": action_id}


def modal(blocks: list, **extra) -> dict:
    return {"type": "modal", "title": plain("Leak"), "submit": plain("OK"), "blocks": blocks, **extra}


def text_input(block_id: str = "summary", **element) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain("Summary"),
        "element": {"type": "plain_text_input", "action_id": "value", **element},
    }


async def private_channel(client, name="leak-test") -> str:
    return (await client.conversations_create(name=name, is_private=True))["channel"]["id"]


# --------------------------------------------------------------------------- server & auth


async def test_binds_to_loopback_and_auth_test(fake, client):
    assert fake.url.startswith("http://127.0.0.1:") and fake.url.endswith("/api/")
    assert fake.url == fake.base + "/api/"
    response = await client.auth_test()
    assert (response["user_id"], response["bot_id"], response["team_id"]) == ("U0LEAKBOT", "B0LEAKBOT", "T0LEAK")
    assert fake.calls_to("auth.test")[0].ok


@pytest.mark.parametrize(
    "token, error",
    [(None, "not_authed"), ("xoxb-wrong", "invalid_auth"), ("xapp-1-test-token", "not_allowed_token_type")],
)
async def test_bot_token_is_checked(fake, token, error):
    await expect_error(AsyncWebClient(token=token, base_url=fake.url).auth_test(), error)
    assert fake.calls[-1].ok is False


async def test_connections_open_needs_the_app_token(fake, client):
    await expect_error(client.apps_connections_open(app_token="xapp-wrong"), "invalid_auth")
    url = (await client.apps_connections_open(app_token=fake.app_token))["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.port}/link/?ticket=")


async def test_unknown_method(client):
    await expect_error(client.api_call("leak.nothing"), "unknown_method")


async def test_accepts_form_bodies_and_json_strings(fake, client):
    channel = await private_channel(client)
    blocks = json.dumps([section("*form*")])
    await client.api_call("chat.postMessage", data={"channel": channel, "blocks": blocks})
    await client.api_call("chat.postMessage", params={"channel": channel, "text": "query"})
    await client.api_call("chat.postMessage", json={"channel": channel, "blocks": blocks})
    first, second, third = fake.messages[channel]
    assert first["blocks"][0]["text"]["text"] == "*form*" and second["text"] == "query"
    assert fake.calls_to("chat.postMessage")[0].args["blocks"][0]["type"] == "section"
    assert third["blocks"][0]["block_id"]  # Slack fills in missing block ids


# ------------------------------------------------------------------------------ conversations


@pytest.mark.parametrize(
    "name, error",
    [
        ("", "invalid_name_required"),
        ("a" * 81, "invalid_name_maxlength"),
        ("Leak", "invalid_name_specials"),
        ("leak room", "invalid_name_specials"),
        ("leak!", "invalid_name_specials"),
        ("漏えい・対応", "invalid_name_specials"),
        ("ｌｅａｋ-Ａ", "invalid_name_specials"),
        ("--", "invalid_name_punctuation"),
    ],
)
async def test_channel_name_rules(client, name, error):
    await expect_error(client.conversations_create(name=name), error)


async def test_create_channel(fake, client):
    for name in ("a" * 80, "漏えい-対応_2025", "leak-1"):
        channel = (await client.conversations_create(name=name, is_private=True))["channel"]
        assert channel["id"].startswith("C") and channel["name"] == name and channel["is_private"] is True
        assert fake.channels[channel["id"]].members == {"U0LEAKBOT"}
    public = (await client.conversations_create(name="leak-public"))["channel"]
    assert public["is_private"] is False and fake.channel_by_name("leak-public").creator == "U0LEAKBOT"
    await expect_error(client.conversations_create(name="leak-1"), "name_taken")


async def test_ascii_channel_names_only(fake, client):
    fake.ascii_channel_names_only = True
    await expect_error(client.conversations_create(name="漏えい"), "invalid_name_specials")
    assert (await client.conversations_create(name="leak"))["ok"]


async def test_invite(fake, client):
    channel = await private_channel(client)
    outside = fake.add_channel("elsewhere", members=["U0ALICE"])
    fake.add_user("U0GONE", "gone", deleted=True)
    await expect_error(client.conversations_invite(channel="C0NOPE", users="U0ALICE"), "channel_not_found")
    await expect_error(client.conversations_invite(channel=outside.id, users="U0BOB"), "not_in_channel")
    await expect_error(client.conversations_invite(channel=channel, users="U0ALICE,U0NOBODY"), "user_not_found")
    await expect_error(client.conversations_invite(channel=channel, users="U0LEAKBOT"), "cant_invite_self")
    await expect_error(client.conversations_invite(channel=channel, users="U0GONE"), "cant_invite")
    invited = await client.conversations_invite(channel=channel, users=["U0ALICE", "U0BOB"])
    assert invited["channel"]["id"] == channel
    await expect_error(client.conversations_invite(channel=channel, users="U0ALICE,U0BOB"), "already_in_channel")
    # one already inside fails the batch, and nobody of it is invited (Slack: "Partially failed calls")
    await expect_error(client.conversations_invite(channel=channel, users="U0ALICE,U0CAROL"), "already_in_channel")
    assert "U0CAROL" not in fake.channels[channel].members
    await client.conversations_invite(channel=channel, users="U0ALICE,U0CAROL", force=True)  # the others go in
    members = (await client.conversations_members(channel=channel))["members"]
    assert set(members) == {"U0LEAKBOT", "U0ALICE", "U0BOB", "U0CAROL"}


async def test_topic_info_and_members(fake, client):
    channel = await private_channel(client)
    await expect_error(client.conversations_setTopic(channel=channel, topic="x" * 251), "too_long")
    await client.conversations_setTopic(channel=channel, topic="t" * 250)
    info = (await client.conversations_info(channel=channel))["channel"]
    assert info["topic"]["value"] == "t" * 250 and info["is_member"] is True
    await expect_error(client.conversations_info(channel="C0NOPE"), "channel_not_found")
    hidden = fake.add_channel("hidden", members=["U0ALICE"], is_private=True)
    await expect_error(client.conversations_members(channel=hidden.id), "channel_not_found")


async def test_users_info(fake, client):
    fake.add_user("U0ERIN", "erin", tz="Europe/Berlin")
    user = (await client.users_info(user="U0ERIN"))["user"]
    assert (user["name"], user["tz"], user["deleted"]) == ("erin", "Europe/Berlin", False)
    assert (await client.users_info(user="U0ALICE"))["user"]["tz"] == "Asia/Tokyo"
    await expect_error(client.users_info(user="U0NOBODY"), "user_not_found")


# ----------------------------------------------------------------------------------- messages


async def test_post_message(fake, client):
    channel = await private_channel(client)
    outside = fake.add_channel("elsewhere", members=["U0ALICE"])
    await expect_error(client.chat_postMessage(channel="C0NOPE", text="x"), "channel_not_found")
    await expect_error(client.chat_postMessage(channel=outside.id, text="x"), "not_in_channel")
    await expect_error(client.api_call("chat.postMessage", json={"channel": channel}), "no_text")
    await expect_error(client.chat_postMessage(channel=channel, text="x" * 40_001), "msg_too_long")
    first = await client.chat_postMessage(channel=channel, text="x" * 40_000)
    second = await client.chat_postMessage(channel=channel, text="reply", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"]) and second["message"]["thread_ts"] == first["ts"]
    stored = fake.messages[channel][1]
    assert (stored["text"], stored["user"], stored["thread_ts"], stored["edits"]) == (
        "reply",
        "U0LEAKBOT",
        first["ts"],
        [],
    )


async def test_post_message_to_a_user_opens_a_dm(fake, client):
    response = await client.chat_postMessage(channel="U0ALICE", text="hi")
    assert response["channel"].startswith("D") and fake.messages[response["channel"]][0]["text"] == "hi"


BAD_BLOCKS = [
    ([section("s")] * 51, "must be less than 51 items [json-pointer:/blocks]"),
    ([section("x" * 3001)], "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"),
    ([{"type": "header", "text": plain("h" * 151)}], "[json-pointer:/blocks/0/text/text]"),
    ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}], "[json-pointer:/blocks/0/text]"),
    ([{"type": "section", "fields": [plain("f")] * 11}], "must be less than 11 items"),
    ([{"type": "section", "fields": [plain("f" * 2001)]}], "[json-pointer:/blocks/0/fields/0/text]"),
    ([section("a", block_id="b" * 256)], "[json-pointer:/blocks/0/block_id]"),
    (
        [section("a", block_id="same"), section("b", block_id="same")],
        "duplicate block_id [json-pointer:/blocks/1/block_id]",
    ),
    ([{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}], "must be less than 26 items"),
    ([{"type": "actions", "elements": [button(text="t" * 76)]}], "[json-pointer:/blocks/0/elements/0/text/text]"),
    ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "[json-pointer:/blocks/0/elements/0/value]"),
    ([{"type": "context", "elements": [plain("c" * 3001)]}], "[json-pointer:/blocks/0/elements/0/text]"),
    ([{"type": "context", "elements": [plain("c")] * 11}], "must be less than 11 items"),
    ([{"type": "wobble"}], "failed to match all allowed schemas"),
    ([section("")], "must be more than 0 characters"),
]


@pytest.mark.parametrize("blocks, message", BAD_BLOCKS)
async def test_block_kit_limits(client, blocks, message):
    channel = await private_channel(client)
    e = await expect_error(client.chat_postMessage(channel=channel, text="t", blocks=blocks), "invalid_blocks")
    messages = e.response["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR] ") and message in m for m in messages), messages


async def test_blocks_at_their_limits_pass(client):
    channel = await private_channel(client)
    at_limits = [
        section("x" * 3000, accessory=button(text="t" * 75, value="v" * 2000)),
        {"type": "header", "text": plain("h" * 150), "block_id": "b" * 255},
        {"type": "section", "fields": [plain("f" * 2000)] * 10},
        {"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(25)]},
        {"type": "context", "elements": [plain("c")] * 10},
        {"type": "divider"},
    ]
    await client.chat_postMessage(channel=channel, text="t", blocks=at_limits + [{"type": "divider"}] * 44)


async def test_update(fake, client):
    channel = await private_channel(client)
    posted = await client.chat_postMessage(channel=channel, text="v1", blocks=[section("one")])
    await expect_error(client.chat_update(channel=channel, ts="1.000100", text="x"), "message_not_found")
    theirs = fake.add_message(channel, "mine", user="U0ALICE")
    await expect_error(client.chat_update(channel=channel, ts=theirs["ts"], text="x"), "cant_update_message")
    await expect_error(
        client.chat_update(channel=channel, ts=posted["ts"], text="t", blocks=[section("x" * 3001)]), "invalid_blocks"
    )
    updated = await client.chat_update(channel=channel, ts=posted["ts"], text="v2", blocks=[section("two")])
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "v2"
    stored = fake.messages[channel][0]
    assert stored["blocks"][0]["text"]["text"] == "two"
    assert [(e["text"], e["blocks"][0]["text"]["text"]) for e in stored["edits"]] == [("v1", "one")]


async def test_post_ephemeral(fake, client):
    channel = await private_channel(client)
    await expect_error(client.chat_postEphemeral(channel=channel, user="U0ALICE", text="x"), "user_not_in_channel")
    await expect_error(client.chat_postEphemeral(channel=channel, user="U0NOBODY", text="x"), "user_not_found")
    await client.conversations_invite(channel=channel, users="U0ALICE")
    sent = await client.chat_postEphemeral(channel=channel, user="U0ALICE", text="only you")
    elsewhere = await client.chat_postEphemeral(channel="C0GENERAL", user="U0BOB", text="anywhere")
    assert sent["message_ts"] and elsewhere["ok"]
    assert [(e["channel"], e["user"], e["text"]) for e in fake.ephemerals] == [
        (channel, "U0ALICE", "only you"),
        ("C0GENERAL", "U0BOB", "anywhere"),
    ]
    assert fake.messages[channel] == []


async def test_pins(fake, client):
    channel = await private_channel(client)
    ts = (await client.chat_postMessage(channel=channel, text="pin me"))["ts"]
    await expect_error(client.pins_add(channel=channel, timestamp="1.000100"), "message_not_found")
    await client.pins_add(channel=channel, timestamp=ts)
    await expect_error(client.pins_add(channel=channel, timestamp=ts), "already_pinned")
    assert fake.pins[channel] == [ts]


# -------------------------------------------------------------------------------------- views


async def test_views_open_stores_the_view(fake, client):
    view = modal([text_input()], callback_id="leak_open", private_metadata='{"x": 1}')
    opened = (await client.views_open(trigger_id=fake.new_trigger_id(), view=view))["view"]
    assert opened["id"].startswith("V") and opened["hash"] and opened["team_id"] == "T0LEAK"
    assert opened["state"] == {"values": {}} and opened["callback_id"] == "leak_open"
    assert opened["private_metadata"] == '{"x": 1}' and fake.views[opened["id"]]["blocks"] == opened["blocks"]
    as_string = await client.api_call(
        "views.open", data={"trigger_id": fake.new_trigger_id(), "view": json.dumps(view)}
    )
    assert as_string["view"]["id"] != opened["id"]


async def test_triggers(fake, client):
    view = modal([section("hi")])
    await expect_error(client.views_open(trigger_id="123.456.abc", view=view), "invalid_trigger_id")
    await expect_error(client.views_open(trigger_id=fake.new_trigger_id(age=4), view=view), "expired_trigger_id")
    trigger = fake.new_trigger_id(age=2.5)
    await client.views_open(trigger_id=trigger, view=view)
    await expect_error(client.views_open(trigger_id=trigger, view=view), "exchanged_trigger_id")
    await expect_error(client.views_push(trigger_id=trigger, view=view), "exchanged_trigger_id")
    assert (await client.views_push(trigger_id=fake.new_trigger_id(), view=view))["ok"]


def select(**extra) -> dict:
    options = [{"text": plain("A"), "value": "a"}, {"text": plain("B"), "value": "b"}]
    return {
        "type": "input",
        "block_id": "pick",
        "label": plain("Pick"),
        "element": {"type": "static_select", "action_id": "pick", "options": options, **extra},
    }


BAD_VIEWS = [
    (modal([], title=plain("t" * 25)), "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"),
    (modal([], submit=plain("s" * 25)), "[json-pointer:/view/submit/text]"),
    (modal([], close=plain("c" * 25)), "[json-pointer:/view/close/text]"),
    ({"type": "modal", "blocks": []}, "missing required field: title [json-pointer:/view]"),
    (modal([], type="home"), "[json-pointer:/view/type]"),
    (modal([section("s")] * 101), "must be less than 101 items [json-pointer:/view/blocks]"),
    (modal([], callback_id="c" * 256), "[json-pointer:/view/callback_id]"),
    (modal([], private_metadata="m" * 3001), "must be less than 3001 characters [json-pointer:/view/private_metadata]"),
    (modal([text_input("x"), text_input("x")]), "duplicate block_id [json-pointer:/view/blocks/1/block_id]"),
    (
        modal([{"type": "input", "block_id": "b", "element": {"type": "plain_text_input"}}]),
        "missing required field: label [json-pointer:/view/blocks/0]",
    ),
    (modal([{"type": "input", "block_id": "b", "label": plain("L")}]), "missing required field: element"),
    (modal([{"type": "input", "label": plain("L"), "element": button()}]), "[json-pointer:/view/blocks/0/element]"),
    (modal([text_input() | {"label": plain("l" * 2001)}]), "[json-pointer:/view/blocks/0/label/text]"),
    (modal([text_input(max_length=3001)]), "[json-pointer:/view/blocks/0/element/max_length]"),
    (modal([text_input(min_length=3001)]), "[json-pointer:/view/blocks/0/element/min_length]"),
    (modal([text_input(max_length=5, initial_value="toolong")]), "[json-pointer:/view/blocks/0/element/initial_value]"),
    (
        modal([select(initial_option={"text": plain("C"), "value": "c"})]),
        "[json-pointer:/view/blocks/0/element/initial_option]",
    ),
    (modal([section("x" * 3001)]), "[json-pointer:/view/blocks/0/text/text]"),
    ({"type": "modal", "title": plain("No submit"), "blocks": [text_input()]}, "submit"),
]


@pytest.mark.parametrize("view, message", BAD_VIEWS)
async def test_view_validation(fake, client, view, message):
    trigger = fake.new_trigger_id()
    e = await expect_error(client.views_open(trigger_id=trigger, view=view), "invalid_arguments")
    messages = e.response["response_metadata"]["messages"]
    assert any(message in m for m in messages), messages
    assert (await client.views_open(trigger_id=trigger, view=modal([section("ok")])))["ok"]  # not used up


async def test_view_at_its_limits_passes(fake, client):
    view = modal(
        [text_input(f"b{i}", max_length=3000, min_length=3000) for i in range(99)]
        + [select(initial_option={"text": plain("B"), "value": "b"})],
        title=plain("t" * 24),
        submit=plain("s" * 24),
        close=plain("c" * 24),
        callback_id="c" * 255,
        private_metadata="m" * 3000,
    )
    assert (await client.views_open(trigger_id=fake.new_trigger_id(), view=view))["ok"]


async def test_views_update(fake, client):
    opened = (
        await client.views_open(trigger_id=fake.new_trigger_id(), view=modal([section("1")], external_id="leak-1"))
    )["view"]
    await expect_error(client.views_update(view_id="V0NOPE", view=modal([section("2")])), "not_found")
    await expect_error(
        client.views_update(view_id=opened["id"], hash="stale", view=modal([section("2")])), "hash_conflict"
    )
    await expect_error(
        client.views_update(view_id=opened["id"], view=modal([section("x" * 3001)])), "invalid_arguments"
    )
    updated = (
        await client.views_update(
            view_id=opened["id"], hash=opened["hash"], view=modal([section("2")], external_id="leak-1")
        )
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake.views[opened["id"]]["blocks"][0]["text"]["text"] == "2"
    by_external = await client.views_update(external_id="leak-1", view=modal([section("3")]))
    assert by_external["view"]["id"] == opened["id"]


# -------------------------------------------------------------------------------------- faults


async def test_rate_limit_fault(fake, client):
    fake.fail("chat.postMessage", status=429, retry_after=7)
    e = await error_of(client.chat_postMessage(channel="C0X", text="x"))
    assert e.response.status_code == 429 and e.response.headers["Retry-After"] == "7"
    assert e.response["error"] == "ratelimited"
    assert fake.calls[-1].response["error"] == "ratelimited" and not fake.calls[-1].ok


async def test_server_error_fault(fake, client):
    fake.fail("auth.test", status=503, times=2)
    for _ in range(2):
        assert (await error_of(client.auth_test())).response.status_code == 503
    assert (await client.auth_test())["ok"]
    assert [c.ok for c in fake.calls_to("auth.test")] == [False, False, True]


async def test_error_fault(fake, client):
    fake.fail("views.open", "internal_error")
    await expect_error(client.views_open(trigger_id=fake.new_trigger_id(), view=modal([])), "internal_error")


async def test_delay_fault_provokes_client_timeouts(fake):
    impatient = AsyncWebClient(token=fake.bot_token, base_url=fake.url, timeout=0.1, retry_handlers=[])
    fake.fail("auth.test", delay=30)
    with pytest.raises(TimeoutError):
        await impatient.auth_test()
    fake.slow("auth.test", 0.2)
    started = time.monotonic()
    assert (await AsyncWebClient(token=fake.bot_token, base_url=fake.url).auth_test())["ok"]
    assert time.monotonic() - started >= 0.2


async def test_late_answer_takes_effect_before_the_client_gives_up(fake, client):
    channel = await private_channel(client)
    impatient = AsyncWebClient(token=fake.bot_token, base_url=fake.url, timeout=0.2, retry_handlers=[])
    fake.late("chat.postMessage", 2)
    with pytest.raises(TimeoutError):
        await impatient.chat_postMessage(channel=channel, text="posted though the client timed out")
    assert [m["text"] for m in fake.messages[channel]] == ["posted though the client timed out"]
    assert fake.calls_to("chat.postMessage")[0].ok


async def test_message_metadata_is_returned_by_history_only_when_asked_for(fake, client):
    channel = await private_channel(client)
    metadata = {"event_type": "leakbot_post", "event_payload": {"key": "draft:1#0"}}
    posted = await client.chat_postMessage(channel=channel, text="with metadata", metadata=metadata)
    await client.chat_postMessage(channel=channel, text="plain")
    plain_history = (await client.conversations_history(channel=channel))["messages"]
    assert [m["text"] for m in plain_history] == ["plain", "with metadata"]
    assert all("metadata" not in m for m in plain_history)
    full = (await client.conversations_history(channel=channel, include_all_metadata=True))["messages"]
    assert full[1]["metadata"] == metadata and full[1]["ts"] == posted["ts"] and "metadata" not in full[0]
    page = await client.conversations_history(channel=channel, limit=1)
    assert [m["text"] for m in page["messages"]] == ["plain"] and page["has_more"]
    rest = await client.conversations_history(channel=channel, limit=1, cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["with metadata"] and not rest["has_more"]
    bad = {"event_type": "leakbot_post", "event_payload": "not an object"}
    await expect_error(client.chat_postMessage(channel=channel, text="x", metadata=bad), "invalid_metadata_format")
    assert len(fake.messages[channel]) == 2


async def test_conversations_open_gives_the_dm_a_post_to_the_user_went_to(fake, client):
    posted = await client.chat_postMessage(channel="U0ALICE", text="a reminder")
    opened = await client.conversations_open(users="U0ALICE")
    assert opened["channel"]["id"] == posted["channel"] and posted["channel"].startswith("D")
    history = (await client.conversations_history(channel=posted["channel"]))["messages"]
    assert [m["text"] for m in history] == ["a reminder"]
    await expect_error(client.conversations_open(users="U0NOBODY"), "user_not_found")


async def test_stop_does_not_wait_for_delayed_answers():
    fake = FakeSlack()
    await fake.start()
    fake.fail("auth.test", delay=30)
    request = asyncio.ensure_future(AsyncWebClient(token=fake.bot_token, base_url=fake.url).auth_test())
    await fake.wait_for("auth.test")
    started = time.monotonic()
    await fake.stop()
    assert time.monotonic() - started < 2
    with pytest.raises((aiohttp.ClientError, SlackApiError)):  # cut off, or answered 500
        await request


async def test_wait_for(fake, client):
    asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(client.auth_test()))
    call = await fake.wait_for("auth.test", lambda c: c.ok, timeout=2)
    assert call.response["user_id"] == "U0LEAKBOT" and call.at <= time.monotonic()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        await fake.wait_for("chat.postMessage", timeout=0.05)
    with pytest.raises(AssertionError):
        await fake.wait_for("auth.test", count=2, timeout=0.05)


# ------------------------------------------------------------------------------ response URLs


async def test_response_urls(fake):
    url = fake.response_url()
    assert url.startswith(fake.base + "/response/")
    response = await AsyncWebhookClient(url).send(text="done", response_type="ephemeral")
    assert response.status_code == 200
    assert fake.responses == [(url.rsplit("/", 1)[1], {"text": "done", "response_type": "ephemeral"})]
    assert (await AsyncWebhookClient(fake.base + "/response/nope").send(text="x")).status_code == 404


# -------------------------------------------------------------------------------- Socket Mode


@pytest.fixture
async def socket_client(fake):
    """A slack_sdk Socket Mode client that acks every request with {"text": "ack!"}; yields what it got."""
    client = SocketModeClient(app_token=fake.app_token, web_client=AsyncWebClient(base_url=fake.url))
    received = []

    async def on_request(client, request):
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload={"text": "ack!"}))

    client.socket_mode_request_listeners.append(on_request)
    await client.connect()
    try:
        yield received
    finally:
        await client.close()


async def test_socket_mode_round_trip(fake, socket_client):
    await fake.wait_socket_connected()
    ack = await fake.socket_send("slash_commands", {"command": "/leak-open", "text": "x"}, retry_attempt=1)
    assert ack == {"envelope_id": fake.socket_sent[-1]["envelope_id"], "payload": {"text": "ack!"}}
    request = socket_client[0]
    assert request.type == "slash_commands" and request.payload["command"] == "/leak-open"
    assert request.retry_attempt == 1 and request.accepts_response_payload is True
    assert fake.calls_to("apps.connections.open")[0].ok


async def test_socket_mode_reconnects_after_disconnect(fake, socket_client):
    await fake.wait_socket_connected()
    await fake.socket_disconnect()
    await fake.wait_for("apps.connections.open", count=2)
    ack = await fake.socket_send("events_api", {"event": {"type": "app_mention"}}, accepts_response_payload=False)
    assert ack["envelope_id"] == fake.socket_sent[-1]["envelope_id"] and len(socket_client) == 1


async def test_stop_closes_socket_connections():
    fake = FakeSlack()
    await fake.start()
    url = (await AsyncWebClient(base_url=fake.url).apps_connections_open(app_token=fake.app_token))["url"]
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert (await ws.receive_json())["type"] == "hello"
        started = time.monotonic()
        stopping = asyncio.ensure_future(fake.stop())
        assert (await ws.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await stopping
        assert time.monotonic() - started < 2


async def test_socket_send_without_client_or_ack(fake):
    with pytest.raises(AssertionError, match="Socket Mode connection"):
        await fake.socket_send("events_api", {}, timeout=0.05)
    url = (await AsyncWebClient(base_url=fake.url).apps_connections_open(app_token=fake.app_token))["url"]
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert (await ws.receive_json())["type"] == "hello"
        with pytest.raises(AssertionError, match="no ack"):
            await fake.socket_send("events_api", {"event": {}}, timeout=0.1)
        envelope = await ws.receive_json()
        assert envelope["type"] == "events_api" and envelope["retry_reason"] == ""


# ----------------------------------------------------------------------------------- payloads

EVERY_ELEMENT_VIEW = modal(
    [
        text_input("summary", initial_value="draft"),
        text_input("empty"),
        {
            "type": "input",
            "block_id": "items",
            "label": plain("Items"),
            "element": {
                "type": "checkboxes",
                "action_id": "c",
                "options": [{"text": plain("Name"), "value": "name"}, {"text": plain("Phone"), "value": "phone"}],
                "initial_options": [{"text": plain("Name"), "value": "name"}],
            },
        },
        {
            "type": "input",
            "block_id": "card",
            "label": plain("Card"),
            "element": {
                "type": "radio_buttons",
                "action_id": "r",
                "options": [{"text": plain("No"), "value": "no"}, {"text": plain("Yes"), "value": "yes"}],
            },
        },
        select(initial_option={"text": plain("A"), "value": "a"}),
        {
            "type": "input",
            "block_id": "when",
            "label": plain("When"),
            "element": {"type": "datetimepicker", "action_id": "dt"},
        },
        {
            "type": "input",
            "block_id": "day",
            "label": plain("Day"),
            "element": {"type": "datepicker", "action_id": "d", "initial_date": "2025-01-02"},
        },
        {
            "type": "input",
            "block_id": "time",
            "label": plain("Time"),
            "element": {"type": "timepicker", "action_id": "t"},
        },
        {
            "type": "input",
            "block_id": "owner",
            "label": plain("Owner"),
            "element": {"type": "users_select", "action_id": "u", "initial_user": "U0ALICE"},
        },
        {
            "type": "input",
            "block_id": "responders",
            "label": plain("Who"),
            "optional": True,
            "element": {"type": "multi_users_select", "action_id": "us"},
        },
        {
            "type": "input",
            "block_id": "room",
            "label": plain("Room"),
            "element": {"type": "conversations_select", "action_id": "cv"},
        },
        section("no state here"),
    ],
    callback_id="every",
)


async def test_view_submission_with_every_element(fake, client):
    view = (await client.views_open(trigger_id=fake.new_trigger_id(), view=EVERY_ELEMENT_VIEW))["view"]
    when = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    payload = view_submission(
        view,
        {
            "items": ["phone", "name"],
            "card": "yes",
            "when": when,
            "time": "09:30",
            "responders": ["U0BOB", "U0CAROL"],
            "day": date(2025, 2, 3),
            "room": "C0X",
        },
        user_id="U0ALICE",
    )
    values = payload["view"]["state"]["values"]
    assert payload["type"] == "view_submission" and payload["user"]["id"] == "U0ALICE"
    assert payload["view"]["id"] == view["id"] and payload["view"]["callback_id"] == "every"
    assert values["summary"]["value"] == {"type": "plain_text_input", "value": "draft"}
    assert values["empty"]["value"] == {"type": "plain_text_input", "value": None}
    assert [o["value"] for o in values["items"]["c"]["selected_options"]] == ["phone", "name"]
    assert values["items"]["c"]["selected_options"][0]["text"] == plain("Phone")
    assert values["card"]["r"]["selected_option"]["value"] == "yes"
    assert values["pick"]["pick"] == {"type": "static_select", "selected_option": {"text": plain("A"), "value": "a"}}
    assert values["when"]["dt"] == {"type": "datetimepicker", "selected_date_time": int(when.timestamp())}
    assert values["day"]["d"]["selected_date"] == "2025-02-03" and values["time"]["t"]["selected_time"] == "09:30"
    assert values["owner"]["u"]["selected_user"] == "U0ALICE"
    assert values["responders"]["us"]["selected_users"] == ["U0BOB", "U0CAROL"]
    assert values["room"]["cv"]["selected_conversation"] == "C0X"
    assert len(values) == 11


async def test_view_submission_defaults_and_errors(fake, client):
    view = (await client.views_open(trigger_id=fake.new_trigger_id(), view=EVERY_ELEMENT_VIEW))["view"]
    values = view_submission(view, {}, user_id="U0BOB")["view"]["state"]["values"]
    assert [o["value"] for o in values["items"]["c"]["selected_options"]] == ["name"]
    assert values["card"]["r"]["selected_option"] is None and values["when"]["dt"]["selected_date_time"] is None
    assert values["day"]["d"]["selected_date"] == "2025-01-02" and values["responders"]["us"]["selected_users"] == []
    with pytest.raises(ValueError, match="nope"):
        view_submission(view, {"nope": "x"}, user_id="U0BOB")
    with pytest.raises(ValueError, match="'maybe' is not one of the options"):
        view_submission(view, {"card": "maybe"}, user_id="U0BOB")
    with pytest.raises(ValueError, match="email"):
        view_submission(view, {"items": ["email"]}, user_id="U0BOB")


async def test_view_submission_uses_generated_ids(fake, client):
    bare = modal([{"type": "input", "label": plain("L"), "element": {"type": "plain_text_input"}}])
    view = (await client.views_open(trigger_id=fake.new_trigger_id(), view=bare))["view"]
    block = view["blocks"][0]
    values = view_submission(view, {block["block_id"]: "typed"}, user_id="U0BOB")["view"]["state"]["values"]
    assert values == {
        block["block_id"]: {block["element"]["action_id"]: {"type": "plain_text_input", "value": "typed"}}
    }


def test_sign_matches_slack_sdk_verifier():
    body = form_body(
        slash_command(
            "/leak-open",
            "漏えい",
            user_id="U0ALICE",
            channel_id="C0GENERAL",
            trigger_id="1.2.abc",
            response_url="http://127.0.0.1:1/response/x",
        )
    )
    headers = sign("s3cret", body)
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sign("s3cret", body, timestamp=int(time.time()) - 600))
    parsed = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert parsed["command"] == "/leak-open" and parsed["text"] == "漏えい" and parsed["user_id"] == "U0ALICE"


def test_block_actions_payloads():
    message = {
        "ts": "1764000000.000100",
        "text": "",
        "blocks": [
            {
                "type": "actions",
                "block_id": "acts",
                "elements": [button(text="Answer", value="cause", action_id="answer")],
            }
        ],
    }
    from_message = block_actions(
        action_id="answer",
        user_id="U0ALICE",
        channel_id="C0X",
        trigger_id="1.2.3",
        response_url="http://127.0.0.1:1/response/r",
        message=message,
    )
    action = from_message["actions"][0]
    assert (action["block_id"], action["value"], action["type"]) == ("acts", "cause", "button")
    assert from_message["container"] == {
        "type": "message",
        "message_ts": "1764000000.000100",
        "channel_id": "C0X",
        "is_ephemeral": False,
    }
    body = interactive_body(from_message)
    assert body.startswith(b"payload=") and b"block_actions" in body
    view = {
        "id": "V0X",
        "blocks": [section("pick", block_id="s", accessory={"type": "users_select", "action_id": "who"})],
    }
    from_view = block_actions(action_id="who", user_id="U0BOB", trigger_id="1.2.3", view=view, selected_user="U0DAVE")
    assert from_view["container"] == {"type": "view", "view_id": "V0X"} and "response_url" not in from_view
    assert from_view["actions"][0] | {"action_ts": ""} == {
        "action_id": "who",
        "block_id": "s",
        "action_ts": "",
        "type": "users_select",
        "selected_user": "U0DAVE",
    }


# --- channel canvases and bookmarks -------------------------------------------------------------------


async def test_channel_canvases_like_slack(fake, client):
    channel = fake.add_channel("incident", members=[fake.bot_user_id], is_private=True)
    content = {"type": "markdown", "markdown": "# v1\n"}
    created = await client.conversations_canvases_create(channel_id=channel.id, document_content=content)
    canvas_id = created["canvas_id"]
    await expect_error(
        client.conversations_canvases_create(channel_id=channel.id, document_content=content),
        "channel_canvas_already_exists",
    )
    info = await client.conversations_info(channel=channel.id)
    assert info["channel"]["properties"]["canvas"]["file_id"] == canvas_id
    assert (await client.files_info(file=canvas_id))["file"]["user"] == fake.bot_user_id
    await client.canvases_edit(
        canvas_id=canvas_id,
        changes=[{"operation": "replace", "document_content": {"type": "markdown", "markdown": "# v2\n"}}],
    )
    assert fake.canvases[canvas_id]["markdown"] == "# v2\n" and fake.canvases[canvas_id]["edits"] == ["# v1\n"]
    await expect_error(
        client.canvases_edit(canvas_id=canvas_id, changes=[{"operation": "replace"}]), "invalid_arguments"
    )
    fake.delete_canvas(canvas_id)
    await expect_error(
        client.canvases_edit(canvas_id=canvas_id, changes=[{"operation": "replace", "document_content": content}]),
        "canvas_not_found",
    )
    assert "properties" not in (await client.conversations_info(channel=channel.id))["channel"]
    fake.canvas_refusal = "team_tier_cannot_create_channel_canvases"  # a free workspace
    await expect_error(
        client.conversations_canvases_create(channel_id=channel.id, document_content=content),
        "team_tier_cannot_create_channel_canvases",
    )


async def test_bookmarks_like_slack(fake, client):
    channel = fake.add_channel("incident", members=[fake.bot_user_id], is_private=True)
    added = (
        await client.bookmarks_add(channel_id=channel.id, title="PPC", type="link", link="https://www.ppc.go.jp/")
    )["bookmark"]
    await client.bookmarks_edit(
        bookmark_id=added["id"], channel_id=channel.id, title="PPC page", link="https://example.com/"
    )
    (listed,) = (await client.bookmarks_list(channel_id=channel.id))["bookmarks"]
    assert (listed["id"], listed["title"], listed["link"]) == (added["id"], "PPC page", "https://example.com/")
    await expect_error(
        client.bookmarks_add(channel_id=channel.id, title="x", type="link", link="javascript:alert(1)"), "invalid_link"
    )
    await expect_error(
        client.bookmarks_add(channel_id=channel.id, title="x", type="message", link="https://example.com/"),
        "invalid_bookmark_type",
    )
    fake.remove_bookmark(channel.id, added["id"])
    await expect_error(client.bookmarks_edit(bookmark_id=added["id"], channel_id=channel.id, title="y"), "not_found")
    other = fake.add_channel("secret", members=["U0ALICE"], is_private=True)
    await expect_error(
        client.bookmarks_add(channel_id=other.id, title="x", type="link", link="https://example.com/"),
        "channel_not_found",
    )


async def test_files_info_gives_an_uploaded_files_permalink(fake, client):
    channel = fake.add_channel("incident", members=[fake.bot_user_id], is_private=True)
    uploaded = await client.files_upload_v2(
        channel=channel.id, file_uploads=[{"content": "# x\n", "filename": "a.md", "title": "a.md"}]
    )
    file_id = uploaded["files"][0]["id"]
    info = (await client.files_info(file=file_id))["file"]
    assert info["permalink"].endswith(f"/{file_id}/a.md") and info["channels"] == [channel.id]
    await expect_error(client.files_info(file="F0NOTHERE"), "file_not_found")


async def test_files_list_gives_the_files_shared_in_a_channel(fake, client):
    channel = await private_channel(client)
    await client.files_upload_v2(channel=channel, file_uploads=[{"content": "# x", "filename": "a.md", "title": "a"}])
    await client.files_upload_v2(file_uploads=[{"content": "# y", "filename": "unshared.md", "title": "u"}])
    listed = (await client.files_list(channel=channel))["files"]
    assert [f["name"] for f in listed] == ["a.md"] and listed[0]["groups"] == [channel]
    assert (await client.files_list(channel="C0ELSEWHERE"))["files"] == []


async def test_the_fake_runs_alone_for_trying_leakbot_without_a_workspace():
    """`python -m tests.fake_slack PORT` serves the fake and prints the settings that point leakbot at it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fake_slack", "0", cwd=ROOT, stdout=asyncio.subprocess.PIPE, env=dict(os.environ)
    )
    try:
        assert process.stdout is not None
        lines = [(await asyncio.wait_for(process.stdout.readline(), 15)).decode() for _ in range(4)]
        settings = dict(line.split("  #")[0].strip().split("=", 1) for line in lines[1:])
        assert settings["SLACK_API_URL"].startswith("http://127.0.0.1:")
        client = AsyncWebClient(token=settings["SLACK_BOT_TOKEN"], base_url=settings["SLACK_API_URL"])
        assert (await client.auth_test())["team_id"] == "T0LEAK"
        assert settings["SLACK_APP_TOKEN"].startswith("xapp-")
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0
