"""A signed payload of the wrong shape (issue 18, promise 5): HTTP 400 and one log line, no traceback;
in Socket Mode the envelope is acked and dropped. The door: bot.app.slack_request with
handlers.payload_shape.shape_problem, which every HTTP request and every envelope goes through."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SIGNING_SECRET, Harness
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import (
    block_actions,
    global_shortcut,
    interactive_body,
    member_event,
    sign,
    view_submission,
)

WRONG = [[], None, 1, 2.5, True, "x", {}, [{}]]


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused a signed request" in r.getMessage()]


async def opened_view(h: Harness) -> dict[str, Any]:
    assert (await h.command("/leak-open", "形の試験")).status == 200
    call = await h.fake.wait_for("views.open", lambda c: c.ok)
    return h.fake.views[call.response["view"]["id"]]


def click(h: Harness) -> dict[str, Any]:
    return block_actions(
        action_id="leak_next",
        value="1",
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        message_ts="1.000100",
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )


BROKEN = {
    "a list": [],
    "null": None,
    "a number": 7,
    "a string": "payload",
    "user is a string": {"type": "block_actions", "user": "U0ALICE", "actions": []},
    "view is a list": {"type": "view_submission", "user": {"id": "U0ALICE"}, "view": []},
    "actions is not a list": {"type": "block_actions", "user": {"id": "U0ALICE"}, "actions": {"action_id": "x"}},
    "an action is a string": {"type": "block_actions", "user": {"id": "U0ALICE"}, "actions": ["leak_next"]},
    "state.values is a list": {
        "type": "view_submission",
        "user": {"id": "U0ALICE"},
        "view": {"id": "V1", "callback_id": "leak_open", "state": {"values": []}},
    },
    "team is a number": {"type": "shortcut", "user": {"id": "U0ALICE"}, "team": 5, "callback_id": "leak_open"},
    "user.id is an object": {"type": "shortcut", "user": {"id": {"x": 1}}, "callback_id": "leak_open"},
    "no user at all": {"type": "view_submission", "view": {"id": "V1", "callback_id": "leak_open"}},
}


@pytest.mark.parametrize("payload", list(BROKEN.values()), ids=list(BROKEN))
async def test_a_signed_payload_of_the_wrong_shape_is_a_clean_400(
    sqlite_leakbot: Harness, caplog: pytest.LogCaptureFixture, payload: Any
) -> None:
    h = sqlite_leakbot
    caplog.set_level(logging.INFO)
    reply = await h.post(interactive_body(payload))
    assert reply.status == 400, reply.body
    assert reply.body == {"ok": False, "error": "malformed payload"}
    assert len(refusals(caplog)) == 1, refusals(caplog)
    no_traceback(caplog)
    # as an Events API body too (JSON)
    reply = await h.post(json.dumps(payload).encode(), content_type="application/json")
    assert reply.status == 400
    assert len(refusals(caplog)) == 2
    no_traceback(caplog)
    assert await h.stored.incident(1) is None
    assert [c.method for c in h.fake.calls] == ["auth.test"]  # at start only


@pytest.mark.parametrize(
    "body", [b"payload=%5B", b"\xff\xfe", b"payload=%FF%FE"], ids=["truncated JSON", "not UTF-8", "payload not UTF-8"]
)
async def test_a_signed_body_that_cannot_be_read_is_a_clean_400(
    sqlite_leakbot: Harness, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    reply = await sqlite_leakbot.post(body)
    # a form without `payload` is nothing Bolt listens to (404); bytes that are not UTF-8 were never signed
    # by Slack (it signs UTF-8 text): they are refused as unsigned (401)
    assert reply.status in (400, 401, 404), reply.body
    if reply.status == 400:
        assert len(refusals(caplog)) == 1
    no_traceback(caplog)
    assert [c.method for c in sqlite_leakbot.fake.calls] == ["auth.test"]


def mutations(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The payload with each field (top level, and in its objects) replaced by each wrong type."""
    found = []
    for key, value in payload.items():
        for wrong in WRONG:
            if type(wrong) is not type(value):
                found.append((key, {**payload, key: copy.deepcopy(wrong)}))
        if isinstance(value, dict):
            for inner in value:
                for wrong in WRONG:
                    changed = copy.deepcopy(payload)
                    changed[key][inner] = copy.deepcopy(wrong)
                    found.append((f"{key}.{inner}", changed))
    return found


async def test_no_field_of_a_real_payload_can_make_a_500(
    sqlite_leakbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Every field of real payloads (a modal submission, a click, a shortcut, an event) set to every wrong
    type: each answer is 200 or 400, never 500, and nothing logs a traceback."""
    h = sqlite_leakbot
    view = await opened_view(h)
    payloads = [
        ("interactive", view_submission(view, {"summary": "形の試験（架空）"}, user_id="U0ALICE")),
        ("interactive", click(h)),
        ("interactive", global_shortcut("leak_open", user_id="U0ALICE", trigger_id=h.fake.new_trigger_id())),
        ("event", json.loads(member_event("member_joined_channel", user_id="U0BOB", channel_id="C0NONE"))),
    ]
    caplog.set_level(logging.INFO)
    answered: dict[int, int] = {}
    for kind, payload in payloads:
        for where, changed in mutations(payload):
            if kind == "event":
                reply = await h.post(json.dumps(changed).encode(), content_type="application/json")
            else:
                reply = await h.post(interactive_body(changed))
            answered[reply.status] = answered.get(reply.status, 0) + 1
            assert reply.status in (200, 400, 404), (where, changed.get(where.split(".")[0]), reply.body)
    assert answered.get(400, 0) > 100  # most wrong types are refused at the door
    assert not [r for r in caplog.records if r.name in ("aiohttp.server", "bot.app") and r.levelno >= logging.ERROR]


async def test_a_real_process_answers_every_wrong_shape_with_400_and_one_line(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            for payload in BROKEN.values():
                status, text = await bot.post(interactive_body(payload), http=http)
                assert status == 400, text
                body = json.dumps(payload).encode()
                headers = {"Content-Type": "application/json", **sign(SIGNING_SECRET, body)}
                async with http.post(bot.events_url, data=body, headers=headers) as response:
                    assert response.status == 400
            # unsigned, the same bodies are refused as unsigned: nothing is parsed before the signature
            async with http.post(bot.events_url, data=b"payload=%5B%5D") as response:
                assert response.status == 401
    finally:
        await bot.stop()
    log = bot.log_path.read_text()
    assert log.count("refused a signed request") == 2 * len(BROKEN), bot.log_tail()
    assert "Traceback" not in log and " 500" not in log, bot.log_tail()
    assert [c.method for c in fake.calls] == ["auth.test"]
