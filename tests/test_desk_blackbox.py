"""The incident desk against a real leakbot process (`python -m bot`), signed HTTP only, looking only at
what the fake Slack received: app_home_opened makes views.publish list exactly the viewer's incidents."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import SIGNING_SECRET, postgres_database
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import event_callback, interactive_body, message_shortcut, sign
from tests.test_read_your_writes import WAIT, Person

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="real processes with POSIX signals")


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot(request: pytest.FixtureRequest, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[BotProcess]:
    if request.param == "sqlite":
        process = BotProcess(fake, tmp_path)
        await process.start()
        try:
            yield process
        finally:
            await process.stop()
        return
    async with postgres_database() as url:
        process = BotProcess(fake, tmp_path, database_url=url)
        try:
            await process.start()
            yield process
        finally:
            await process.stop()


async def post_event(bot: BotProcess, event: dict) -> int:
    """Slack delivers an Events API callback (JSON), signed."""
    body = event_callback(event)
    headers = {"Content-Type": "application/json", **sign(SIGNING_SECRET, body)}
    async with aiohttp.ClientSession() as http, http.post(bot.events_url, data=body, headers=headers) as response:
        return response.status


async def test_app_home_opened_publishes_exactly_the_viewers_incidents(bot: BotProcess, fake: FakeSlack) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        alice, carol = Person(fake, http, "U0ALICE"), Person(fake, http, "U0CAROL")
        ours = await alice.open_incident(bot, "架空の漏えい事案A", "テスト用の架空の事案A。")
        theirs = await carol.open_incident(bot, "架空の漏えい事案B", "テスト用の架空の事案B。")

    for user, shown, hidden in (("U0ALICE", ours, theirs), ("U0CAROL", theirs, ours), ("U0BOB", None, None)):
        assert await post_event(bot, {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"}) == 200
        try:
            call = await fake.wait_for(
                "views.publish", lambda c, u=user: c.ok and c.args.get("user_id") == u, timeout=WAIT
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- log:\n{bot.log_tail()}") from None
        view = call.args["view"] if isinstance(call.args["view"], dict) else json.loads(call.args["view"])
        text = json.dumps(view["blocks"], ensure_ascii=False)
        channels = {c for c in (ours, theirs) if c in text}
        assert channels == ({shown} if shown else set()), f"{user}'s Home lists {channels}"
        if hidden:
            assert hidden not in text


async def test_the_message_shortcut_opens_the_form_prefilled_from_the_message(bot: BotProcess, fake: FakeSlack) -> None:
    general = fake.channel_by_name("general")
    message = fake.add_message(
        general.id, "会員データが <https://paste.example/abc|外部サイト> に出ているようです", user="U0BOB"
    )
    trigger = fake.new_trigger_id()
    payload = message_shortcut(
        "leak_open_from_message",
        user_id="U0ALICE",
        channel_id=general.id,
        message=message,
        trigger_id=trigger,
        response_url=fake.response_url(),
    )
    status, raw = await bot.post(interactive_body(payload))
    assert status == 200 and not raw.strip(), raw
    try:
        call = await fake.wait_for("views.open", lambda c: c.ok and c.args.get("trigger_id") == trigger, timeout=WAIT)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- log:\n{bot.log_tail()}") from None
    view = fake.views[call.response["view"]["id"]]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    summary = inputs["summary"]["initial_value"]
    assert summary.startswith("会員データが 外部サイト (https://paste.example/abc) に出ているようです")
    assert f"https://leak-test.slack.com/archives/{general.id}/p{message['ts'].replace('.', '')}" in summary
    assert inputs["responders"]["initial_users"] == ["U0BOB"]
