"""Steps of the incident story, driven the way a person would in Slack."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Harness

TITLE = "顧客DBの流出疑い"
SUMMARY = "委託先の作業端末から顧客データベースの一部が持ち出された疑いがある（架空の事例）。"

# Invented answers to every checklist step, in the order they are asked.
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    (
        "data_items",
        {"data_items": ["name", "address", "phone", "birth_date", "gender"], "data_items_other": "保護者の氏名"},
    ),
    ("counts", {"max_count": "約2,070万件", "confirmed_count": "約760万件"}),
    ("services", {"services": "通信教育サービス「テストゼミ」および「テストキッズ」"}),
    ("card_bank", {"card_bank": "none"}),
    ("customer_actions", {"customer_actions": "当社を名乗る不審な電話やダイレクトメールにご注意ください。"}),
    ("contact", {"contact": "漏えい専用お客様窓口 0120-000-000（受付 9:00〜21:00）https://example.com/info"}),
]


def messages(h: Harness, channel: str) -> list[dict[str, Any]]:
    """Messages the bot posted in a channel, oldest first."""
    return h.fake.messages.get(channel, [])


def text_of(message: dict[str, Any]) -> str:
    """All text of a message: its fallback text and every block."""
    return (message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def answer_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The "Answer" buttons of a message."""
    found = []
    for block in message.get("blocks") or []:
        elements = [block.get("accessory")] if block.get("accessory") else block.get("elements", [])
        found += [e for e in elements if e and e.get("type") == "button" and e.get("action_id") == "leak_answer"]
    return found


def last_question(h: Harness, channel: str) -> dict[str, Any]:
    """The newest message with an "Answer" button."""
    return next(m for m in reversed(messages(h, channel)) if answer_buttons(m))


async def open_incident(
    h: Harness,
    title: str = TITLE,
    *,
    responders: list[str] | None = None,
    user: str = "U0ALICE",
    summary: str = SUMMARY,
) -> str:
    """Runs /leak-open and submits the modal; returns the new channel id once the first question is up."""
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.command("/leak-open", title, user=user)
    assert reply.status == 200, reply
    view = await h.opened_view(opened + 1)
    reply = await h.submit(view, {"summary": summary, "responders": responders or ["U0BOB"]}, user=user)
    assert reply.status == 200 and reply.body["response_action"] == "update", reply
    done = await h.fake.wait_for(
        "views.update",
        lambda c: c.args.get("view_id") == view["id"] and "<#C" in json.dumps(c.args.get("view"), ensure_ascii=False),
    )
    channel = json.dumps(done.args["view"], ensure_ascii=False).split("<#")[1].split(">")[0].split("|")[0]
    await h.fake.wait_until(lambda: any(answer_buttons(m) for m in messages(h, channel)), what="first question")
    return channel


async def open_step(h: Harness, channel: str, *, user: str = "U0ALICE") -> dict[str, Any]:
    """Clicks the newest question's button and returns the modal that opens."""
    question = last_question(h, channel)
    button = answer_buttons(question)[0]
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.click("leak_answer", button["value"], user=user, channel=channel, message_ts=question["ts"])
    assert reply.status == 200, reply
    return await h.opened_view(opened + 1)


async def answer(
    h: Harness,
    channel: str,
    values: dict[str, Any],
    *,
    user: str = "U0ALICE",
    view: dict[str, Any] | None = None,
    expect_question: bool = True,
) -> dict[str, Any]:
    """Answers the newest question (or the given modal) and waits until the bot has moved on."""
    view = view or await open_step(h, channel, user=user)
    updates = len(h.fake.calls_to("chat.update"))
    questions = len([m for m in messages(h, channel) if answer_buttons(m)])
    reply = await h.submit(view, values, user=user)
    assert reply.status == 200 and reply.body is None, reply
    await h.fake.wait_for("chat.update", count=updates + 1)
    if expect_question:
        await h.fake.wait_until(
            lambda: len([m for m in messages(h, channel) if answer_buttons(m)]) > questions, what="the next question"
        )
    return view


async def answer_required(h: Harness, channel: str, *, user: str = "U0ALICE") -> None:
    """Answers every required checklist question in the order the bot asks them."""
    for _step, values in ANSWERS:
        await answer(h, channel, values, user=user)


# --- checking that nothing happened -----------------------------------------------------------

WRITES = (
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.open",
    "views.update",
    "views.push",
    "conversations.create",
    "conversations.invite",
    "conversations.setTopic",
    "pins.add",
)


async def table_counts(h: Harness) -> dict[str, int]:
    """How many rows each table holds."""
    async with h.bot.engine.connect() as connection:
        return {
            table: (await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("incidents", "revisions", "drafts")
        }


def writes(h: Harness) -> dict[str, int]:
    """How many times each writing Slack method was called, plus the response_url posts."""
    return {method: len(h.fake.calls_to(method)) for method in WRITES} | {"response_url": len(h.fake.responses)}


class Unchanged:
    """Remembers what Slack and the database looked like, to check nothing changed since.

    With `told=True` the person may be answered privately once through the response_url: the reply a
    command gives just after its ack when the bot learns the person's language first (handlers/replies.py)."""

    def __init__(self, h: Harness, *, told: bool = False) -> None:
        self.h, self.told = h, told

    async def __aenter__(self) -> Unchanged:
        self.rows, self.calls = await table_counts(self.h), writes(self.h)
        self.messages = {c: len(m) for c, m in self.h.fake.messages.items()}
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        await self.h.settle()  # nothing to see can only be waited for inside: lazy listeners and jobs done
        assert await table_counts(self.h) == self.rows
        now = writes(self.h)
        if self.told:
            assert now["response_url"] - self.calls["response_url"] in (0, 1), self.h.fake.responses[-2:]
            now["response_url"] = self.calls["response_url"]
        assert now == self.calls, self.h.fake.calls[-3:]
        assert {c: len(m) for c, m in self.h.fake.messages.items()} == self.messages


async def nothing_follows(h: Harness) -> None:
    """Proves that nothing more happens from here on: no Slack write, no new incident, revision or draft.

    Only for "exactly once" and "nothing happened" checks, after waiting on Slack for what did happen:
    the absence of a call can only be waited for inside the bot (see Unchanged)."""
    async with Unchanged(h):
        pass
