"""Attacks on "a signed payload of the wrong shape is a 400" (issue 18, promise 5) that the door's own tests
do not try, against a real leakbot: fields that Slack always sends left out where Bolt or a listener
indexes them (a view without its type, an empty `actions`, a slash command without its user), form bodies
without `payload` or with one that is not JSON, a body too large, an `event` that is a list, Slack's
url_verification and ssl_check. Each answers without a 500 and without a traceback; the refused ones in
one log line each; none makes a Slack call."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import interactive_body, sign

USER = {"id": "U0ALICE", "team_id": "T0LEAK"}
COMMAND = {
    "team_id": "T0LEAK",
    "channel_id": "C0GENERAL",
    "user_id": "U0ALICE",
    "command": "/leak-next",
    "text": "",
    "response_url": "http://127.0.0.1:9/commands/1",
    "trigger_id": "1.2.abc",
}
# Shapes Slack never sends, each missing something Bolt or a listener reads without looking first.
REFUSED_FORMS = {
    "actions is empty": interactive_body(
        {"type": "block_actions", "user": USER, "team": {"id": "T0LEAK"}, "actions": []}
    ),
    "a submitted view without its type": interactive_body(
        {
            "type": "view_submission",
            "user": USER,
            "team": {"id": "T0LEAK"},
            "view": {"id": "V0X", "callback_id": "leak_step", "private_metadata": "{}", "state": {"values": {}}},
        }
    ),
    "a closed view without its type": interactive_body(
        {
            "type": "view_closed",
            "user": USER,
            "team": {"id": "T0LEAK"},
            "view": {"id": "V0X", "callback_id": "leak_step"},
        }
    ),
    "a command without its user": urlencode({k: v for k, v in COMMAND.items() if k != "user_id"}).encode(),
    "a command without its channel": urlencode({k: v for k, v in COMMAND.items() if k != "channel_id"}).encode(),
    "a command without its response_url": urlencode({k: v for k, v in COMMAND.items() if k != "response_url"}).encode(),
    "a message's button without its response_url": interactive_body(
        {
            "type": "block_actions",
            "user": USER,
            "team": {"id": "T0LEAK"},
            "container": {"type": "message", "message_ts": "1.000100", "channel_id": "C0GENERAL"},
            "channel": {"id": "C0GENERAL"},
            "message": {"ts": "1.000100", "text": ""},
            "trigger_id": "1.2.abc",
            "actions": [{"action_id": "leak_answer", "block_id": "b", "type": "button", "value": "{}"}],
        }
    ),
    "an empty payload": b"payload=",
    "a payload that is not JSON": b"payload=%7Bnot%20json",
    "a payload that is NaN": b"payload=NaN",
}
REFUSED_JSON = {
    "event is a list": {"type": "event_callback", "team_id": "T0LEAK", "event": [{"type": "app_home_opened"}]},
    "a challenge that is a list": {"type": "url_verification", "challenge": ["x"]},
    "a url_verification without its challenge": {"type": "url_verification"},
}


async def post(http: aiohttp.ClientSession, bot: BotProcess, body: bytes, content_type: str) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(SIGNING_SECRET, body)}
    async with http.post(bot.events_url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def test_what_slack_always_sends_left_out_is_a_400_not_a_500(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            answers = {
                name: await post(http, bot, body, "application/x-www-form-urlencoded")
                for name, body in REFUSED_FORMS.items()
            }
            for name, payload in REFUSED_JSON.items():
                answers[name] = await post(http, bot, json.dumps(payload).encode(), "application/json")
            # Slack's own checks are answered as Slack expects
            challenge = await post(
                http, bot, json.dumps({"type": "url_verification", "challenge": "架空-c"}).encode(), "application/json"
            )
            ssl_check = await post(http, bot, b"ssl_check=1&token=x", "application/x-www-form-urlencoded")
            # a form without `payload` (nothing the bot handles) and a body beyond the limit change nothing
            no_payload = await post(http, bot, b"foo=bar", "application/x-www-form-urlencoded")
            huge = await post(http, bot, b"payload=" + b"x" * 2_000_000, "application/x-www-form-urlencoded")
    finally:
        await bot.stop()
    assert {name: status for name, (status, _) in answers.items()} == dict.fromkeys(answers, 400), bot.log_tail()
    assert challenge == (200, json.dumps({"challenge": "架空-c"}, ensure_ascii=False)) or (
        challenge[0] == 200 and json.loads(challenge[1]) == {"challenge": "架空-c"}
    )
    assert ssl_check[0] == 200
    assert no_payload[0] in (400, 404) and huge[0] == 413
    log = bot.log_path.read_text()
    assert "Traceback" not in log and " ERROR " not in log, bot.log_tail(60)
    assert log.count("refused a signed request") == len(answers), bot.log_tail(60)
    assert [c.method for c in fake.calls] == ["auth.test"]
