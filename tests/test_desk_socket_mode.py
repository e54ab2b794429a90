"""The incident desk in Socket Mode: app_home_opened as an events_api envelope, the message shortcut
as an interactive one. Waits only on the fake Slack's recorded calls."""

from __future__ import annotations

import json

from bot.app import Leakbot
from tests.fake_slack import FakeSlack
from tests.slack_payloads import message_shortcut, slash_command, view_submission


async def test_home_and_message_shortcut_over_socket_mode(fake: FakeSlack, socket_bot: Leakbot) -> None:
    command = slash_command(
        "/leak-open",
        "ソケット経由の事案",
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    await fake.socket_send("slash_commands", command)
    call = await fake.wait_for("views.open", lambda c: c.ok)
    view = fake.views[call.response["view"]["id"]]
    await fake.socket_send("interactive", view_submission(view, {"summary": "架空の試験"}, user_id="U0ALICE"))
    await fake.wait_for("pins.add", lambda c: c.ok)
    channel = fake.channel_by_name("leak-20261126-ソケット経由の事案")

    for user, listed in (("U0ALICE", True), ("U0BOB", False)):
        event = {
            "token": "unused",
            "team_id": "T0LEAK",
            "api_app_id": "A0LEAKAPP",
            "type": "event_callback",
            "event_id": f"Ev0HOME{user}",
            "event_time": 1,
            "event": {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home", "event_ts": "1.0"},
        }
        await fake.socket_send("events_api", event)
        published = await fake.wait_for("views.publish", lambda c, u=user: c.ok and c.args.get("user_id") == u)
        blocks = (
            published.args["view"]["blocks"]
            if isinstance(published.args["view"], dict)
            else json.loads(published.args["view"])["blocks"]
        )
        assert (channel.id in json.dumps(blocks)) is listed

    general = fake.channel_by_name("general")
    message = fake.add_message(general.id, "漏えいの疑いがあります", user="U0BOB")
    opened = len([c for c in fake.calls_to("views.open") if c.ok])
    await fake.socket_send(
        "interactive",
        message_shortcut(
            "leak_open_from_message",
            user_id="U0ALICE",
            channel_id=general.id,
            message=message,
            trigger_id=fake.new_trigger_id(),
            response_url=fake.response_url(),
        ),
    )
    call = await fake.wait_for("views.open", lambda c: c.ok, count=opened + 1)
    inputs = {
        b["block_id"]: b["element"]
        for b in fake.views[call.response["view"]["id"]]["blocks"]
        if b.get("type") == "input"
    }
    assert inputs["summary"]["initial_value"].startswith("漏えいの疑いがあります")
    assert inputs["responders"]["initial_users"] == ["U0BOB"]
