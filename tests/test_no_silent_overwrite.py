"""No silent overwrite (issue 18, item 10), through signed HTTP into the bot and the fake Slack, on SQLite and
PostgreSQL: a form filled before someone else changed the same item is refused with a modal error naming
who changed it, when, and the answer now; nothing of it is stored; a fresh form goes through. Every value
here is invented."""

from __future__ import annotations

import asyncio

from bot.answers import format_datetime
from tests.conftest import Harness
from tests.story import ANSWERS, Unchanged, answer, last_question, open_incident, text_of

SERVICES_A = {"services": "架空の通販サイト「テスト商店」会員の皆さま"}
SERVICES_B = {"services": "架空の通販サイト「テスト商店」および「テスト書店」会員の皆さま"}


def values_of(step_id: str) -> dict:
    return next(values for step, values in ANSWERS if step == step_id)


async def at_services(h: Harness) -> str:
    """An incident whose services question is the next one (Alice opened it; Bob is a responder)."""
    channel = await open_incident(h, responders=["U0BOB"])
    for step in ("data_items", "counts"):
        await answer(h, channel, values_of(step))
    return channel


async def services_revisions(h: Harness) -> list[tuple[str, str]]:
    """Who stored which services answer, oldest first (the bot's only incident)."""
    async with h.bot.repo.read() as tx:
        (incident,) = await tx.open_incidents()
        return [(r.user_id, r.value) for r in await tx.history(incident.id, "services")]


async def test_the_later_form_is_refused_naming_who_changed_it_when_and_the_answer_now(leakbot: Harness) -> None:
    channel = await at_services(leakbot)
    alices = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0ALICE")
    bobs = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    accepted = await leakbot.submit(alices, SERVICES_A, user="U0ALICE")
    assert (accepted.status, accepted.body) == (200, None)
    await leakbot.fake.wait_until(
        lambda: "どのサービスのお客様" not in text_of(last_question(leakbot, channel)), what="the next question"
    )
    async with Unchanged(leakbot):  # refused: nothing stored, nothing posted
        refused = await leakbot.submit(bobs, SERVICES_B, user="U0BOB")
    assert refused.status == 200 and refused.body["response_action"] == "errors", refused
    error = refused.body["errors"]["services"]
    assert "alice (U0ALICE)" in error and "<@" not in error  # a mention does not render in a modal error
    assert format_datetime(leakbot.clock.now(), "ja") in error
    assert SERVICES_A["services"] in error and SERVICES_B["services"] not in error
    assert "保存されていません" in error
    assert await services_revisions(leakbot) == [("U0ALICE", SERVICES_A["services"])]
    # a fresh form shows Alice's answer; Bob's change from it goes through
    fresh = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    services = next(b for b in fresh["blocks"] if b.get("block_id") == "services")
    assert services["element"]["initial_value"] == SERVICES_A["services"]
    again = await leakbot.submit(fresh, SERVICES_B, user="U0BOB")
    assert (again.status, again.body) == (200, None)
    assert await services_revisions(leakbot) == [
        ("U0ALICE", SERVICES_A["services"]),
        ("U0BOB", SERVICES_B["services"]),
    ]


async def test_the_error_is_in_english_for_an_english_form(leakbot: Harness) -> None:
    leakbot.fake.locales["U0BOB"] = "en-US"
    channel = await at_services(leakbot)
    alices = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0ALICE")
    bobs = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    assert (await leakbot.submit(alices, SERVICES_A, user="U0ALICE")).body is None
    refused = await leakbot.submit(bobs, SERVICES_B, user="U0BOB")
    error = refused.body["errors"]["services"]
    assert error.startswith("alice (U0ALICE) changed this item after you opened this form")
    assert format_datetime(leakbot.clock.now(), "en") in error and SERVICES_A["services"] in error


async def test_of_two_forms_submitted_at_the_same_moment_exactly_one_is_stored(leakbot: Harness) -> None:
    channel = await at_services(leakbot)
    alices = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0ALICE")
    bobs = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    replies = await asyncio.gather(
        leakbot.submit(alices, SERVICES_A, user="U0ALICE"), leakbot.submit(bobs, SERVICES_B, user="U0BOB")
    )
    assert all(r.status == 200 for r in replies)
    accepted = [n for n, r in enumerate(replies) if r.body is None]
    refused = [r for r in replies if r.body is not None]
    assert len(accepted) == 1 and len(refused) == 1, replies
    winner, _loser = (("U0ALICE", SERVICES_A), ("U0BOB", SERVICES_B))[:: 1 if accepted == [0] else -1]
    error = refused[0].body["errors"]["services"]
    assert winner[0] in error and winner[1]["services"] in error
    assert await services_revisions(leakbot) == [(winner[0], winner[1]["services"])]


async def test_the_same_person_submitting_an_older_form_from_another_tab_is_refused(leakbot: Harness) -> None:
    channel = await at_services(leakbot)
    first_tab = await leakbot.modal("/leak-answer", "services", channel=channel)
    second_tab = await leakbot.modal("/leak-answer", "services", channel=channel)
    assert (await leakbot.submit(second_tab, SERVICES_A)).body is None
    refused = await leakbot.submit(first_tab, SERVICES_B)
    assert "U0ALICE" in refused.body["errors"]["services"]
    assert await services_revisions(leakbot) == [("U0ALICE", SERVICES_A["services"])]


async def test_an_older_form_that_agrees_with_the_answer_now_overwrites_nothing_and_is_accepted(
    leakbot: Harness,
) -> None:
    channel = await at_services(leakbot)
    alices = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0ALICE")
    bobs = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    assert (await leakbot.submit(alices, SERVICES_A, user="U0ALICE")).body is None
    same = await leakbot.submit(bobs, SERVICES_A, user="U0BOB")
    assert (same.status, same.body) == (200, None)
    assert await services_revisions(leakbot) == [("U0ALICE", SERVICES_A["services"])]


async def test_a_change_to_another_step_does_not_refuse_a_form(leakbot: Harness) -> None:
    channel = await at_services(leakbot)
    bobs = await leakbot.modal("/leak-answer", "services", channel=channel, user="U0BOB")
    counts = await leakbot.modal("/leak-answer", "max_count", channel=channel, user="U0ALICE")
    changed = await leakbot.submit(counts, {"max_count": "約3,000万件"}, user="U0ALICE")
    assert changed.body is None
    accepted = await leakbot.submit(bobs, SERVICES_B, user="U0BOB")
    assert (accepted.status, accepted.body) == (200, None)
    assert await services_revisions(leakbot) == [("U0BOB", SERVICES_B["services"])]


async def test_a_retried_submission_of_the_accepted_form_is_not_refused(leakbot: Harness) -> None:
    channel = await at_services(leakbot)
    view = await leakbot.modal("/leak-answer", "services", channel=channel)
    first, retried = await leakbot.submit(view, SERVICES_A), await leakbot.submit(view, SERVICES_A)
    assert (first.body, retried.body) == (None, None)
    assert await services_revisions(leakbot) == [("U0ALICE", SERVICES_A["services"])]


async def test_leaving_empty_a_follow_up_someone_answered_meanwhile_is_refused_and_the_answer_kept(
    leakbot: Harness,
) -> None:
    channel = await at_services(leakbot)
    await answer(leakbot, channel, values_of("services"))
    await answer(leakbot, channel, {"card_bank": "yes"})
    alices = await leakbot.modal("/leak-answer", "card_bank_detail", channel=channel, user="U0ALICE")
    bobs = await leakbot.modal("/leak-answer", "card_bank_detail", channel=channel, user="U0BOB")
    assert (await leakbot.submit(alices, {"card_bank_detail": ["card_number"]}, user="U0ALICE")).body is None
    refused = await leakbot.submit(bobs, {"card_bank_detail": [], "card_bank_detail_other": ""}, user="U0BOB")
    error = refused.body["errors"]["card_bank_detail"]
    assert "U0ALICE" in error and "カード番号" in error
    async with leakbot.bot.repo.read() as tx:
        (incident,) = await tx.open_incidents()
        assert (await tx.values(incident.id))["card_bank_detail"] == {"selected": ["card_number"], "other": ""}
        assert await tx.left_empty(incident.id) == []  # Bob's empty form was not stored as "left empty" either
