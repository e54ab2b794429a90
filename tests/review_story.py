"""Steps of the review story (issue 12), driven the way a person would in Slack."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Harness, Reply
from tests.story import Unchanged, answer_required, messages, open_incident, text_of

ALICE, BOB, CAROL, DAVE = "U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"  # DAVE is never in the incident channel
REVIEW_TABLES = ("reviewers", "decisions", "publications", "views")


def buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    """The buttons of a message with this action_id."""
    found = []
    for block in message.get("blocks") or []:
        elements = [block.get("accessory")] if block.get("accessory") else block.get("elements", [])
        found += [e for e in elements if e and e.get("type") == "button" and e.get("action_id") == action_id]
    return found


def with_button(h: Harness, channel: str, action_id: str) -> list[dict[str, Any]]:
    """Messages in the channel that carry such a button, oldest first."""
    return [m for m in messages(h, channel) if buttons(m, action_id)]


def drafts_of(h: Harness, channel: str, heading: str = "公表文の下書き") -> list[dict[str, Any]]:
    return [m for m in messages(h, channel) if heading in text_of(m)]


async def ready(h: Harness) -> str:
    """An incident with every required item answered and the first draft disclosure posted; Bob and Carol in it."""
    channel = await open_incident(h, responders=[BOB, CAROL])
    await answer_required(h, channel)
    await h.fake.wait_until(lambda: drafts_of(h, channel), what="the first draft")
    return channel


async def told_then_refreshed(h: Harness, text: str, *, since: int, times: int = 1) -> None:
    """Waits for the `times`-th message containing `text` posted after call number `since`, then for the
    checklist refresh after it: an incident's jobs run in order and the review use cases record it last."""

    def said() -> int | None:
        found = [
            i
            for i, c in enumerate(h.fake.calls)
            if i >= since and c.method == "chat.postMessage" and text in json.dumps(c.args, ensure_ascii=False)
        ]
        return found[times - 1] + 1 if len(found) >= times else None

    after = await h.fake.wait_until(said, what=f"{times} message(s) saying {text!r}")
    await h.fake.wait_until(
        lambda: any(c.method == "chat.update" for c in h.fake.calls[after:]),
        what=f"the checklist refreshed after {text!r}",
    )


async def name_reviewers(h: Harness, channel: str, reviewers: dict[str, list[str]], *, user: str = ALICE) -> Reply:
    """/leak-reviewers, then the modal submitted with these reviewers per document (each a change), until the
    channel is told and the checklist shows them."""
    view = await h.modal("/leak-reviewers", channel=channel, user=user)
    since = len(h.fake.calls)
    reply = await h.submit(view, {f"reviewers_{doc}": users for doc, users in reviewers.items()}, user=user)
    if reply.body is None:
        await told_then_refreshed(h, "の承認者を", since=since, times=len(reviewers))
    return reply


async def request_for(h: Harness, channel: str, version: int, heading: str = "公表文") -> dict[str, Any]:
    """Waits for the Approve / Request changes message of a version and returns it."""
    wanted = f"{heading} 第{version}版の確認"
    return await h.fake.wait_until(
        lambda: next((m for m in with_button(h, channel, "leak_approve") if wanted in text_of(m)), None),
        what=f"the review request of {heading} version {version}",
    )


async def click_reply(h: Harness, action_id: str, value: str, *, user: str, channel: str) -> str:
    """Clicks a button and returns what only the clicker is told (by response_url)."""
    before = len(h.fake.responses)
    reply = await h.click(action_id, value, user=user, channel=channel)
    assert reply.status == 200, reply
    await h.fake.wait_until(lambda: len(h.fake.responses) > before, what=f"the reply to {action_id}")
    return json.dumps(h.fake.responses[before][1], ensure_ascii=False)


async def decide(h: Harness, action_id: str, value: str, *, user: str, channel: str) -> str:
    """Clicks Approve and returns the reply, once the channel is told and the checklist shows the decision."""
    since = len(h.fake.calls)
    told = await click_reply(h, action_id, value, user=user, channel=channel)
    if "記録しました" in told:
        await told_then_refreshed(h, "承認しました", since=since)
    return told


async def submit_and_wait(h: Harness, view: dict[str, Any], values: dict[str, Any], *, user: str, says: str) -> Reply:
    """Submits a review modal; once accepted, waits until the channel is told (`says`) and the checklist refreshed."""
    since = len(h.fake.calls)
    reply = await h.submit(view, values, user=user)
    if reply.status == 200 and reply.body is None:
        await told_then_refreshed(h, says, since=since)
    return reply


async def stored(h: Harness, what: str, incident_id: int = 1) -> list[Any]:
    """reviewer_history, decisions or publications as stored."""
    async with h.bot.repo.read() as tx:
        return await getattr(tx, what)(incident_id)


class NothingStored(Unchanged):
    """Unchanged, and not one row more in the review tables (or in the views the bot recorded); `told`
    ephemeral replies (by response_url) are expected: the refusal itself."""

    def __init__(self, h: Harness, *, told: int = 0) -> None:
        super().__init__(h)
        self.told = told

    async def _review_rows(self) -> dict[str, int]:
        async with self.h.bot.engine.connect() as connection:
            return {
                table: (await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in REVIEW_TABLES
            }

    async def __aenter__(self) -> NothingStored:
        await super().__aenter__()
        self.review_rows = await self._review_rows()
        self.calls["response_url"] += self.told
        return self

    async def __aexit__(self, *exc: object) -> None:
        await super().__aexit__(*exc)
        if exc[0] is None:
            assert await self._review_rows() == self.review_rows
