"""Members only, through every door Slack has: each registered command, button, modal and shortcut, tried
by someone who was never in the incident's channel and by someone who was removed from it, is refused
before anything is read or changed (handlers/context.py calls bot.usecases.access.admit for every request).

Also: membership events in Slack's order, requests of another team, and forged new-incident forms.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from bot.app import build
from storage.models import Base
from tests.conftest import GENERAL, Harness, settings_for
from tests.fake_slack import FakeSlack
from tests.slack_payloads import (
    block_actions,
    form_body,
    interactive_body,
    member_event,
    message_shortcut,
    slash_command,
    view_submission,
)
from tests.story import ANSWERS, answer, answer_buttons, last_question, open_incident, open_step

ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
NOT_MEMBER = "メンバーだけ"  # the words of access.not_member (ja)
OTHER_TEAM = "別のワークスペース"  # the words of access.other_team (ja)
# A reference the bot could have made for incident 1, in every shape at once (StepRef, OwnerRef, ReviewRef,
# ReviewSnoozeRef, IncidentRef): whichever a listener reads, it names incident 1.
REF = json.dumps({"incident_id": 1, "draft_id": 1, "step_id": "data_items", "item_ids": ["contact"], "seconds": 3600})
# Listeners about no incident, and why: nothing here reads or changes an incident.
ABOUT_NO_INCIDENT = {
    ("command", "/leak-open"),  # opens a new-incident form (its submission: test_a_forged_new_incident_form_...)
    ("command", "/leak-list"),  # lists only the asker's own incidents (the members table)
    ("shortcut", "leak_open"),  # the global shortcut: a new-incident form
    ("view", "leak_open"),  # the new-incident form
    ("action", "^leak_home_page_"),  # another page of the asker's own incidents
}
KINDS = ("command", "action", "view", "shortcut", "event")


def _name(constraint: Any) -> str:
    if isinstance(constraint, re.Pattern):
        return constraint.pattern
    if isinstance(constraint, dict):  # app.view({"type": ..., "callback_id": ...})
        return str(constraint.get("callback_id"))
    return str(constraint)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[tuple[str, str]]:
    """Every (kind, id) that handlers.register() hands to Bolt, recorded while a bot is built."""
    seen: set[tuple[str, str]] = set()
    for kind in KINDS:
        original = getattr(AsyncApp, kind)

        def spy(self: AsyncApp, name: Any, *args: Any, _kind: str = kind, _original: Any = original, **kw: Any) -> Any:
            seen.add((_kind, _name(name)))
            return _original(self, name, *args, **kw)

        monkeypatch.setattr(AsyncApp, kind, spy)
    fake = FakeSlack()  # never started: building the bot calls nothing
    fake.url = "http://127.0.0.1:9/api/"
    build(settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'listeners.db'}"))
    return seen


async def snapshot(h: Harness) -> dict[str, list[str]]:
    """Every row of every table but the job queue, the members (a refusal of someone the records do not
    have in the channel asks Slack for its members again, which makes the records true to Slack) and the
    people's languages (telling a refusal in the person's language asks Slack for it, and keeps it)."""
    async with h.bot.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in (await connection.execute(table.select())).all())
            for table in Base.metadata.sorted_tables
            if table.name not in ("jobs", "members", "people")
        }


async def members(h: Harness, channel: str) -> set[str]:
    async with h.bot.repo.read() as tx:
        return await tx.members(channel)


def slack_writes(h: Harness) -> dict[str, int]:
    """Calls that change what anyone sees in Slack (a refusal shown only to the person is a views.open notice)."""
    methods = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.update", "views.publish", "pins.add")
    return {m: len(h.fake.calls_to(m)) for m in methods} | {
        "channel_messages": sum(len(m) for m in h.fake.messages.values())
    }


async def removed(h: Harness, channel: str, user: str) -> None:
    """Someone is removed from the channel; Slack tells the bot."""
    h.fake.channels[channel].members.discard(user)
    assert (await h.member("member_left_channel", user, channel)).status == 200


async def an_incident_with_history(h: Harness) -> str:
    """Incident 1: Alice and Bob in its channel, a first answer given by Bob, then Bob removed."""
    channel = await open_incident(h, responders=[BOB])
    await answer(h, channel, ANSWERS[0][1], user=BOB)
    await removed(h, channel, BOB)
    return channel


async def refused_by_response_url(h: Harness, response_url: str, what: str) -> str:
    rid = response_url.rsplit("/", 1)[1]
    [(_, body)] = await h.fake.wait_until(lambda: [r for r in h.fake.responses if r[0] == rid], what=what)
    assert body["response_type"] == "ephemeral" and body.get("replace_original") is False, (what, body)
    return str(body["text"])


async def refused_by_notice(h: Harness, trigger: str, what: str) -> str:
    call = await h.fake.wait_for("views.open", lambda c: c.args.get("trigger_id") == trigger)
    shown = json.dumps(call.args["view"], ensure_ascii=False)
    assert "input" not in shown and "leak_step" not in shown, (what, shown)  # a notice: no form, no answers
    return shown


async def attack(
    h: Harness, kind: str, name: str, *, user: str, channel: str, team: str = "T0LEAK", message: Any = None
) -> list[str]:
    """Sends what `user` could send to this listener about incident 1 (a shortcut: on `message`); returns
    what each try was told."""
    told: list[str] = []
    what = f"{kind} {name} by {user}"
    if kind == "command":
        reply = await h.post(
            form_body(
                slash_command(
                    name,
                    "data_items",
                    user_id=user,
                    channel_id=channel,
                    trigger_id=h.fake.new_trigger_id(),
                    response_url=h.fake.response_url(),
                    team_id=team,
                )
            )
        )
        assert reply.status == 200 and reply.body["response_type"] == "ephemeral", (what, reply)
        told.append(reply.body["text"])
    elif kind == "action":
        action_id = name.lstrip("^") + ("3600" if name.startswith("^") else "")
        for where in (channel, "D0ATTACKER", None):  # the channel, a DM (an old nudge or reminder), the Home tab
            trigger, response_url = h.fake.new_trigger_id(), h.fake.response_url()
            payload = block_actions(
                action_id=action_id,
                value=REF,
                block_id=REF,
                user_id=user,
                channel_id=where,
                trigger_id=trigger,
                response_url=response_url if where else None,
                view={"id": "V0HOME", "type": "home", "blocks": []} if where is None else None,
                team_id=team,
            )
            reply = await h.post(interactive_body(payload))
            assert reply.status == 200, (what, reply)
            if where is None:
                told.append(await refused_by_notice(h, trigger, f"{what} on the Home tab"))
            else:
                told.append(await refused_by_response_url(h, response_url, f"{what} in {where}"))
    elif kind == "view":
        view = {
            "id": f"V0FORGED{len(h.fake.calls)}",
            "type": "modal",
            "callback_id": name,
            "external_id": "",
            "private_metadata": REF,
            "blocks": [
                {
                    "type": "input",
                    "block_id": "data_items",
                    "label": {"type": "plain_text", "text": "x"},
                    "element": {"type": "plain_text_input", "action_id": "value"},
                }
            ],
        }
        payload = view_submission(view, {"data_items": "架空の値"}, user_id=user, team_id=team)
        reply = await h.post(interactive_body(payload))
        assert reply.status == 200 and reply.body["response_action"] == "errors", (what, reply)
        assert len(reply.body["errors"]) == 1, (what, "reached the listener's own checks", reply.body)
        told.extend(reply.body["errors"].values())
    elif kind == "shortcut":  # a message shortcut (the global one is about no incident)
        response_url = h.fake.response_url()
        payload = message_shortcut(
            name,
            user_id=user,
            channel_id=channel,
            message=message,
            trigger_id=h.fake.new_trigger_id(),
            response_url=response_url,
            team_id=team,
        )
        reply = await h.post(interactive_body(payload))
        assert reply.status == 200, (what, reply)
        told.append(await refused_by_response_url(h, response_url, what))
    return told


async def test_every_listener_refuses_a_non_member_and_a_removed_member(
    leakbot: Harness, registered: set[tuple[str, str]]
) -> None:
    h = leakbot
    channel = await an_incident_with_history(h)
    attacked = sorted(entry for entry in registered if entry[0] != "event" and entry not in ABOUT_NO_INCIDENT)
    # the test knows every kind of door: a new command, button, modal or shortcut is attacked here by itself
    assert {kind for kind, _ in attacked} == {"command", "action", "view", "shortcut"}
    assert len(attacked) >= 25, attacked
    message = h.fake.add_message(channel, "架空の社内メッセージ：件数は調査中", user=ALICE)  # for the shortcuts
    await h.settle()  # "nothing changed" is measured from here
    before, writes = await snapshot(h), slack_writes(h)
    for kind, name in attacked:
        for user in (CAROL, BOB):
            for said in await attack(h, kind, name, user=user, channel=channel, message=message):
                assert NOT_MEMBER in said, (kind, name, user, said)
    await h.settle()
    assert await snapshot(h) == before  # nothing stored, closed, assigned, snoozed, recorded
    assert slack_writes(h) == writes  # nothing posted, updated or published
    assert {BOB, CAROL}.isdisjoint(await members(h, channel))


async def test_the_measured_breaks_are_closed(leakbot: Harness) -> None:
    """The attacks of issue 18, one by one, by a removed member: close, ownership, snooze, /leak-status,
    and the prefilled step modal through the answer button of an old DM."""
    h = leakbot
    channel = await open_incident(h, responders=[BOB])
    question = last_question(h, channel)
    dm_value = answer_buttons(question)[0]["value"]  # the same button a nudge DM carries
    await answer(h, channel, ANSWERS[0][1], user=ALICE)
    await removed(h, channel, BOB)
    await h.settle()
    before, writes = await snapshot(h), slack_writes(h)

    status = await h.command("/leak-status", user=BOB, channel=channel)
    assert NOT_MEMBER in status.body["text"] and "blocks" not in status.body  # no checklist, no answers

    for action_id, value in (("leak_close_confirm", None), ("leak_snooze_86400", "86400")):
        url = h.fake.response_url()
        payload = block_actions(
            action_id=action_id,
            value=value,
            user_id=BOB,
            channel_id=channel,
            trigger_id=h.fake.new_trigger_id(),
            response_url=url,
        )
        assert (await h.post(interactive_body(payload))).status == 200
        assert NOT_MEMBER in await refused_by_response_url(h, url, action_id)

    url = h.fake.response_url()
    picker = block_actions(
        action_id="leak_owner",
        block_id=json.dumps({"incident_id": 1, "item_ids": ["contact"]}),
        selected_user=BOB,
        user_id=BOB,
        channel_id=channel,
        trigger_id=h.fake.new_trigger_id(),
        response_url=url,
    )
    assert (await h.post(interactive_body(picker))).status == 200
    assert NOT_MEMBER in await refused_by_response_url(h, url, "the owner picker")

    trigger, url = h.fake.new_trigger_id(), h.fake.response_url()
    old_dm = block_actions(
        action_id="leak_answer", value=dm_value, user_id=BOB, channel_id="D0BOB", trigger_id=trigger, response_url=url
    )
    assert (await h.post(interactive_body(old_dm))).status == 200
    assert NOT_MEMBER in await refused_by_response_url(h, url, "the answer button of an old DM")
    assert not [c for c in h.fake.calls_to("views.open") if c.args.get("trigger_id") == trigger]  # no prefill

    await h.settle()
    assert await snapshot(h) == before
    assert slack_writes(h) == writes
    incident = await h.stored.incident(1)
    assert not incident.closed and await h.stored.owner_history(1) == []


async def test_membership_events_apply_in_slacks_order_not_in_order_of_arrival(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=[BOB])
    at = 1_900_000_000.0  # Slack's clock for the events (any fixed time: only their order matters)
    h.fake.channels[channel].members.discard(BOB)
    left = member_event("member_left_channel", user_id=BOB, channel_id=channel, event_time=at + 2)
    retried_join = member_event("member_joined_channel", user_id=BOB, channel_id=channel, event_time=at + 1)
    assert (await h.post(left, content_type="application/json")).status == 200
    assert (await h.post(retried_join, content_type="application/json")).status == 200  # arrives late
    again = member_event("member_left_channel", user_id=BOB, channel_id=channel, event_time=at + 2)  # a retry
    assert (await h.post(again, content_type="application/json")).status == 200

    status = await h.command("/leak-status", user=BOB, channel=channel)
    assert NOT_MEMBER in status.body["text"]  # still removed
    async with h.bot.repo.read() as tx:
        assert not await tx.is_member(channel, BOB)

    h.fake.channels[channel].members.add(BOB)  # Bob is really added back later
    rejoined = member_event("member_joined_channel", user_id=BOB, channel_id=channel, event_time=at + 3)
    assert (await h.post(rejoined, content_type="application/json")).status == 200
    view = await open_step(h, channel, user=BOB)  # and may act again
    assert view["callback_id"] == "leak_step"


async def test_requests_of_another_team_are_refused_whatever_their_shape(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=[BOB])
    await h.settle()
    before, writes = await snapshot(h), slack_writes(h)

    for name in ("/leak-status", "/leak-close", "/leak-open"):  # a command
        [said] = await attack(h, "command", name, user=ALICE, channel=channel, team="T0OTHER")
        assert OTHER_TEAM in said
    url = h.fake.response_url()  # a button, its team named by team.id and user.team_id
    button = block_actions(
        action_id="leak_close_confirm",
        user_id=ALICE,
        channel_id=channel,
        trigger_id=h.fake.new_trigger_id(),
        response_url=url,
        team_id="T0OTHER",
    )
    assert (await h.post(interactive_body(button))).status == 200
    assert OTHER_TEAM in await refused_by_response_url(h, url, "a button of another team")
    url = h.fake.response_url()  # only the user's team differs
    button = block_actions(
        action_id="leak_close_confirm",
        user_id=ALICE,
        channel_id=channel,
        trigger_id=h.fake.new_trigger_id(),
        response_url=url,
    )
    button["user"]["team_id"] = "T0OTHER"
    assert (await h.post(interactive_body(button))).status == 200
    assert OTHER_TEAM in await refused_by_response_url(h, url, "a user of another team")
    [said] = await attack(h, "view", "leak_step", user=ALICE, channel=channel, team="T0OTHER")  # a view submission
    assert OTHER_TEAM in said
    joined = member_event("member_joined_channel", user_id=CAROL, channel_id=channel, team_id="T0OTHER")  # an event
    assert (await h.post(joined, content_type="application/json")).status == 400

    await h.settle()
    assert await snapshot(h) == before  # nothing closed, no incident opened
    assert CAROL not in await members(h, channel)
    assert slack_writes(h) == writes


async def test_a_new_incident_form_the_bot_did_not_open_for_that_person_is_refused(leakbot: Harness) -> None:
    h = leakbot
    alices = await h.modal("/leak-open", "架空の流出疑い", user=ALICE)
    await h.settle()
    before, writes = await snapshot(h), slack_writes(h)
    forged_view = dict(alices, id="V0NEVEROPENED", external_id="leak-open-forged")
    for view, user in ((forged_view, ALICE), (dict(alices, external_id=""), ALICE), (alices, BOB)):
        payload = view_submission(view, {"summary": "架空の概要"}, user_id=user)
        reply = await h.post(interactive_body(payload))
        assert reply.status == 200 and reply.body["response_action"] == "errors", reply
        [message] = reply.body["errors"].values()
        assert "/leak-open" in message
    await h.settle()
    assert await snapshot(h) == before  # no incident
    assert slack_writes(h) == writes and not h.fake.calls_to("conversations.create")
    # the form the bot opened for Alice still works for her
    reply = await h.post(interactive_body(view_submission(alices, {"summary": "架空の概要"}, user_id=ALICE)))
    assert reply.body["response_action"] == "update", reply
    assert (await h.stored.incident(1)).opener_id == ALICE


async def test_a_member_still_gets_through_every_door(leakbot: Harness) -> None:
    """The door does not stand in a member's way: Bob (a member) reads the status and answers."""
    h = leakbot
    channel = await open_incident(h, responders=[BOB])
    status = await h.reply("/leak-status", user=BOB, channel=channel)
    assert NOT_MEMBER not in json.dumps(status.body, ensure_ascii=False) and status.body.get("blocks")
    await answer(h, channel, ANSWERS[0][1], user=BOB)
    assert (await h.stored.answers(1))["data_items"].user_id == BOB
    outside = await h.reply("/leak-status", user=BOB, channel=GENERAL)
    assert "インシデントチャンネル" in outside.body["text"]


async def test_over_socket_mode_the_same_door_refuses_in_the_envelopes_ack(fake: FakeSlack, socket_bot: Any) -> None:
    command = slash_command(
        "/leak-open",
        "ソケット経由の架空の事案",
        user_id=ALICE,
        channel_id=GENERAL,
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    await fake.socket_send("slash_commands", command)
    call = await fake.wait_for("views.open", lambda c: c.ok)
    submission = view_submission(fake.views[call.response["view"]["id"]], {"summary": "架空の概要"}, user_id=ALICE)
    assert (await fake.socket_send("interactive", submission))["payload"]["response_action"] == "update"
    channel = (await fake.wait_for("conversations.create", lambda c: c.ok)).response["channel"]["id"]
    await fake.wait_for("pins.add", lambda c: c.ok)

    for user, team, words in ((CAROL, "T0LEAK", NOT_MEMBER), (ALICE, "T0OTHER", OTHER_TEAM)):
        status = slash_command(
            "/leak-status",
            user_id=user,
            channel_id=channel,
            trigger_id=fake.new_trigger_id(),
            response_url=fake.response_url(),
            team_id=team,
        )
        ack = await fake.socket_send("slash_commands", status)
        assert ack["payload"]["response_type"] == "ephemeral" and words in ack["payload"]["text"], ack
        assert "blocks" not in ack["payload"]
