"""Every validation error of a modal, submitted through signed HTTP exactly as Slack would send it.

A refused submission gets `{"response_action": "errors", "errors": {<block_id>: <message>}}` (Slack shows
the message under that input and keeps the modal open), and nothing is stored or posted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.i18n import t
from tests.conftest import Harness
from tests.slack_payloads import interactive_body, view_submission
from tests.story import SUMMARY, TITLE, Unchanged, answer, messages, open_incident, open_step, table_counts

INCIDENT = 1  # the first incident of a fresh database
VALID_COUNTS = {"max_count": "約2,070万件", "confirmed_count": "約760万件"}


# ------------------------------------------------------------------------------------ helpers


async def item_modal(h: Harness, channel: str, item_id: str) -> dict[str, Any]:
    """Opens the modal that asks `item_id` with /leak-answer, as a user would to revise it."""
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.command("/leak-answer", item_id, channel=channel)
    assert reply.status == 200 and reply.body is None, reply
    return await h.opened_view(opened + 1)


async def new_incident_modal(h: Harness) -> dict[str, Any]:
    """Runs /leak-open and returns the modal it opened."""
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.command("/leak-open", TITLE)
    assert reply.status == 200, reply
    return await h.opened_view(opened + 1)


async def refused(h: Harness, send: Any) -> dict[str, Any]:
    """Sends a submission (an awaitable giving the Reply) and checks that nothing was stored or posted.

    Returns the errors the modal shows."""
    history = await h.stored.history(INCIDENT)
    async with Unchanged(h):  # no row and no Slack call, not even after the ack
        reply = await send
    assert reply.status == 200, reply
    assert isinstance(reply.body, dict) and set(reply.body) == {"response_action", "errors"}, reply
    assert reply.body["response_action"] == "errors"
    assert await h.stored.history(INCIDENT) == history
    return reply.body["errors"]


def checklist_line(h: Harness, channel: str, item_id: str) -> str:
    """The text of one item on the pinned checklist, as it stands now."""
    pinned = h.fake.pins[channel][0]
    checklist = next(m for m in messages(h, channel) if m["ts"] == pinned)
    return next(
        b["text"]["text"] for b in checklist["blocks"] if b["type"] == "section" and f"`{item_id}`" in b["text"]["text"]
    )


@pytest.fixture
async def channel(leakbot: Harness) -> str:
    """An incident just opened: its channel, with the first question (data items) asked."""
    return await open_incident(leakbot)


# ----------------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "typed, error_key, shown",
    [
        ("abc", "not_a_number", "件数として読めません"),
        ("12万万", "not_a_number", "件数として読めません"),
        ("-5", "negative", "マイナス"),
        ("▲5", "negative", "マイナス"),
        ("1.5", "not_whole", "整数"),
        ("100000000000000", "too_large", "大きすぎ"),
    ],
)
@pytest.mark.parametrize("block_id", ["max_count", "confirmed_count"])
async def test_a_count_that_does_not_parse_or_is_negative_is_refused_under_its_input(
    leakbot: Harness, channel: str, block_id: str, typed: str, error_key: str, shown: str
) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    values = {"max_count": "約2,070万件", "confirmed_count": "約760万件", block_id: typed}
    errors = await refused(leakbot, leakbot.submit(view, values))
    assert errors == {block_id: t(f"error.count.{error_key}", "ja")}
    assert shown in errors[block_id]


async def test_a_confirmed_count_above_the_maximum_is_refused_on_the_confirmed_count(
    leakbot: Harness, channel: str
) -> None:
    view = await item_modal(leakbot, channel, "confirmed_count")
    errors = await refused(leakbot, leakbot.submit(view, {"max_count": "760万", "confirmed_count": "2,070万"}))
    assert errors == {"confirmed_count": t("error.count.over_max", "ja")}
    assert "最大件数を超えています" in errors["confirmed_count"]


async def test_both_counts_wrong_shows_both_errors(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    errors = await refused(leakbot, leakbot.submit(view, {"max_count": "たくさん", "confirmed_count": "-1"}))
    assert errors == {
        "max_count": t("error.count.not_a_number", "ja"),
        "confirmed_count": t("error.count.negative", "ja"),
    }


async def test_a_count_longer_than_its_input_allows_is_refused(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    assert next(b for b in view["blocks"] if b.get("block_id") == "max_count")["element"]["max_length"] == 50
    errors = await refused(leakbot, leakbot.submit(view, VALID_COUNTS | {"max_count": "1" * 51}))
    assert errors == {"max_count": t("error.too_long", "ja", limit=50, length=51)}


@pytest.mark.parametrize("block_id", ["max_count", "confirmed_count"])
async def test_an_empty_count_is_refused(leakbot: Harness, channel: str, block_id: str) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    errors = await refused(leakbot, leakbot.submit(view, VALID_COUNTS | {block_id: "  "}))
    assert errors == {block_id: t("error.required", "ja")}


@pytest.mark.parametrize(
    "max_typed, confirmed_typed, max_value, confirmed_value",
    [
        ("２０７０万", "760万", 20_700_000, 7_600_000),
        ("7,600,000", "7600000", 7_600_000, 7_600_000),
        ("760万", "０", 7_600_000, 0),
    ],
)
async def test_counts_written_as_people_write_them_are_stored_with_their_value(
    leakbot: Harness, channel: str, max_typed: str, confirmed_typed: str, max_value: int, confirmed_value: int
) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    await answer(
        leakbot, channel, {"max_count": max_typed, "confirmed_count": confirmed_typed}, view=view, expect_question=False
    )  # out of order: the next question (data items) is not asked again
    stored = await leakbot.stored.answers(INCIDENT)
    assert (stored["max_count"].value["value"], stored["max_count"].value["approx"]) == (max_value, False)
    assert (stored["confirmed_count"].value["value"], stored["confirmed_count"].value["approx"]) == (
        confirmed_value,
        False,
    )
    shown = checklist_line(leakbot, channel, "max_count")
    assert f"{max_value // 10_000:,}万" in shown and "約" not in shown


async def test_a_leading_about_is_kept_and_shown_on_the_checklist(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    await answer(
        leakbot, channel, {"max_count": "約2,070万件", "confirmed_count": "760万"}, view=view, expect_question=False
    )
    stored = await leakbot.stored.answers(INCIDENT)
    assert stored["max_count"].value["value"] == 20_700_000 and stored["max_count"].value["approx"] is True
    assert stored["confirmed_count"].value["value"] == 7_600_000 and stored["confirmed_count"].value["approx"] is False
    assert "約2,070万" in checklist_line(leakbot, channel, "max_count")
    confirmed_line = checklist_line(leakbot, channel, "confirmed_count")
    assert "760万" in confirmed_line and "約" not in confirmed_line
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "約2,070万" in status.text


# ------------------------------------------------------------------------- required answers


@pytest.mark.parametrize(
    "item_id, blank",
    [
        ("services", "   "),
        ("customer_actions", " \n\t \n"),
        ("contact", "\u3000\u3000"),  # full-width spaces, as a Japanese keyboard types them
    ],
)
async def test_a_whitespace_only_answer_is_refused(leakbot: Harness, channel: str, item_id: str, blank: str) -> None:
    view = await item_modal(leakbot, channel, item_id)
    errors = await refused(leakbot, leakbot.submit(view, {item_id: blank}))
    assert errors == {item_id: t("error.required", "ja")} == {item_id: "入力してください。"}


@pytest.mark.parametrize("other", [None, "", "  "])
async def test_data_items_with_no_checkbox_and_no_other_text_is_refused(
    leakbot: Harness, channel: str, other: str | None
) -> None:
    view = await open_step(leakbot, channel)
    errors = await refused(leakbot, leakbot.submit(view, {"data_items": [], "data_items_other": other}))
    assert errors == {"data_items": t("error.required", "ja")}


async def test_data_items_with_only_other_text_is_accepted(leakbot: Harness, channel: str) -> None:
    view = await open_step(leakbot, channel)
    await answer(leakbot, channel, {"data_items": [], "data_items_other": "学校名"}, view=view)
    stored = await leakbot.stored.answers(INCIDENT)
    assert stored["data_items"].value == {"selected": [], "other": "学校名"}


async def test_card_bank_without_a_choice_is_refused(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "card_bank")
    errors = await refused(leakbot, leakbot.submit(view, {"card_bank": None}))
    assert errors == {"card_bank": t("error.required", "ja")}


# ----------------------------------------------------------------------------- too long


@pytest.mark.parametrize("item_id", ["services", "customer_actions", "contact", "cause", "measures"])
async def test_text_longer_than_the_modal_allows_is_refused(leakbot: Harness, channel: str, item_id: str) -> None:
    view = await item_modal(leakbot, channel, item_id)
    element = next(b["element"] for b in view["blocks"] if b.get("block_id") == item_id)
    assert element["multiline"] is True and element["max_length"] == 3000
    errors = await refused(leakbot, leakbot.submit(view, {item_id: "あ" * 3001}))
    assert errors == {item_id: t("error.too_long", "ja", limit=3000, length=3001)}
    assert "3001文字" in errors[item_id] and "3000文字" in errors[item_id]


async def test_other_data_items_longer_than_allowed_is_refused_under_the_other_field(
    leakbot: Harness, channel: str
) -> None:
    view = await open_step(leakbot, channel)
    errors = await refused(leakbot, leakbot.submit(view, {"data_items": ["name"], "data_items_other": "x" * 3001}))
    assert errors == {"data_items_other": t("error.too_long", "ja", limit=3000, length=3001)}


async def test_text_of_exactly_the_limit_is_accepted(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "services")
    await answer(leakbot, channel, {"services": "あ" * 3000}, view=view, expect_question=False)
    assert (await leakbot.stored.answers(INCIDENT))["services"].value == "あ" * 3000


# ------------------------------------------------------------- radio values not offered


def tampered(
    h: Harness,
    view: dict[str, Any],
    values: dict[str, Any],
    block_id: str,
    *,
    selected_option: Any = None,
    selected_options: Any = None,
) -> bytes:
    """A submission whose `block_id` holds a choice the modal never offered (a forged or stale payload)."""
    payload = view_submission(view, values, user_id="U0ALICE", trigger_id=h.fake.new_trigger_id())
    entry = payload["view"]["state"]["values"][block_id]["value"]
    if selected_options is not None:
        entry["selected_options"] = selected_options
    else:
        entry["selected_option"] = selected_option
    return interactive_body(payload)


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


@pytest.mark.parametrize(
    "item_id, valid, bogus",
    [
        ("card_bank", "none", "maybe"),
        ("malicious", "no", "perhaps"),
        ("ppc_report", "not_yet", "filed_somewhere"),
    ],
)
async def test_a_radio_value_that_is_not_an_option_is_refused(
    leakbot: Harness, channel: str, item_id: str, valid: str, bogus: str
) -> None:
    view = await item_modal(leakbot, channel, item_id)
    offered = next(b["element"] for b in view["blocks"] if b.get("block_id") == item_id)
    assert bogus not in [o["value"] for o in offered["options"]]
    body = tampered(leakbot, view, {item_id: valid}, item_id, selected_option=_option(bogus))
    errors = await refused(leakbot, leakbot.post(body))
    assert errors == {item_id: t("error.choice", "ja")}


async def test_a_count_unit_that_is_not_an_option_is_refused_on_the_unit(leakbot: Harness, channel: str) -> None:
    view = await item_modal(leakbot, channel, "max_count")
    body = tampered(leakbot, view, VALID_COUNTS, "count_unit", selected_option=_option("ダース"))
    errors = await refused(leakbot, leakbot.post(body))
    assert errors == {"count_unit": t("error.choice", "ja")}


async def test_a_data_item_that_is_not_an_option_is_refused(leakbot: Harness, channel: str) -> None:
    view = await open_step(leakbot, channel)
    body = tampered(
        leakbot, view, {"data_items": ["name"]}, "data_items", selected_options=[_option("name"), _option("my_number")]
    )
    errors = await refused(leakbot, leakbot.post(body))
    assert errors == {"data_items": t("error.choice", "ja")}


# --------------------------------------------------------------------- the new-incident modal


async def refused_opening(h: Harness, values: dict[str, Any]) -> dict[str, Any]:
    """Submits the new-incident modal; checks no incident, no channel and no message came of it."""
    view = await new_incident_modal(h)
    errors = await refused(h, h.submit(view, values))
    assert await table_counts(h) == {"incidents": 0, "revisions": 0, "drafts": 0}
    assert [c for c in h.fake.channels.values() if c.name.startswith("leak-")] == []
    assert h.fake.calls_to("conversations.create") == [] and h.fake.calls_to("chat.postMessage") == []
    return errors


@pytest.mark.parametrize("summary", [None, "", "   ", "\n\u3000\n"])
async def test_an_empty_summary_creates_no_incident_and_no_channel(leakbot: Harness, summary: str | None) -> None:
    errors = await refused_opening(leakbot, {"summary": summary, "responders": ["U0BOB"]})
    assert errors == {"summary": t("error.required", "ja")}


async def test_an_empty_title_is_refused(leakbot: Harness) -> None:
    errors = await refused_opening(leakbot, {"title": "  ", "summary": SUMMARY})
    assert errors == {"title": t("error.required", "ja")}


async def test_a_title_longer_than_150_characters_is_refused(leakbot: Harness) -> None:
    view = await new_incident_modal(leakbot)
    assert next(b for b in view["blocks"] if b["block_id"] == "title")["element"]["max_length"] == 150
    errors = await refused(leakbot, leakbot.submit(view, {"title": "漏" * 151, "summary": SUMMARY}))
    assert errors == {"title": t("error.too_long", "ja", limit=150, length=151)}
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}


async def test_a_summary_longer_than_3000_characters_is_refused(leakbot: Harness) -> None:
    errors = await refused_opening(leakbot, {"summary": "x" * 3001})
    assert errors == {"summary": t("error.too_long", "ja", limit=3000, length=3001)}


@pytest.mark.parametrize("ahead", [timedelta(hours=1), timedelta(days=1), timedelta(days=400)])
async def test_a_discovery_time_in_the_future_is_refused(leakbot: Harness, ahead: timedelta) -> None:
    when = leakbot.clock.now() + ahead
    errors = await refused_opening(leakbot, {"discovered_at": when, "summary": SUMMARY})
    assert errors == {"discovered_at": t("error.future", "ja")}
    assert "未来" in errors["discovered_at"]


async def test_a_discovery_time_that_is_not_a_time_is_refused(leakbot: Harness) -> None:
    view = await new_incident_modal(leakbot)
    payload = view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE", trigger_id=leakbot.fake.new_trigger_id())
    payload["view"]["state"]["values"]["discovered_at"]["value"]["selected_date_time"] = "昨日の夜"
    errors = await refused(leakbot, leakbot.post(interactive_body(payload)))
    assert errors == {"discovered_at": t("error.datetime", "ja")}
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}


async def test_responders_that_are_not_user_ids_are_refused(leakbot: Harness) -> None:
    errors = await refused_opening(leakbot, {"summary": SUMMARY, "responders": ["U0BOB", "#general"]})
    assert errors == {"responders": t("error.users", "ja")}


async def test_a_discovery_time_in_the_past_is_accepted(leakbot: Harness) -> None:
    view = await new_incident_modal(leakbot)
    when = leakbot.clock.now() - timedelta(days=3)
    reply = await leakbot.submit(view, {"discovered_at": when, "summary": SUMMARY})
    assert reply.body["response_action"] == "update"
    await leakbot.fake.wait_for("views.update", lambda c: "<#C" in str(c.args.get("view")))  # "channel created"
    stored = await leakbot.stored.answers(INCIDENT)
    assert stored["discovered_at"].value.startswith("2026-11-23T01:00:00")


async def test_several_errors_in_the_new_incident_modal_are_shown_together(leakbot: Harness) -> None:
    when = leakbot.clock.now() + timedelta(days=1)
    errors = await refused_opening(leakbot, {"title": "", "discovered_at": when, "summary": " "})
    assert errors == {
        "title": t("error.required", "ja"),
        "discovered_at": t("error.future", "ja"),
        "summary": t("error.required", "ja"),
    }


async def test_a_corrected_submission_after_an_error_is_stored_once(leakbot: Harness, channel: str) -> None:
    """Slack keeps the modal open after an error; the user fixes it and submits the same view again."""
    view = await item_modal(leakbot, channel, "max_count")
    await refused(leakbot, leakbot.submit(view, {"max_count": "760万", "confirmed_count": "2,070万"}))
    await answer(
        leakbot, channel, {"max_count": "2,070万", "confirmed_count": "760万"}, view=view, expect_question=False
    )
    history = await leakbot.stored.history(INCIDENT, "max_count")
    assert [r.value["value"] for r in history] == [20_700_000]
    assert "2,070万" in checklist_line(leakbot, channel, "max_count")
