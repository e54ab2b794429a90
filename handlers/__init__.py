"""Slack listeners: thin; they parse, call a use case (bot.usecases), and answer.

The app runs with process_before_response: what a request changes is stored before its ack, and
what needs Slack afterwards runs as a Bolt lazy listener or as a job of the worker.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot import logs
from bot.i18n import t
from bot.slack.adapter import SlackAdapter
from bot.usecases.base import Deps
from handlers import actions, commands, events, home, review, shortcuts, timeline, views
from handlers.context import incident_resolver
from handlers.responding import ResponseSession, shared_respond

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps, adapter: SlackAdapter, responses: ResponseSession) -> None:
    """Wires every listener, the incident middleware and the error handler into the app; replies through
    response_urls go over `responses`' one HTTP session."""
    locales = adapter.locales  # each person's language: replies, modals and the App Home use it
    app.middleware(incident_resolver(deps, adapter.identity, locales, responses))  # the access door: every request
    app.middleware(shared_respond(responses))  # admitted: `respond` sends over the one session
    commands.register(app, deps, adapter)
    views.register(app, deps, locales)
    actions.register(app, deps, locales)
    events.register(app, deps)
    review.register(app, deps, locales)
    home.register(app, deps, adapter)
    shortcuts.register(app, deps, locales)
    timeline.register(app, deps, locales)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        ref = uuid.uuid4().hex[:8]
        with logs.scope(ref=ref):  # the reference the person is shown, on every line about it
            kind = (body or {}).get("type") or (body or {}).get("command")
            log.error("unexpected error in %s", kind, exc_info=error)
            if respond is not None and (body or {}).get("response_url"):
                user = (body.get("user") or {}).get("id") or body.get("user_id")
                await respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=t("error.unexpected", locales.known(user), ref=ref),
                )
