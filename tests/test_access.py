"""Only members of an incident's channel act on it; forged references to another incident are refused."""

from __future__ import annotations

import logging

import pytest

from bot.ui.metadata import OwnerRef, StepRef
from tests.conftest import Harness
from tests.slack_payloads import interactive_body
from tests.story import ANSWERS, answer, answer_buttons, last_question, open_incident, open_step


def told(h: Harness, user: str) -> list[str]:
    """Direct messages the bot sent this person."""
    return [c.args["text"] for c in h.fake.calls_to("chat.postMessage") if c.ok and c.args.get("channel") == user]


async def test_a_non_member_cannot_answer(leakbot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    channel = await open_incident(leakbot)  # Alice and Bob
    view = await open_step(leakbot, channel)
    reply = await leakbot.submit(view, ANSWERS[0][1], user="U0DAVE")
    assert reply.status == 200  # the modal closes at once; the check happens right after
    await leakbot.settle()
    assert "data_items" not in await leakbot.bot.flows.repo.answers(1)
    assert any("メンバーだけ" in text and "保存されていません" in text for text in told(leakbot, "U0DAVE"))
    assert any("U0DAVE" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_a_view_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)  # Alice's incident 1
    await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])  # incident 2, without Alice
    view = await open_step(leakbot, mine)
    forged = dict(view, private_metadata=StepRef(incident_id=2, step_id="data_items").dump())
    await leakbot.settle()
    posted = len([c for c in leakbot.fake.calls_to("chat.postMessage") if c.args.get("channel") != "U0ALICE"])
    await leakbot.submit(forged, ANSWERS[0][1], user="U0ALICE")
    await leakbot.settle()
    assert "data_items" not in await leakbot.bot.flows.repo.answers(2)
    assert len([c for c in leakbot.fake.calls_to("chat.postMessage") if c.args.get("channel") != "U0ALICE"]) == posted
    assert told(leakbot, "U0ALICE")


async def test_a_button_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)
    other = await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])
    value = answer_buttons(last_question(leakbot, other))[0]["value"]
    opened = len(leakbot.fake.calls_to("views.open"))
    await leakbot.click("leak_answer", value, channel=mine)
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the refusal")
    assert "このチャンネルのインシデントのものではない" in leakbot.fake.responses[-1][1]["text"]
    assert len(leakbot.fake.calls_to("views.open")) == opened


async def test_an_owner_picker_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)
    await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])
    payload = {"type": "block_actions", "team": {"id": "T0LEAK"}, "user": {"id": "U0ALICE", "team_id": "T0LEAK"},
               "channel": {"id": mine}, "trigger_id": leakbot.fake.new_trigger_id(),
               "response_url": leakbot.fake.response_url(),
               "actions": [{"type": "users_select", "action_id": "leak_owner", "selected_user": "U0ALICE",
                            "block_id": OwnerRef(incident_id=2, item_ids=["contact"]).dump(), "action_ts": "1"}]}
    await leakbot.post(interactive_body(payload))
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the refusal")
    assert await leakbot.bot.flows.repo.owner_history(2) == []


async def test_membership_is_cached_briefly_and_then_asked_again(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    for values in (ANSWERS[0][1], ANSWERS[1][1]):
        await answer(leakbot, channel, values)
    assert len(leakbot.fake.calls_to("conversations.members")) == 1
    leakbot.fake.channels[channel].members.discard("U0BOB")  # Bob leaves the channel
    leakbot.clock.advance(61)
    view = await open_step(leakbot, channel)
    await leakbot.submit(view, ANSWERS[2][1], user="U0BOB")
    await leakbot.settle()
    assert "services" not in await leakbot.bot.flows.repo.answers(1)
    assert len(leakbot.fake.calls_to("conversations.members")) == 2


async def test_when_slack_cannot_say_who_is_a_member_the_answer_waits_and_lands(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel)
    leakbot.fake.fail("conversations.members", "internal_error", status=500)
    reply = await leakbot.submit(view, ANSWERS[0][1])
    assert reply.status == 200
    await leakbot.settle()
    assert "data_items" not in await leakbot.bot.flows.repo.answers(1)  # nobody is let in on a guess
    leakbot.clock.advance(10)
    await leakbot.bot.scheduler.sweep()  # Slack answers again: the kept submission goes through
    await leakbot.settle()
    assert "data_items" in await leakbot.bot.flows.repo.answers(1)


async def test_the_incident_cache_asks_once_per_few_seconds_and_forgets_what_changed() -> None:
    from datetime import timedelta

    from bot.access import IncidentCache
    from tests.conftest import FakeClock

    asked: list[str] = []

    class Repo:
        async def incident_by_channel(self, channel: str) -> object:
            asked.append(channel)
            return type("Incident", (), {"id": 7})()

        async def incident(self, incident_id: int) -> None:
            asked.append(f"#{incident_id}")

    clock = FakeClock()
    cache = IncidentCache(Repo(), clock)
    first = await cache.by_channel("C1")
    assert await cache.by_channel("C1") is first and asked == ["C1"]
    clock.advance(IncidentCache.TTL.total_seconds() + 1)
    await cache.by_channel("C1")
    assert asked == ["C1", "C1"]
    cache.forget(7)  # this process changed incident 7 (say, closed it)
    await cache.by_channel("C1")
    assert asked == ["C1", "C1", "C1"]
    clock.advance(-timedelta(hours=1).total_seconds())  # a clock that went back never serves stale entries
    await cache.by_channel("C1")
    assert len(asked) == 4
