"""Work after the ack runs as Bolt lazy listeners. A failure there is logged with a reference and told
to the person who acted, in plain words, with the same reference."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import logs
from bot.i18n import t
from bot.jobs import slack_error
from bot.slack.locales import Locales

log = logging.getLogger(__name__)
Listener = Callable[..., Awaitable[None]]


def telling_failures(what: str, locales: Locales) -> Callable[[Listener], Listener]:
    """Wraps a lazy listener: an exception is logged with a reference and the person is told (ephemeral),
    in their language as far as it is known (no further Slack call)."""

    def decorate(listener: Listener) -> Listener:
        @functools.wraps(listener)
        async def told(**kwargs: Any) -> None:
            try:
                await listener(**kwargs)
            except Exception as error:  # noqa: BLE001 - everything: the person must hear of it (_tell logs it)
                ref = uuid.uuid4().hex[:8]
                with logs.scope(ref=ref):  # the reference the person is shown, on every line about it
                    await _tell(what, ref, error, locales, kwargs)

        return told

    return decorate


async def _tell(what: str, ref: str, error: Exception, locales: Locales, kwargs: dict[str, Any]) -> None:
    """Logs a lazy listener's failure and tells the person who acted, with the reference `ref`."""
    detail = slack_error(error) if isinstance(error, SlackApiError) else type(error).__name__
    log.error("after the ack of %s: %s", what, detail, exc_info=error)
    respond = kwargs.get("respond")
    if respond is None:
        return
    lang = locales.known(user_of(kwargs.get("body") or {}))
    try:
        await respond(
            response_type="ephemeral", replace_original=False, text=t("error.after_ack", lang, what=what, ref=ref)
        )
    except Exception:  # noqa: BLE001 - Slack cannot be told either; the log has it
        log.warning("could not tell the person of the failure after the ack of %s", what)


def user_of(body: dict[str, Any]) -> str | None:
    """Who sent a request: a command's user_id, an interaction's or an event's user."""
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    event = body.get("event") or {}
    return body.get("user_id") or (user if isinstance(user, str) else None) or event.get("user")
