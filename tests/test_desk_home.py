"""The incident desk (issue 11): the App Home tab and /leak-list, through signed HTTP, on both databases.

Every wait is on what the fake Slack received (views.publish, views.open) or on the reply itself.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.ui.ids import HOME_ANSWER_ACTION, HOME_PAGE_ACTION
from storage.models import IncidentRow, MemberRow
from tests.conftest import GENERAL, START, Harness
from tests.slack_payloads import block_actions, event_callback, interactive_body
from tests.story import ANSWERS, Unchanged, answer, answer_required, open_incident

EVE = "U0EVE"  # in no incident channel


def home_text(view: dict[str, Any]) -> str:
    return json.dumps(view.get("blocks") or [], ensure_ascii=False)


async def open_home(h: Harness, user: str) -> dict[str, Any]:
    """The person opens the App Home tab; returns the view Slack then shows them."""
    before = len([c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == user])
    reply = await h.post(
        event_callback({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}),
        content_type="application/json",
    )
    assert reply.status == 200, reply
    call = await h.fake.wait_for("views.publish", lambda c: c.ok and c.args.get("user_id") == user, count=before + 1)
    return json.loads(call.args["view"]) if isinstance(call.args["view"], str) else call.args["view"]


def buttons(view: dict[str, Any], action_prefix: str) -> list[dict[str, Any]]:
    found = []
    for block in view.get("blocks") or []:
        for element in [block.get("accessory"), *list(block.get("elements") or [])]:
            if isinstance(element, dict) and str(element.get("action_id", "")).startswith(action_prefix):
                found.append(element)
    return found


async def click_in_home(h: Harness, view: dict[str, Any], element: dict[str, Any], *, user: str) -> None:
    payload = block_actions(
        action_id=element["action_id"],
        value=element.get("value"),
        user_id=user,
        trigger_id=h.fake.new_trigger_id(),
        view=view,
    )
    reply = await h.post(interactive_body(payload))
    assert reply.status == 200, reply


async def test_the_home_tab_lists_exactly_the_incidents_of_the_viewers_channels(leakbot: Harness) -> None:
    h = leakbot
    h.fake.add_user(EVE, "eve")
    ours = await open_incident(h, "社内システムの流出疑い", responders=["U0BOB"])
    theirs = await open_incident(h, "別件の誤送信", responders=["U0DAVE"], user="U0CAROL")

    bob = home_text(await open_home(h, "U0BOB"))
    assert ours in bob and "社内システムの流出疑い" in bob
    assert theirs not in bob and "別件の誤送信" not in bob
    assert "3/10" in bob  # title, discovered_at and summary of the required ten, from the new-incident modal
    assert "速報の期限" in bob and "確報の期限" in bob  # the APPI clocks with the time left
    assert "開始から" in bob

    carol = home_text(await open_home(h, "U0CAROL"))
    assert theirs in carol and ours not in carol

    eve = await open_home(h, EVE)
    assert ours not in home_text(eve) and theirs not in home_text(eve)
    assert "対応中のものはありません" in home_text(eve)


async def test_the_home_tab_is_published_again_after_an_answer(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    assert "3/10" in home_text(await open_home(h, "U0BOB"))
    published = len([c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == "U0BOB"])

    await answer(h, channel, ANSWERS[0][1])  # Alice answers; Bob has not opened the tab again

    await h.fake.wait_until(
        lambda: "4/10" in home_text(h.fake.homes.get("U0BOB", {})), what="Bob's Home showing the answer"
    )
    assert len([c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == "U0BOB"]) > published
    assert "4/10" in home_text(h.fake.homes["U0ALICE"])  # every member's Home, not only the one who looked


async def test_the_home_tab_is_published_again_after_a_draft_and_a_close(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    await answer_required(h, channel)
    await h.fake.wait_until(lambda: "第1版" in home_text(h.fake.homes.get("U0BOB", {})), what="the draft on Bob's Home")
    assert "10/10" in home_text(h.fake.homes["U0BOB"])

    reply = await h.command("/leak-close", channel=channel)
    confirm = next(e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert (await h.click(confirm["action_id"], confirm["value"], channel=channel)).status == 200
    await h.fake.wait_until(
        lambda: "最近クローズ" in home_text(h.fake.homes.get("U0BOB", {})), what="the close on Bob's Home"
    )
    home = h.fake.homes["U0BOB"]
    assert "対応中のインシデント（0件）" in home_text(home) and not buttons(home, HOME_ANSWER_ACTION)


async def test_the_home_button_opens_the_next_question_for_members_only(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    home = await open_home(h, "U0BOB")
    [button] = buttons(home, HOME_ANSWER_ACTION)

    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await click_in_home(h, home, button, user="U0BOB")
    view = await h.opened_view(opened + 1)
    assert next(b["block_id"] for b in view["blocks"] if b.get("type") == "input") == "data_items"

    # The modal opened from the Home is a checklist form like any other: Bob's answer is stored.
    reply = await h.submit(view, ANSWERS[0][1], user="U0BOB")
    assert reply.status == 200 and reply.body is None, reply
    incident = await _incident_of(h, channel)
    assert (await h.stored.answers(incident))["data_items"].user_id == "U0BOB"

    # Carol is not in the channel: a click she crafts opens a notice, no form, and records no form for her.
    before = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await click_in_home(h, home, button, user="U0CAROL")
    call = await h.fake.wait_for("views.open", lambda c: c.ok, count=before + 1)
    shown = json.dumps(call.args["view"], ensure_ascii=False)
    assert "メンバーではない" in shown and "leak_step" not in shown and "input" not in shown
    async with h.bot.engine.connect() as connection:
        forms = (await connection.exec_driver_sql("SELECT count(*) FROM views WHERE user_id = 'U0CAROL'")).scalar_one()
    assert forms == 0


async def test_500_open_incidents_stay_within_slacks_limits_and_page(leakbot: Harness) -> None:
    h = leakbot
    h.fake.add_user(EVE, "eve")
    async with h.bot.repo.tx() as tx:
        tx.session.add_all(
            IncidentRow(
                team_id="T0LEAK",
                opener_id=EVE,
                status="open",
                channel_id=f"C0MANY{n:04d}",
                channel_name=f"leak-{n}",
                created_at=START - timedelta(hours=n % 50),
                setup_stage=8,
            )
            for n in range(500)
        )
        tx.session.add_all(MemberRow(channel_id=f"C0MANY{n:04d}", user_id=EVE, since=START) for n in range(500))

    home = await open_home(h, EVE)
    assert len(home["blocks"]) <= 100
    text = home_text(home)
    assert "対応中のインシデント（500件）" in text and "1〜20件目／全500件" in text
    assert text.count("C0MANY") == 20 and "C0MANY0499" in text  # newest first
    [more] = buttons(home, HOME_PAGE_ACTION)

    await click_in_home(h, home, more, user=EVE)
    await h.fake.wait_until(lambda: "21〜40件目" in home_text(h.fake.homes[EVE]), what="the second page")
    second = h.fake.homes[EVE]
    assert len(second["blocks"]) <= 100 and len(buttons(second, HOME_PAGE_ACTION)) == 2  # previous and next
    assert "C0MANY0479" in home_text(second) and "C0MANY0499" not in home_text(second)

    listed = await h.reply("/leak-list", user=EVE)
    assert len(listed.body["blocks"]) <= 50
    assert "ほか490件" in listed.text


async def test_leak_list_replies_only_to_the_asker_with_their_incidents(leakbot: Harness) -> None:
    h = leakbot
    ours = await open_incident(h, "<!channel> 流出 <@U0DAVE>", responders=["U0BOB"])
    theirs = await open_incident(h, "別件", responders=["U0DAVE"], user="U0CAROL")

    async with Unchanged(h):
        reply = await h.reply("/leak-list", user="U0BOB", channel=GENERAL)
    assert reply.body["response_type"] == "ephemeral"
    assert ours in reply.text and theirs not in reply.text
    assert "&lt;!channel&gt;" in reply.text and "<!channel>" not in reply.text and "<@U0DAVE>" not in reply.text
    assert "3/10" in reply.text and buttons(reply.body, HOME_ANSWER_ACTION)

    nobody = await h.reply("/leak-list", user="U0DAVE", channel=ours)  # in an incident channel he is not in
    assert ours not in nobody.text and theirs in nobody.text


async def _incident_of(h: Harness, channel: str) -> int:
    async with h.bot.repo.read() as tx:
        incident = await tx.incident_by_channel(channel)
    assert incident is not None
    return incident.id


async def test_home_buttons_with_values_the_bot_never_sent_open_nothing_of_an_incident(leakbot: Harness) -> None:
    h = leakbot
    await open_incident(h, responders=["U0BOB"])
    home = await open_home(h, "U0BOB")
    published = len(h.fake.calls_to("views.publish"))
    forged = [
        {"action_id": HOME_ANSWER_ACTION, "value": "not json"},
        {"action_id": HOME_ANSWER_ACTION, "value": '{"incident_id": 999}'},
    ]
    for element in forged:
        before = len([c for c in h.fake.calls_to("views.open") if c.ok])
        await click_in_home(h, home, element, user="U0BOB")
        call = await h.fake.wait_for("views.open", lambda c: c.ok, count=before + 1)
        assert "メンバーではない" in json.dumps(call.args["view"], ensure_ascii=False)
    async with Unchanged(h):  # a page the bot never offered publishes nothing
        await click_in_home(h, home, {"action_id": f"{HOME_PAGE_ACTION}_next", "value": '{"page": "x"}'}, user="U0BOB")
    assert len(h.fake.calls_to("views.publish")) == published


async def test_a_fire_drill_is_shown_apart_from_the_real_incidents(leakbot: Harness) -> None:
    from tests.test_drills import open_drill

    h = leakbot
    real = await open_incident(h, "本番の流出疑い")
    drill = await open_drill(h, "架空の訓練シナリオ")
    await open_home(h, "U0ALICE")

    def latest_home() -> list[dict[str, Any]]:  # the Home as Slack shows it now: the last one published
        call = [c for c in h.fake.calls_to("views.publish") if c.ok and c.args.get("user_id") == "U0ALICE"][-1]
        view = json.loads(call.args["view"]) if isinstance(call.args["view"], str) else call.args["view"]
        return view["blocks"]

    def with_the_drill() -> list[dict[str, Any]] | None:
        blocks = latest_home()
        return blocks if drill in json.dumps(blocks) else None

    blocks = await h.fake.wait_until(with_the_drill, what="the drill on the Home tab")
    drills_at = next(
        n for n, b in enumerate(blocks) if b["type"] == "header" and "訓練中" in json.dumps(b, ensure_ascii=False)
    )
    before, after = (
        json.dumps(blocks[:drills_at], ensure_ascii=False),
        json.dumps(blocks[drills_at:], ensure_ascii=False),
    )
    assert real in before and drill not in before  # the real incidents section holds no drill
    assert drill in after and real not in after
