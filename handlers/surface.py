"""What the bot listens to and what it calls in Slack: one declaration, read by the listeners and `leakbot check`.

The listeners in `handlers/` register exactly these commands, shortcuts and events (tests/test_surface.py
builds the app and compares), and `leakbot check` compares them with the app's `manifest.yml`.
"""

from __future__ import annotations

LEAK_OPEN = "/leak-open"
LEAK_NEXT = "/leak-next"
LEAK_STATUS = "/leak-status"
LEAK_ANSWER = "/leak-answer"
LEAK_DRAFT = "/leak-draft"
LEAK_CLOSE = "/leak-close"
LEAK_REVIEWERS = "/leak-reviewers"
LEAK_LIST = "/leak-list"
LEAK_TIMELINE = "/leak-timeline"
MEMBER_JOINED = "member_joined_channel"
MEMBER_LEFT = "member_left_channel"
APP_HOME_OPENED = "app_home_opened"
SHORTCUT_OPEN = "leak_open"  # global shortcut
SHORTCUT_OPEN_FROM_MESSAGE = "leak_open_from_message"  # message shortcut
SHORTCUT_ADD_TO_TIMELINE = "leak_add_to_timeline"  # message shortcut, in an incident channel

# Slash commands (manifest: features.slash_commands[].command).
COMMANDS: tuple[str, ...] = (
    LEAK_OPEN,
    LEAK_NEXT,
    LEAK_STATUS,
    LEAK_ANSWER,
    LEAK_DRAFT,
    LEAK_LIST,
    LEAK_TIMELINE,
    LEAK_REVIEWERS,
    LEAK_CLOSE,
)
# Global and message shortcuts by callback_id (manifest: features.shortcuts[].callback_id).
SHORTCUTS: tuple[str, ...] = (SHORTCUT_OPEN, SHORTCUT_OPEN_FROM_MESSAGE, SHORTCUT_ADD_TO_TIMELINE)
# Events API event types (manifest: settings.event_subscriptions.bot_events).
EVENTS: tuple[str, ...] = (MEMBER_JOINED, MEMBER_LEFT, APP_HOME_OPENED)

# Every Slack Web API method the bot calls, with the bot token scopes it needs
# (https://api.slack.com/methods). tests/test_surface.py fails when the code calls a method missing here.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),  # to a user id too: the app's DM, no im:write needed
    "chat.update": ("chat:write",),
    "conversations.create": ("groups:write",),  # private channels
    "conversations.invite": ("groups:write",),
    "conversations.setTopic": ("groups:write",),
    "conversations.list": ("groups:read",),  # types=private_channel
    "conversations.members": ("groups:read",),
    # a post whose outcome is unknown is looked for before it is sent again (bot/slack/sender.py):
    # in the private incident channel, or in the DM, whose channel id conversations.open gives
    "conversations.history": ("groups:history", "im:history"),
    "conversations.open": ("im:write",),
    "pins.add": ("pins:write",),
    "views.open": (),
    "views.update": (),
    "views.publish": (),  # the App Home tab
    "chat.getPermalink": (),  # the message a shortcut was used on
    "files.getUploadURLExternal": ("files:write",),  # files_upload_v2, step 1
    "files.completeUploadExternal": ("files:write",),  # files_upload_v2, step 2
    "files.list": ("files:read",),  # an upload whose outcome is unknown, looked for (bot/slack/sender.py)
    "files.info": ("files:read",),  # an uploaded draft file's link, for its bookmark; who made a channel canvas
    "conversations.info": ("groups:read",),  # the channel's canvas, when one exists already
    "conversations.canvases.create": ("canvases:write",),  # the channel canvas with the current public draft
    "canvases.edit": ("canvases:write",),
    "bookmarks.add": ("bookmarks:write",),  # checklist, latest draft files, the PPC's report page
    "bookmarks.edit": ("bookmarks:write",),
    "bookmarks.list": ("bookmarks:read",),  # a bookmark an attempt that crashed had added
    "users.info": ("users:read",),  # include_locale: each person's language (bot/slack/locales.py)
}


def _needed_scopes() -> tuple[str, ...]:
    scopes = {scope for needed in METHOD_SCOPES.values() for scope in needed}
    if COMMANDS or SHORTCUTS:
        scopes.add("commands")
    return tuple(sorted(scopes))


# The bot token scopes the code needs: derived from the methods above and the commands it answers.
SCOPES: tuple[str, ...] = _needed_scopes()


def why_scope(scope: str) -> str:
    """What needs a scope, in a few words (for `leakbot check`)."""
    if scope == "commands":
        return "slash commands and shortcuts"
    return ", ".join(method for method, needed in METHOD_SCOPES.items() if scope in needed)
