"""Answering Slack the moment a listener acknowledges, with the rest of the listener after it."""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from typing import Any, Awaitable, Callable

from bot.flows import Flows

log = logging.getLogger(__name__)
Listener = Callable[..., Awaitable[None]]


def answering_at_ack(flows: Flows) -> Callable[[Listener], Listener]:
    """The app runs with process_before_response, so Bolt answers Slack when the listener returns.

    This makes a listener return as soon as it has called ack() (no polling, no 10 ms steps); the
    rest of it goes on as a task of its own. An error before the ack still reaches Bolt's handler.
    """
    def decorate(listener: Listener) -> Listener:
        @functools.wraps(listener)
        async def answer_first(**kwargs: Any) -> None:
            acked = asyncio.Event()
            real_ack = kwargs["ack"]

            async def ack(*args: Any, **options: Any) -> Any:
                try:
                    return await real_ack(*args, **options)
                finally:
                    acked.set()

            rest = flows.track(listener(**{**kwargs, "ack": ack}))
            waiting = asyncio.ensure_future(acked.wait())
            await asyncio.wait({rest, waiting}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if rest.done():
                rest.result()  # raises what the listener raised, for Bolt's error handler
            else:
                rest.add_done_callback(_log_failure)
        return answer_first
    return decorate


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        ref = uuid.uuid4().hex[:8]
        log.error("unexpected error after an ack ref=%s", ref, exc_info=task.exception())
