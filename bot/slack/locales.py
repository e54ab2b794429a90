"""Each person's language: their Slack locale (`users.info` with `include_locale`), `ja` or `en`, else
LEAKBOT_LANG. Modals, ephemeral replies and the App Home use it; channel messages and drafts keep the
incident's language.

Kept in the database (the `people` table), so that every replica, and a restarted one, knows it without
asking Slack: a read command's ack reads it with what it shows (`for_ack`), and when the database has none
for the person, or one older than a day, Slack is asked after the ack (`learn_later`) and the answer is
stored for the next request. Slack is asked only where a call is allowed: after an ack and in jobs
(`lang_of`). Each replica also keeps what it learnt in memory, bounded in size and age, for the acks that
read nothing (`known`); a failed lookup (no `users:read`, a rate limit, Slack down) means LEAKBOT_LANG for
a short while, never an error for the person.
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
from storage.records import KnownLanguage
from storage.repository import Repository

log = logging.getLogger(__name__)
LANGS = ("ja", "en")
MAX_PEOPLE = 5000  # entries kept; the least recently used goes first
KEPT = timedelta(hours=6)  # a locale changed in Slack is followed within this
KEPT_AFTER_FAILURE = timedelta(minutes=5)  # then Slack is asked again
REFRESH = timedelta(days=1)  # a language the database has from longer ago is asked for again, after an ack


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
        repo: Repository | None = None,
        refresh: timedelta = REFRESH,
    ) -> None:
        self.client, self.clock, self.default, self.repo = client, clock, default, repo
        self.size, self.kept, self.kept_after_failure, self.refresh = size, kept, kept_after_failure, refresh
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

    def for_ack(self, user_id: str | None, stored: KnownLanguage | None) -> str:
        """For the ack of a read command, which read `stored` (Tx.language) with what it shows: that language,
        else what this replica learnt, else LEAKBOT_LANG. No Slack call: when the database has no language
        for the person, or one older than `refresh`, Slack is asked after the ack (`learn_later`)."""
        if not user_id:
            return self.default
        if stored is None or self.clock.now() - stored.checked_at >= self.refresh:
            self.learn_later(user_id)
        return stored.lang if stored is not None else self.known(user_id)

    def learn_later(self, user_id: str) -> None:
        """Asks Slack for the person's language after the ack under way, and stores it for the next requests;
        not when this replica asked lately (its answer, or its failure, is still fresh) or is asking now."""
        if self.cached(user_id) is None and user_id not in self._asking:
            self._start(user_id, later=True)

    async def lang_of(self, user_id: str | None) -> str:
        """The person's language: known here, else stored (fresh), else asked of Slack and stored (only after
        an ack, or in a job)."""
        if not user_id:
            return self.default
        hit = self.cached(user_id)
        if hit is not None:
            return hit
        task = self._asking.get(user_id) or self._start(user_id)
        return await asyncio.shield(task)

    async def close(self) -> None:
        """Stops the look-ups under way (the bot is stopping; they are asked again another time)."""
        for task in list(self._asking.values()):
            task.cancel()
        await asyncio.gather(*self._asking.values(), return_exceptions=True)

    def _start(self, user_id: str, *, later: bool = False) -> asyncio.Task[str]:
        # shared by whoever asks next: its lines belong to no one request's or job's incident
        task = asyncio.get_running_loop().create_task(
            self._learn(user_id, later=later), name=f"leakbot-locale-{user_id}", context=logs.detached()
        )
        self._asking[user_id] = task
        task.add_done_callback(
            lambda done: self._asking.pop(user_id, None) if self._asking.get(user_id) is done else None
        )
        return task

    async def _learn(self, user_id: str, *, later: bool) -> str:
        if later:
            await asyncio.sleep(0)  # the ack is on its way first, as a Bolt lazy listener's would be
        else:
            stored = await self._stored(user_id)
            if stored is not None and self.clock.now() - stored.checked_at < self.refresh:
                self._keep(user_id, stored.lang, min(self.kept, stored.checked_at + self.refresh - self.clock.now()))
                return stored.lang
        lang, learnt = await self._ask(user_id)
        if learnt:
            await self._store(user_id, lang)
        return lang

    async def _stored(self, user_id: str) -> KnownLanguage | None:
        if self.repo is None:
            return None
        try:
            async with self.repo.read() as tx:
                return await tx.language(user_id)
        except Exception as error:  # noqa: BLE001 - Slack is asked instead
            log.warning("could not read a person's language (%s); asking Slack", type(error).__name__)
            return None

    async def _store(self, user_id: str, lang: str) -> None:
        if self.repo is None:
            return
        try:
            async with self.repo.tx() as tx:
                await tx.keep_language(user_id, lang, at=self.clock.now())
        except Exception as error:  # noqa: BLE001 - this replica knows it still; it is asked again later
            log.warning("could not store a person's language (%s)", type(error).__name__)

    async def _ask(self, user_id: str) -> tuple[str, bool]:
        """The language users.info gives, and whether it gave one (else LEAKBOT_LANG for a while)."""
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            return self._failed(user_id, slack_error(exc)), False
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors, a bad body: never fatal here
            return self._failed(user_id, type(exc).__name__), False
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
        return lang, True

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
