"""A fast person in process: submit a step, then `/leak-next` the moment Slack has the bot's ack.

Over signed HTTP on the `leakbot` fixture (SQLite and PostgreSQL), and through Socket Mode. The
`/leak-next` after a submission is sent as soon as the submission is acknowledged, with no wait for
anything the bot does after its ack; every wait is on the fake Slack (the modal it opened, the reply
in the ack, the pinned checklist updated by chat.update). The same rounds against real processes are
in tests/test_read_your_writes.py.
"""

from __future__ import annotations

import json
from typing import Any

from bot.app import Leakbot
from tests.conftest import GENERAL, Harness
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, slash_command, view_submission
from tests.story import answer_buttons, open_incident, text_of
from tests.test_read_your_writes import STEPS, answers_for, check_step_modal, only_present

ROUNDS = 10
ALL_REQUIRED_IN = "必須項目はすべて回答済み"


def shown_on_checklist(n: int) -> dict[str, str]:
    """For each step, text of the n-th incident's answer (answers_for(n)) as the pinned checklist shows it."""
    return {
        "data_items": f"架空の会員番号（第{n}系統）",
        "counts": f"{12000 + n:,}",
        "services": f"テスト商店{n}号店",
        "card_bank": "含まれていない（確認済み）",
        "customer_actions": f"件名「テスト{n}」",
        "contact": f"0120-000-{n:03d}",
    }


def pinned_ts(fake: FakeSlack, channel: str) -> str:
    return fake.pins[channel][0]


async def checklist_shows(fake: FakeSlack, channel: str, shown: str, where: str) -> None:
    """Waits for a chat.update of the channel's pinned checklist that shows `shown`."""
    ts = pinned_ts(fake, channel)
    try:
        await fake.wait_for(
            "chat.update",
            lambda c: c.ok and c.args.get("channel") == channel and c.args.get("ts") == ts and shown in text_of(c.args),
        )
    except AssertionError as error:
        raise AssertionError(f"{where}: the pinned checklist never showed {shown!r}\n{error}") from None


# ------------------------------------------------------------------------ over HTTP, in process


async def leak_next(h: Harness, channel: str) -> tuple[dict[str, Any] | None, Any]:
    """/leak-next: the modal it opened (waited for in Slack by its trigger_id), or the reply in its ack."""
    trigger = h.fake.new_trigger_id()
    payload = slash_command(
        "/leak-next", "", user_id="U0ALICE", channel_id=channel, trigger_id=trigger, response_url=h.fake.response_url()
    )
    reply = await h.post(form_body(payload))
    assert reply.status == 200, reply
    if reply.body is not None:
        return None, reply.body
    call = await h.fake.wait_for("views.open", lambda c: c.args.get("trigger_id") == trigger)
    assert call.ok, call.response
    return h.fake.views[call.response["view"]["id"]], None


async def test_submit_then_leak_next_at_once_opens_the_next_step_every_time(leakbot: Harness) -> None:
    h = leakbot
    rounds, n = 0, 0
    while rounds < ROUNDS:
        n += 1
        answers, shown = answers_for(n), shown_on_checklist(n)
        channel = await open_incident(h, f"架空の漏えい事案{n}")
        view, said = await leak_next(h, channel)
        assert view is not None, f"incident {n}: the first /leak-next opened no modal: {said}"
        check_step_modal(view, STEPS[0], f"incident {n}, first /leak-next")
        for index, step in enumerate(STEPS):
            reply = await h.submit(view, only_present(view, answers[step.name]))
            assert reply.status == 200 and reply.body is None, f"incident {n}, {step.name}: {reply}"
            view, said = await leak_next(h, channel)  # no pause: right after the 200
            rounds += 1
            where = f"round {rounds} (incident {n}): /leak-next right after the 200 for {step.name}"
            if index + 1 < len(STEPS):
                assert view is not None, f"{where}: opened no modal but said {said}"
                check_step_modal(view, STEPS[index + 1], where)
            else:
                assert view is None, f"{where}: opened a modal though every required item is answered"
                assert ALL_REQUIRED_IN in json.dumps(said, ensure_ascii=False), f"{where}: said {said}"
            await checklist_shows(h.fake, channel, shown[step.name], where)
    assert rounds >= ROUNDS


# ------------------------------------------------------------------------------- Socket Mode


async def socket_leak_next(fake: FakeSlack, channel: str) -> tuple[dict[str, Any] | None, dict]:
    """/leak-next over Socket Mode: the modal it opened, or the reply in the envelope's ack."""
    trigger = fake.new_trigger_id()
    command = slash_command(
        "/leak-next", "", user_id="U0ALICE", channel_id=channel, trigger_id=trigger, response_url=fake.response_url()
    )
    ack = await fake.socket_send("slash_commands", command)
    if ack.get("payload"):
        return None, ack["payload"]
    call = await fake.wait_for("views.open", lambda c: c.args.get("trigger_id") == trigger)
    assert call.ok, call.response
    return fake.views[call.response["view"]["id"]], {}


async def test_socket_mode_submit_then_leak_next_at_once_opens_the_next_step(
    fake: FakeSlack, socket_bot: Leakbot
) -> None:
    opening = slash_command(
        "/leak-open",
        "ソケット経由の速い人",
        user_id="U0ALICE",
        channel_id=GENERAL,
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    await fake.socket_send("slash_commands", opening)
    call = await fake.wait_for("views.open", lambda c: c.ok)
    view = fake.views[call.response["view"]["id"]]
    ack = await fake.socket_send(
        "interactive", view_submission(view, {"summary": "ソケットモードの速い人（架空）"}, user_id="U0ALICE")
    )
    assert ack["payload"]["response_action"] == "update"
    done = await fake.wait_for(
        "views.update",
        lambda c: c.args.get("view_id") == view["id"] and "<#C" in json.dumps(c.args.get("view"), ensure_ascii=False),
    )
    channel = json.dumps(done.args["view"], ensure_ascii=False).split("<#")[1].split(">")[0].split("|")[0]
    await fake.wait_until(
        lambda: any(answer_buttons(m) for m in fake.messages.get(channel, [])), what="the first question"
    )

    answers, shown = answers_for(1), shown_on_checklist(1)
    step_view, said = await socket_leak_next(fake, channel)
    assert step_view is not None, f"the first /leak-next opened no modal: {said}"
    check_step_modal(step_view, STEPS[0], "first /leak-next")
    for index, step in enumerate(STEPS):
        submission = view_submission(
            step_view, only_present(step_view, answers[step.name]), user_id="U0ALICE", trigger_id=fake.new_trigger_id()
        )
        ack = await fake.socket_send("interactive", submission)
        assert not (ack.get("payload") or {}).get("errors"), f"{step.name}: refused: {ack}"
        step_view, said = await socket_leak_next(fake, channel)  # no pause: right after the ack
        where = f"round {index + 1}: /leak-next right after the ack for {step.name}"
        if index + 1 < len(STEPS):
            assert step_view is not None, f"{where}: opened no modal but said {said}"
            check_step_modal(step_view, STEPS[index + 1], where)
        else:
            assert step_view is None, f"{where}: opened a modal though every required item is answered"
            assert ALL_REQUIRED_IN in json.dumps(said, ensure_ascii=False), f"{where}: said {said}"
        await checklist_shows(fake, channel, shown[step.name], where)
    await fake.wait_until(
        lambda: [m for m in messages_in(fake, channel) if "公表文の下書き（第1版）" in text_of(m)],
        what="the first draft",
    )


def messages_in(fake: FakeSlack, channel: str) -> list[dict]:
    return fake.messages.get(channel, [])
