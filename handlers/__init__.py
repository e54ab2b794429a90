"""Slack listeners: thin; they parse, call `bot`, and render."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.flows import Flows
from bot.i18n import t
from handlers import actions, commands, views
from handlers.context import incident_resolver

log = logging.getLogger(__name__)


def register(app: AsyncApp, flows: Flows) -> None:
    """Wires every listener, the incident middleware and the error handler into the app."""
    app.middleware(incident_resolver(flows.incidents))
    commands.register(app, flows)
    views.register(app, flows)
    actions.register(app, flows)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        ref = uuid.uuid4().hex[:8]
        log.error("unexpected error ref=%s type=%s", ref, (body or {}).get("type") or (body or {}).get("command"),
                  exc_info=error)
        if respond is not None and (body or {}).get("response_url"):
            await respond(response_type="ephemeral", replace_original=False, text=t("error.unexpected", flows.lang, ref=ref))
