"""Commands whose reply is only a read of the database answer in their ack (/leak-status, /leak-list, the
/leak-timeline list): one read unit of work gives the person's language (bot/slack/locales.py keeps it in
the database) with what is shown, and the reply is the ack's body. No Slack call comes before it; when the
person's language is not known yet, or is old, Slack is asked after the ack, for the next request.

Slack waits 3 s for an ack. The read gets READ_BUDGET of them: when the database is slow or fails, the
ack says so in plain words with a reference (also logged), and the read, left to finish, is dropped.
Nothing is lost: a read changes nothing, and the person can ask again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot import logs
from bot.i18n import t
from bot.slack.locales import Locales
from storage.repository import Repository, Tx

log = logging.getLogger(__name__)
READ_BUDGET = 2.0  # seconds the ack's read may take (the door's read and the reply's way to Slack come on top)
Reply = Callable[[Tx, str], Awaitable[dict[str, Any]]]  # (the read, the language) -> the reply's fields
_reading: set[asyncio.Task[dict[str, Any]]] = set()  # reads whose ack went without them (kept until done)


async def answer_in_ack(
    ack: Any, repo: Repository, locales: Locales, user_id: str, what: str, reply: Reply, *, budget: float = READ_BUDGET
) -> None:
    """Acks with `reply`, made in one read of the database in the person's language; or with a clear error
    and a reference when that read fails or takes longer than `budget` seconds."""

    async def read() -> dict[str, Any]:
        async with repo.read() as tx:
            return await reply(tx, locales.for_ack(user_id, await tx.language(user_id)))

    task = asyncio.ensure_future(read())
    done, _ = await asyncio.wait({task}, timeout=budget)
    if task in done and task.exception() is None:
        await ack(**task.result())
        return
    ref = uuid.uuid4().hex[:8]
    with logs.scope(ref=ref):  # the reference the person is shown, on the line about it
        if task in done:
            error = task.exception()
            log.error("the read of %s failed before its ack: %s", what, type(error).__name__, exc_info=error)
        else:
            log.error("the read of %s took over %.1f s; acked without it", what, budget)
            _reading.add(task)  # not cancelled in the middle of a statement: it finishes, and is dropped
            task.add_done_callback(_dropped)
    text = t("error.read_failed", locales.known(user_id), what=what, ref=ref)
    await ack(response_type="ephemeral", text=text)


def _dropped(task: asyncio.Task[dict[str, Any]]) -> None:
    _reading.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.debug("a read acked without it failed too: %s", type(task.exception()).__name__)
