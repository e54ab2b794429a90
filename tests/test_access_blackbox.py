"""Members only, against a real leakbot process (`python -m bot`), signed HTTP only, looking only at what
the fake Slack received: a removed member, an outsider, another team and a forged form try what issue 18
measured, and nothing they try is shown to them, stored or posted."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import (
    block_actions,
    form_body,
    interactive_body,
    member_event,
    sign,
    slash_command,
    view_submission,
)
from tests.story import answer_buttons
from tests.test_read_your_writes import WAIT, Person

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="real processes with POSIX signals")
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
NOT_MEMBER = "メンバーだけ"


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


async def post_json(bot: BotProcess, body: bytes) -> int:
    """Slack delivers an Events API callback (JSON), signed."""
    headers = {"Content-Type": "application/json", **sign(SIGNING_SECRET, body)}
    async with aiohttp.ClientSession() as http, http.post(bot.events_url, data=body, headers=headers) as response:
        return response.status


async def told(bot: BotProcess, fake: FakeSlack, response_url: str, what: str) -> str:
    """What the person was told privately through the response_url."""
    rid = response_url.rsplit("/", 1)[1]
    try:
        [(_, body)] = await fake.wait_until(lambda: [r for r in fake.responses if r[0] == rid], timeout=WAIT, what=what)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- log:\n{bot.log_tail()}") from None
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


async def click(bot: BotProcess, fake: FakeSlack, user: str, channel: str, **action: Any) -> str:
    """Clicks a button (or picks in a picker) as `user`; returns what the bot said to them alone."""
    response_url = fake.response_url()
    payload = block_actions(
        user_id=user, channel_id=channel, trigger_id=fake.new_trigger_id(), response_url=response_url, **action
    )
    status, raw = await bot.post(interactive_body(payload))
    assert status == 200 and not raw.strip(), raw
    return await told(bot, fake, response_url, str(action.get("action_id")))


async def command(bot: BotProcess, fake: FakeSlack, user: str, channel: str, name: str, team: str = "T0LEAK") -> dict:
    payload = slash_command(
        name,
        user_id=user,
        channel_id=channel,
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
        team_id=team,
    )
    status, raw = await bot.post(form_body(payload))
    assert status == 200 and raw.strip(), f"{name}: {status} {raw!r}\n{bot.log_tail()}"
    return json.loads(raw)


async def test_a_removed_member_an_outsider_and_another_team_get_nothing(bot: BotProcess, fake: FakeSlack) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        alice = Person(fake, http, ALICE)
        opened = await alice.command(bot, "/leak-open", "架空の漏えい事案")
        assert opened.view is not None
        raw = await alice.submit(bot, opened.view, {"summary": "テスト用の架空の事案。", "responders": [BOB]})
        assert json.loads(raw).get("response_action") == "update", raw
        channel = (await fake.wait_for("conversations.create", lambda c: c.ok, timeout=WAIT)).response["channel"]["id"]
        await fake.wait_until(
            lambda: BOB in fake.channels[channel].members and any(answer_buttons(m) for m in fake.messages[channel]),
            timeout=WAIT,
            what="Bob in the channel and the first question",
        )
    question = next(m for m in fake.messages[channel] if answer_buttons(m))
    answer_value = answer_buttons(question)[0]["value"]  # Bob keeps this button (as in an old nudge DM)

    # Bob is removed; Slack says so, then retries an older "joined" event that arrives after it
    fake.channels[channel].members.discard(BOB)
    at = 1_900_000_000.0
    left = member_event("member_left_channel", user_id=BOB, channel_id=channel, event_time=at + 2)
    assert await post_json(bot, left) == 200
    late_join = member_event("member_joined_channel", user_id=BOB, channel_id=channel, event_time=at + 1)
    assert await post_json(bot, late_join) == 200
    other_team_join = member_event("member_joined_channel", user_id=CAROL, channel_id=channel, team_id="T0OTHER")
    assert await post_json(bot, other_team_join) == 400

    posts_before = len(fake.messages[channel])
    views_before = len(fake.calls_to("views.open"))
    for attacker in (BOB, CAROL):
        status = await command(bot, fake, attacker, channel, "/leak-status")
        assert NOT_MEMBER in status["text"] and "blocks" not in status, status
        close = await command(bot, fake, attacker, channel, "/leak-close")
        assert NOT_MEMBER in close["text"] and "blocks" not in close, close
        assert NOT_MEMBER in await click(bot, fake, attacker, channel, action_id="leak_close_confirm")
        assert NOT_MEMBER in await click(bot, fake, attacker, channel, action_id="leak_snooze_86400", value="86400")
        owner = json.dumps({"incident_id": 1, "item_ids": ["contact"]})
        assert NOT_MEMBER in await click(
            bot, fake, attacker, channel, action_id="leak_owner", block_id=owner, selected_user=attacker
        )
        dm = f"D0{attacker[2:]}"  # the answer button of an old DM: it must not open a modal prefilled with answers
        assert NOT_MEMBER in await click(bot, fake, attacker, dm, action_id="leak_answer", value=answer_value)
    # another team: the opener herself, from another workspace's payload
    other = await command(bot, fake, ALICE, channel, "/leak-status", team="T0OTHER")
    assert "別のワークスペース" in other["text"] and "blocks" not in other

    # a new-incident form the bot never opened (a forged view id and external id) opens nothing
    forged = dict(opened.view, id="V0FORGED", external_id="leak-open-forged")
    payload = view_submission(forged, {"summary": "偽の事案"}, user_id=CAROL, trigger_id=fake.new_trigger_id())
    status_code, raw = await bot.post(interactive_body(payload))
    assert status_code == 200 and json.loads(raw)["response_action"] == "errors", raw

    # Alice (a member) still gets the checklist, and it shows the incident open with no owner; then the
    # attackers' requests must have left no trace in the channel
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        status = await Person(fake, http, ALICE).command(bot, "/leak-status", channel=channel)
    assert status.reply is not None and "blocks" in status.reply, status.text
    assert len(fake.messages[channel]) == posts_before  # nothing closed, snoozed or assigned was posted
    new_views = fake.calls_to("views.open")[views_before:]
    shown = [c.args["view"] if isinstance(c.args["view"], dict) else json.loads(c.args["view"]) for c in new_views]
    assert all(v.get("callback_id") != "leak_step" for v in shown)  # no step modal, prefilled or not
    assert len(fake.calls_to("conversations.create")) == 1  # the forged form opened no incident
    assert CAROL not in fake.channels[channel].members
