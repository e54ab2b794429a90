"""A Slack call tried again at once, on its own, when Slack says "not now": the channel set-up does not wait for
the job's backoff (+5, +10, +20 s) because one call failed on the way.

A 429 is tried again after its Retry-After; a server error, a timeout or a lost connection after 0.5 s, then
1, 2, 4 s. Anything else, or the last failure, goes to the caller (and the worker: bot/jobs.classify). A call
whose effect may have happened (a post that timed out) must be safe to repeat: posts go through the sender,
which looks for an earlier try before it sends again (bot/slack/sender.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.jobs import Retry, classify, slack_error

log = logging.getLogger(__name__)
T = TypeVar("T")
TRIES = 5
FIRST, LONGEST = 0.5, 4.0  # seconds before the first retry; the longest wait between two (Retry-After aside)
MOST_RETRY_AFTER = 5.0  # a longer Retry-After is left to the worker, which reschedules the job then


async def retrying(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    tries: int = TRIES,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Returns what `call()` returns, trying it up to `tries` times while Slack's failure is a passing one."""
    wait = FIRST
    for attempt in range(1, tries + 1):
        try:
            return await call()
        except SlackApiError as exc:
            verdict = classify(exc)
            if not isinstance(verdict, Retry) or attempt == tries:
                raise
            if verdict.after is not None:  # Slack said how long: that, and the backoff stays where it was
                if verdict.after.total_seconds() > MOST_RETRY_AFTER:
                    raise
                log.info("%s rate limited; trying again in %.1f s", what, verdict.after.total_seconds())
                await sleep(verdict.after.total_seconds())
                continue
            reason = slack_error(exc)
        except (TimeoutError, aiohttp.ClientError, SlackRequestError) as exc:
            if attempt == tries:
                raise
            reason = type(exc).__name__
        log.info("%s failed (%s); trying again in %.1f s", what, reason, wait)
        await sleep(wait)
        wait = min(wait * 2, LONGEST)
    raise AssertionError("unreachable")  # the last try returned or raised
