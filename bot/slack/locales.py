"""Each person's language: their Slack locale (`users.info` with `include_locale`), `ja` or `en`, else
LEAKBOT_LANG. Modals, ephemeral replies and the App Home use it; channel messages and drafts keep the
incident's language.

Looked up only where a Slack call is allowed: after an ack (lazy listeners) and in jobs. A request's ack
uses what is cached already (`known`), never a Slack call. The cache is bounded in size and age; a
failed lookup (no `users:read`, a rate limit, Slack down) means LEAKBOT_LANG for a short while, never an
error for the person.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import logs
from bot.clock import Clock
from bot.jobs import slack_error

log = logging.getLogger(__name__)
LANGS = ("ja", "en")
MAX_PEOPLE = 5000  # entries kept; the least recently used goes first
KEPT = timedelta(hours=6)  # a locale changed in Slack is followed within this
KEPT_AFTER_FAILURE = timedelta(minutes=5)  # then Slack is asked again


def lang_of_locale(locale: Any, default: str) -> str:
    """`ja-JP` → `ja`, `en-US`/`en-GB` → `en`; any other locale (or none) → `default`."""
    prefix = str(locale or "").replace("_", "-").split("-")[0].lower()
    return prefix if prefix in LANGS else default


class Locales:
    """Who reads which language, from Slack, cached."""

    def __init__(
        self,
        client: Any,
        clock: Clock,
        default: str,
        *,
        size: int = MAX_PEOPLE,
        kept: timedelta = KEPT,
        kept_after_failure: timedelta = KEPT_AFTER_FAILURE,
    ) -> None:
        self.client, self.clock, self.default = client, clock, default
        self.size, self.kept, self.kept_after_failure = size, kept, kept_after_failure
        self._entries: OrderedDict[str, tuple[str, datetime]] = OrderedDict()  # user -> (lang, until)
        self._names: OrderedDict[str, str] = OrderedDict()  # user -> display name, learnt with the locale
        self._asking: dict[str, asyncio.Task[str]] = {}  # one users.info per person at a time
        self._warned: set[str] = set()  # Slack error codes already logged at WARNING
        self.slack_errors: Callable[[str, str], None] | None = None  # counts failures for /metrics

    def cached(self, user_id: str | None) -> str | None:
        """The person's language when it is known and fresh; None otherwise. No Slack call."""
        entry = self._entries.get(user_id or "")
        if entry is None:
            return None
        lang, until = entry
        if self.clock.now() >= until:
            del self._entries[user_id or ""]
            return None
        self._entries.move_to_end(user_id or "")
        return lang

    def name(self, user_id: str) -> str | None:
        """The person's display name when users.info gave it already (on this replica); None otherwise. No Slack call."""
        return self._names.get(user_id)

    def known(self, user_id: str | None) -> str:
        """For an ack: the cached language, else LEAKBOT_LANG. No Slack call."""
        return self.cached(user_id) or self.default

    async def lang_of(self, user_id: str | None) -> str:
        """The person's language, asking Slack when it is not cached (only after an ack, or in a job)."""
        if not user_id:
            return self.default
        hit = self.cached(user_id)
        if hit is not None:
            return hit
        task = self._asking.get(user_id)
        if task is None:
            # shared by whoever asks next: its lines belong to no one request's or job's incident
            task = asyncio.get_running_loop().create_task(self._ask(user_id), context=logs.detached())
            self._asking[user_id] = task
            task.add_done_callback(
                lambda done: self._asking.pop(user_id, None) if self._asking.get(user_id) is done else None
            )
        return await asyncio.shield(task)

    async def _ask(self, user_id: str) -> str:
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            return self._failed(user_id, slack_error(exc))
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors, a bad body: never fatal here
            return self._failed(user_id, type(exc).__name__)
        user = response.get("user") or {}
        locale = user.get("locale")
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        if isinstance(name, str) and name.strip():
            self._names[user_id] = name.strip()[:80]
            self._names.move_to_end(user_id)
            while len(self._names) > self.size:
                self._names.popitem(last=False)
        lang = lang_of_locale(locale, self.default)
        log.debug("locale of %s is %s: %s", user_id, locale or "(none)", lang)
        self._keep(user_id, lang, self.kept)
        return lang

    def _failed(self, user_id: str, error: str) -> str:
        if self.slack_errors is not None:
            self.slack_errors("users.info", error)
        if error in self._warned:
            log.debug("users.info failed (%s); %s is answered in LEAKBOT_LANG for now", error, user_id)
        else:
            self._warned.add(error)
            scope = error in ("missing_scope", "not_allowed_token_type")
            hint = " (the bot token needs the users:read scope)" if scope else ""
            log.warning(
                "users.info failed (%s)%s; people are answered in LEAKBOT_LANG=%s until it works",
                error,
                hint,
                self.default,
            )
        self._keep(user_id, self.default, self.kept_after_failure)
        return self.default

    def _keep(self, user_id: str, lang: str, kept: timedelta) -> None:
        self._entries[user_id] = (lang, self.clock.now() + kept)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
