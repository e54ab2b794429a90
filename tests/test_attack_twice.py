"""Nothing twice, attacked where the engineers' tests sent one request after another: the same retry (or a
double click) arriving at once, as two replicas behind a balancer would each get one, on SQLite and
PostgreSQL. /leak-timeline with text and its retry make one entry; two clicks on "close" make one closing
notice, one final checklist and one "closed" answer."""

from __future__ import annotations

import asyncio

from tests.conftest import Harness
from tests.slack_payloads import block_actions, form_body, interactive_body, slash_command
from tests.story import messages, open_incident, text_of

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


async def test_a_timeline_command_and_its_retry_at_once_add_one_entry(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    payload = slash_command(
        "/leak-timeline",
        "10:05 架空のサーバーで不審なログインを確認",
        user_id="U0ALICE",
        channel_id=channel,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    body = form_body(payload)
    first, retry = await asyncio.gather(h.post(body), h.post(body, headers=RETRY))
    assert first.status == retry.status == 200
    listing = await h.reply("/leak-timeline", channel=channel)
    shown = str(listing.body)
    assert shown.count("不審なログインを確認") == 1, shown


async def test_close_confirmed_twice_at_once_closes_once(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)

    def click() -> bytes:
        payload = block_actions(
            action_id="leak_close_confirm",
            value="close",
            user_id="U0ALICE",
            channel_id=channel,
            trigger_id=h.fake.new_trigger_id(),
            response_url=h.fake.response_url(),
        )
        return interactive_body(payload)

    told = len(h.fake.responses)
    replies = await asyncio.gather(h.post(click()), h.post(click()))
    assert [r.status for r in replies] == [200, 200]
    answers = await h.fake.wait_until(lambda: h.fake.responses[told:] if len(h.fake.responses) >= told + 2 else None)
    texts = sorted(body.get("text", "") for _, body in answers)
    assert sum("クローズしました" in t for t in texts) == 1 and sum("すでにクローズ" in t for t in texts) == 1, texts
    await h.fake.wait_until(
        lambda: [m for m in messages(h, channel) if "クローズしました" in text_of(m)], what="the closing notice"
    )
    status = await h.reply("/leak-status", channel=channel)  # asked after: the closing's jobs come before it
    assert status.status == 200
    await h.settle()  # internal: nothing more is on its way, so the count below is final
    assert len([m for m in messages(h, channel) if "クローズしました" in text_of(m)]) == 1
