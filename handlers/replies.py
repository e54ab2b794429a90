"""Replies only the person sees, in their language, with no Slack call before the ack.

When the bot knows the person's language (cached), the reply goes in the ack, at once. When it does not,
the ack is empty and the reply follows through the command's response_url right after the bot has asked
Slack (users.info): so even a first reply is in the person's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.slack.locales import Locales
from handlers.after_ack import telling_failures, user_of

Reply = Callable[[str], dict[str, Any]]  # the language -> the reply's fields (see handlers.commands.private)


class Replies:
    def __init__(self, locales: Locales) -> None:
        self.locales = locales

    async def give(self, ack: Any, context: Any, user_id: str, reply: Reply) -> None:
        """Answers with `reply` in the ack when the person's language is known, else just after it
        (the listener must have `later(...)` among its lazy listeners)."""
        lang = self.locales.cached(user_id)
        if lang is not None:
            await ack(**reply(lang))
            return
        context["reply_later"] = reply  # a function: handed to the lazy listener as it is
        await ack()

    def later(self, what: str) -> Callable[..., Awaitable[None]]:
        """The lazy listener that says a reply left for after the ack, and learns the person's language
        for the next replies either way."""

        @telling_failures(what, self.locales)
        async def reply_after_the_ack(body: dict[str, Any], context: Any, respond: Any) -> None:
            lang = await self.locales.lang_of(user_of(body))
            reply: Reply | None = context.get("reply_later")
            if reply is not None:
                await respond(replace_original=False, **reply(lang))

        return reply_after_the_ack
