"""What happens in Slack when an incident opens, including Slack refusing names and people."""

from __future__ import annotations

import json

from tests.conftest import Harness
from tests.story import SUMMARY, TITLE, answer_buttons, messages, nothing_follows, open_incident, text_of


async def test_non_ascii_name_refused_falls_back_to_ascii(leakbot: Harness) -> None:
    leakbot.fake.ascii_channel_names_only = True
    channel = await open_incident(leakbot)
    assert leakbot.fake.channels[channel].name == "leak-20261126-1"
    refused = [c for c in leakbot.fake.calls_to("conversations.create") if not c.ok]
    assert refused[0].response["error"] == "invalid_name_specials"


async def test_taken_name_gets_a_suffix(leakbot: Harness) -> None:
    leakbot.fake.add_channel("leak-20261126-顧客dbの流出疑い")
    leakbot.fake.add_channel("leak-20261126-顧客dbの流出疑い-2")
    channel = await open_incident(leakbot)
    assert leakbot.fake.channels[channel].name == "leak-20261126-顧客dbの流出疑い-3"


async def test_two_incidents_with_the_same_title_get_two_channels(leakbot: Harness) -> None:
    first = await open_incident(leakbot)
    second = await open_incident(leakbot)
    assert first != second
    assert leakbot.fake.channels[second].name == "leak-20261126-顧客dbの流出疑い-2"


async def test_punctuation_and_spaces_become_hyphens(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, "Customer DB: export (v2)!")
    assert leakbot.fake.channels[channel].name == "leak-20261126-customer-db-export-v2"


async def test_a_responder_slack_refuses_is_named_in_the_channel(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, responders=["U0BOB", "U0NOBODY"])
    members = leakbot.fake.channels[channel].members
    assert {"U0ALICE", "U0BOB"} <= members and "U0NOBODY" not in members
    notice = await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "U0NOBODY" in text_of(m)], what="the invite notice"
    )
    assert "user_not_found" in text_of(notice[0])


async def test_channel_creation_refused_tells_the_opener(leakbot: Harness) -> None:
    leakbot.fake.fail("conversations.create", "restricted_action", times=1)
    reply = await leakbot.command("/leak-open", TITLE)
    assert reply.status == 200
    view = await leakbot.opened_view(1)
    reply = await leakbot.submit(view, {"summary": SUMMARY})
    assert reply.body["response_action"] == "update"
    update = await leakbot.fake.wait_for(
        "views.update", lambda c: "restricted_action" in json.dumps(c.args, ensure_ascii=False)
    )
    assert "#1" in json.dumps(update.args["view"], ensure_ascii=False)
    told = await leakbot.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == "U0ALICE")
    assert "restricted_action" in told.args["text"]  # a DM to the opener, in plain words
    await nothing_follows(leakbot)  # no second DM, no channel after all
    assert len(leakbot.fake.calls_to("chat.postMessage")) == 1
    incident = await leakbot.stored.incident(1)
    assert incident.channel_id is None and incident.status == "opening"
    assert (await leakbot.stored.answers(1))["summary"].value == SUMMARY  # nothing typed is lost


async def test_english_everywhere_with_leakbot_lang_en(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import start_harness, stop_harness

    harness, runner = await start_harness(fake, database_url, leakbot_lang="en")
    try:
        await harness.command("/leak-open", "Customer DB leak")
        view = await harness.opened_view(1)
        assert view["title"]["text"] == "Open a leak incident"
        await harness.submit(view, {"summary": "An invented test incident."})
        await harness.fake.wait_until(
            lambda: any(answer_buttons(m) for ch in harness.fake.messages.values() for m in ch),
            what="the first question",
        )
        channel = next(c for c in harness.fake.channels.values() if c.name.startswith("leak-"))
        texts = " ".join(text_of(m) for m in messages(harness, channel.id))
        assert "Checklist: Customer DB leak" in texts and "Which personal-data items" in texts
        assert "チェックリスト" not in texts
    finally:
        await stop_harness(harness, runner)


async def test_a_trigger_older_than_three_seconds_is_explained(leakbot: Harness) -> None:
    reply = await leakbot.command("/leak-open", TITLE, trigger_age=4)
    assert reply.status == 200
    refused = await leakbot.fake.wait_for("views.open")
    assert refused.response["error"] == "expired_trigger_id"
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the reply to the user")
    text = leakbot.fake.responses[-1][1]["text"]
    assert "expired_trigger_id" in text and "もう一度" in text
    assert leakbot.fake.calls_to("conversations.create") == []
