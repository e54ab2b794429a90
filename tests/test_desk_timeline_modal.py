"""The timeline's modal (issue 11): `/leak-timeline` lists the entries with an "Add entry" button that
opens a modal for a dated entry (date and time, text). The submission is checked and stored before the
ack; every bad input is refused under its block with nothing stored. Signed HTTP, both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.i18n import t
from bot.offline import export_incident
from bot.ui.ids import CLOSE_CONFIRM_ACTION, TIMELINE_ADD_ACTION, TIMELINE_AT_BLOCK, TIMELINE_TEXT_BLOCK
from bot.usecases.timeline import MAX_TEXT
from tests.conftest import GENERAL, Harness
from tests.story import Unchanged, open_incident
from tests.test_desk_timeline import incident_id, stored_timeline


def add_button(reply_body: dict[str, Any]) -> dict[str, Any] | None:
    for block in reply_body.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == TIMELINE_ADD_ACTION:
                return element
    return None


async def entry_modal(h: Harness, channel: str, *, user: str = "U0ALICE") -> dict[str, Any]:
    """Lists the timeline and clicks its Add entry button; returns the modal Slack then shows."""
    listed = await h.reply("/leak-timeline", user=user, channel=channel)
    button = add_button(listed.body)
    assert button is not None, listed.body
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    clicked = await h.click(TIMELINE_ADD_ACTION, button["value"], user=user, channel=channel)
    assert clicked.status == 200 and clicked.body is None, clicked
    return await h.opened_view(opened + 1)


async def refused(h: Harness, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE") -> dict[str, str]:
    """Submits the modal and checks that nothing was stored or posted; returns the errors it shows."""
    async with Unchanged(h):
        reply = await h.submit(view, values, user=user)
    assert reply.status == 200 and reply.body["response_action"] == "errors", reply
    return reply.body["errors"]


async def test_the_modal_adds_a_dated_entry_once_exported_and_listed(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    view = await entry_modal(h, channel, user="U0BOB")
    assert {b["block_id"] for b in view["blocks"]} == {TIMELINE_AT_BLOCK, TIMELINE_TEXT_BLOCK}
    at_element = next(b["element"] for b in view["blocks"] if b["block_id"] == TIMELINE_AT_BLOCK)
    assert at_element["type"] == "datetimepicker" and at_element["initial_date_time"] == int(h.clock.now().timestamp())

    happened = h.clock.now() - timedelta(days=1, hours=2)
    reply = await h.submit(
        view, {TIMELINE_AT_BLOCK: happened, TIMELINE_TEXT_BLOCK: "  委託先から第一報 <!here>  "}, user="U0BOB"
    )
    assert reply.status == 200 and reply.body is None, reply
    # stored before the ack: read at once
    [entry] = await stored_timeline(h, channel)
    assert (entry.at, entry.text, entry.author, entry.added_by, entry.added_at) == (
        happened,
        "委託先から第一報 <!here>",
        "U0BOB",
        "U0BOB",
        h.clock.now(),
    )

    again = await h.submit(
        view, {TIMELINE_AT_BLOCK: happened, TIMELINE_TEXT_BLOCK: "委託先から第一報 <!here>"}, user="U0BOB"
    )  # Slack delivers the same submission again
    assert again.status == 200 and again.body is None
    assert len(await stored_timeline(h, channel)) == 1

    listed = await h.reply("/leak-timeline", channel=channel)
    assert "経緯（1件）" in listed.text and "&lt;!here&gt;" in listed.text and "<!here>" not in listed.text
    data = await export_incident(h.bot.repo, str(await incident_id(h, channel)))
    assert [(e["text"], e["author"]) for e in data["timeline"]] == [("委託先から第一報 <!here>", "U0BOB")]


async def test_each_bad_input_is_refused_under_its_block_with_nothing_stored(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    view = await entry_modal(h, channel)
    now = h.clock.now()

    errors = await refused(h, view, {TIMELINE_AT_BLOCK: now, TIMELINE_TEXT_BLOCK: "   "})
    assert errors == {TIMELINE_TEXT_BLOCK: t("timeline.empty", "ja")}
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: now, TIMELINE_TEXT_BLOCK: None})
    assert errors == {TIMELINE_TEXT_BLOCK: t("timeline.empty", "ja")}
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: now + timedelta(minutes=5), TIMELINE_TEXT_BLOCK: "予定"})
    assert errors == {TIMELINE_AT_BLOCK: t("timeline.future", "ja")}
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: now, TIMELINE_TEXT_BLOCK: "あ" * (MAX_TEXT + 1)})
    assert errors == {TIMELINE_TEXT_BLOCK: t("error.too_long", "ja", length=MAX_TEXT + 1, limit=MAX_TEXT)}
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: None, TIMELINE_TEXT_BLOCK: "日時なし"})
    assert errors == {TIMELINE_AT_BLOCK: t("error.datetime", "ja")}
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: now, TIMELINE_TEXT_BLOCK: "カード 4111 1111 1111 1111 を確認"})
    assert errors == {TIMELINE_TEXT_BLOCK: t("error.secret.card", "ja")}
    assert await stored_timeline(h, channel) == []

    # exactly at the limit, and at this very minute, is fine
    reply = await h.submit(view, {TIMELINE_AT_BLOCK: now, TIMELINE_TEXT_BLOCK: "あ" * MAX_TEXT})
    assert reply.status == 200 and reply.body is None, reply
    assert [len(e.text) for e in await stored_timeline(h, channel)] == [MAX_TEXT]


async def test_only_the_person_it_was_opened_for_and_members_may_add(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    view = await entry_modal(h, channel, user="U0BOB")
    good = {TIMELINE_AT_BLOCK: h.clock.now(), TIMELINE_TEXT_BLOCK: "第一報"}

    # someone else submits Bob's modal (a forged or replayed payload): refused
    errors = await refused(h, view, good, user="U0ALICE")
    assert t("timeline.form_unknown", "ja") in errors[TIMELINE_TEXT_BLOCK]

    # a modal the bot never opened (no external_id recorded) is refused too
    errors = await refused(h, view | {"external_id": "leak-forged"}, good, user="U0BOB")
    assert t("timeline.form_unknown", "ja") in errors[TIMELINE_TEXT_BLOCK]

    # Bob leaves the channel before he submits: refused
    await h.member("member_left_channel", "U0BOB", channel)
    errors = await refused(h, view, good, user="U0BOB")
    assert t("access.not_member", "ja") in errors[TIMELINE_TEXT_BLOCK]
    assert await stored_timeline(h, channel) == []


async def test_the_button_outside_its_channel_or_for_a_non_member_opens_nothing(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    listed = await h.reply("/leak-timeline", channel=channel)
    button = add_button(listed.body)
    assert button is not None

    for user, where, says in (
        ("U0CAROL", channel, "access.not_member"),
        ("U0ALICE", GENERAL, "access.refused"),  # the button names the incident of another channel
    ):
        before, opened = len(h.fake.responses), len(h.fake.calls_to("views.open"))
        clicked = await h.click(TIMELINE_ADD_ACTION, button["value"], user=user, channel=where)
        assert clicked.status == 200 and clicked.body is None
        await h.fake.wait_until(lambda n=before: len(h.fake.responses) > n, what="the refusal")
        assert h.fake.responses[before][1]["text"].startswith(t(says, "ja"))
        await h.settle()  # "no modal" can only be waited for inside: the lazy listener is done
        assert len(h.fake.calls_to("views.open")) == opened
    assert await stored_timeline(h, channel) == []


async def test_a_closed_incident_lists_its_timeline_without_the_button(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    closing = await h.command("/leak-close", channel=channel)
    assert closing.status == 200 and closing.body["blocks"], closing
    clicked = await h.click(CLOSE_CONFIRM_ACTION, None, channel=channel)
    assert clicked.status == 200
    await h.fake.wait_until(
        lambda: h.fake.responses and "replace_original" in h.fake.responses[-1][1], what="the close confirmed"
    )
    listed = await h.reply("/leak-timeline", channel=channel)
    assert "経緯（0件）" in listed.text and add_button(listed.body) is None


async def test_the_modal_and_its_errors_are_in_the_language_of_whoever_opens_it(leakbot: Harness) -> None:
    h = leakbot
    h.fake.locales["U0BOB"] = "en-US"
    channel = await open_incident(h, responders=["U0BOB"])
    view = await entry_modal(h, channel, user="U0BOB")
    assert view["title"]["text"] == t("timeline.modal_title", "en")
    errors = await refused(h, view, {TIMELINE_AT_BLOCK: h.clock.now(), TIMELINE_TEXT_BLOCK: ""}, user="U0BOB")
    assert errors == {TIMELINE_TEXT_BLOCK: t("timeline.empty", "en")}
