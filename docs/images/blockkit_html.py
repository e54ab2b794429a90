"""Block Kit messages as HTML that looks like Slack, for the pictures in the README (a docs tool, not the bot).

`page(posts, channel=..., users=...)` gives a whole HTML document: the channel's name and its messages, each
with its author, time and blocks. It understands what leakbot posts (header, section with fields and an
accessory, context, divider, actions with buttons and selects) and Slack's mrkdwn (*bold*, _italic_,
~strike~, `code`, ```code blocks```, <links|labels>, <@U…> mentions, a few :emoji:). Any other block or
element raises ValueError, so a picture never silently leaves part of a message out.

Everything typed is escaped: the messages hold what people answered. Nothing makes the browser fetch
anything (no images, no web fonts): an image is shown by its alt text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The shortcodes leakbot uses, and a few common ones; any other stays as typed (":tada:").
EMOJI = {
    "white_check_mark": "✅",
    "black_square_button": "🔲",
    "white_circle": "⚪",
    "warning": "⚠️",
    "memo": "📝",
    "pushpin": "📌",
    "lock": "🔒",
    "x": "❌",
    "heavy_check_mark": "✔️",
    "hourglass_flowing_sand": "⏳",
    "bell": "🔔",
    "page_facing_up": "📄",
    "clipboard": "📋",
    "eyes": "👀",
    "tada": "🎉",
}
LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Post:
    """One message as the channel shows it: who posted it, when (as the reader's clock says), what it holds."""

    author: str
    time: str
    text: str = ""  # the fallback text: shown only when there are no blocks, as Slack does
    blocks: Sequence[Mapping[str, Any]] = ()
    app: bool = True  # an app's message: Slack puts an APP badge after the name
    pinned_by: str | None = None
    edited: bool = False


def e(text: str) -> str:
    """HTML-escapes text (quotes too: it may land in an attribute)."""
    return html.escape(text, quote=True)


def unslack(text: str) -> str:
    """Undoes Slack's own escaping of &, < and > in mrkdwn (the text then goes through `e`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(escaped: str) -> str:
    """Replaces the known :shortcodes: of already escaped text with their emoji."""
    return re.sub(r":([a-z0-9_+-]+):", lambda m: EMOJI.get(m[1], m[0]), escaped)


def plain(text: str) -> str:
    """A plain_text object's text: escaped, shortcodes shown as emoji (Slack's `emoji: true`)."""
    return emoji(e(text))


# *bold*, _italic_, ~strike~: the marks open after a space or punctuation and close before one,
# and hug the words they mark ("a * b * c" and "snake_case_name" stay as they are).
_STYLES = [
    (re.compile(rf"(?<![\w{mark}])\{mark}(?!\s)([^{mark}\n]+?)(?<!\s)\{mark}(?![\w{mark}])"), tag)
    for mark, tag in (("*", "b"), ("_", "i"), ("~", "s"))
]


def mrkdwn(text: str, users: Mapping[str, str]) -> str:
    """Slack mrkdwn as HTML. Code, links and mentions are set aside first (marks inside them do nothing),
    the rest is escaped and styled, then they are put back."""
    kept: list[str] = []

    def keep(markup: str) -> str:
        kept.append(markup)
        return f"\x00{len(kept) - 1}\x00"

    text = text.replace("\x00", "")
    text = re.sub(r"```(.+?)```", lambda m: keep(f"<pre>{e(unslack(m[1]).strip(chr(10)))}</pre>"), text, flags=re.S)
    text = re.sub(r"`([^`\n]+)`", lambda m: keep(f"<code>{e(unslack(m[1]))}</code>"), text)
    text = re.sub(r"<([^<>\n]*)>", lambda m: keep(_angle(m[1], users)), text)
    text = re.sub(r"\b(?:https?://|mailto:)[\x21-\x7e]+", lambda m: keep(_autolink(m[0])), text)
    marked = emoji(e(unslack(text)))
    for pattern, tag in _STYLES:
        marked = pattern.sub(rf"<{tag}>\1</{tag}>", marked)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], marked)


def _autolink(raw: str) -> str:
    """A bare address in the text: Slack links it (trailing punctuation stays text)."""
    url = unslack(raw).rstrip(".,;:!?)'\"")
    return _link(url, e(url)) + e(unslack(raw)[len(url) :])


def _link(url: str, label: str) -> str:
    return f'<a href="{e(url)}">{label}</a>' if url.startswith(LINK_SCHEMES) else label


def _angle(inner: str, users: Mapping[str, str]) -> str:
    """What Slack shows for <…>: a mention, a channel, a special mention, or a link with its label."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        name = label or users.get(target[1:], target[1:])
        return f'<span class="mention">@{e(unslack(name))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{e(unslack(label or target[1:]))}</span>'
    if target.startswith("!"):
        word = label or "@" + target[1:].split("^")[0]
        return f'<span class="mention">{e(unslack(word))}</span>'
    url = unslack(target)
    return _link(url, e(unslack(label or target)))


def text_object(obj: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """A text object (mrkdwn or plain_text) as HTML."""
    if obj.get("type") == "mrkdwn":
        return f'<span class="mrkdwn">{mrkdwn(str(obj.get("text", "")), users)}</span>'
    if obj.get("type") == "plain_text":
        return f'<span class="plain">{plain(str(obj.get("text", "")))}</span>'
    raise ValueError(f"not a text object: {obj.get('type')!r}")


def element(el: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """An interactive element (a button, a select, an overflow menu, a date picker) as it looks unopened."""
    kind = str(el.get("type"))
    if kind == "button":
        style = {"primary": " primary", "danger": " danger"}.get(str(el.get("style")), "")
        return f'<span class="button{style}">{plain(el["text"]["text"])}</span>'
    if kind.endswith("_select") or kind in ("datepicker", "timepicker", "datetimepicker"):
        return f'<span class="select">{_chosen(el, users)}<span class="chevron">▾</span></span>'
    if kind == "overflow":
        return '<span class="button overflow">⋯</span>'
    if kind == "image":
        return f'<span class="image">{e(str(el.get("alt_text", "")))}</span>'
    if kind in ("mrkdwn", "plain_text"):
        return text_object(el, users)
    raise ValueError(f"no HTML for the element {kind!r}")


def _chosen(el: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """What a closed select or picker shows: its choice, else its placeholder in grey."""
    if el.get("initial_user"):
        return f"@{e(users.get(el['initial_user'], el['initial_user']))}"
    if el.get("initial_option"):
        return plain(el["initial_option"]["text"]["text"])
    for key in ("initial_date", "initial_time"):
        if el.get(key):
            return e(str(el[key]))
    placeholder = el.get("placeholder", {}).get("text") or "Select"
    return f'<span class="placeholder">{plain(placeholder)}</span>'


def block(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    """One layout block as HTML."""
    kind = str(b.get("type"))
    render = _BLOCKS.get(kind)
    if render is None:
        raise ValueError(f"no HTML for the block {kind!r}")
    return render(b, users)


def _header(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    return f'<div class="header">{plain(b["text"]["text"])}</div>'


def _section(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    body = f'<div class="text">{text_object(b["text"], users)}</div>' if b.get("text") else ""
    if b.get("fields"):
        body += '<div class="fields">' + "".join(f"<div>{text_object(f, users)}</div>" for f in b["fields"]) + "</div>"
    accessory = f'<div class="accessory">{element(b["accessory"], users)}</div>' if b.get("accessory") else ""
    return f'<div class="section"><div class="body">{body}</div>{accessory}</div>'


def _context(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    return '<div class="context">' + " ".join(element(el, users) for el in b.get("elements", [])) + "</div>"


def _divider(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    return '<hr class="divider">'


def _actions(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    return '<div class="actions">' + "".join(element(el, users) for el in b.get("elements", [])) + "</div>"


def _image(b: Mapping[str, Any], users: Mapping[str, str]) -> str:
    return f'<div class="image">{e(str(b.get("alt_text", "")))}</div>'


_BLOCKS: dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "actions": _actions,
    "image": _image,
}


def post(p: Post, users: Mapping[str, str]) -> str:
    """One message: avatar, name, badge and time, then its blocks (or its text when it has none)."""
    body = (
        "".join(block(b, users) for b in p.blocks) if p.blocks else f'<div class="text">{mrkdwn(p.text, users)}</div>'
    )
    badge = '<span class="badge">APP</span>' if p.app else ""
    edited = '<span class="edited">(edited)</span>' if p.edited else ""
    pinned = f'<div class="pinned-by">📌 Pinned by {e(p.pinned_by)}</div>' if p.pinned_by else ""
    return (
        f'<div class="message{" pinned" if p.pinned_by else ""}">{pinned}<div class="row">'
        f'<div class="avatar">{e(p.author[:1].upper())}</div><div class="content">'
        f'<div class="meta"><span class="author">{e(p.author)}</span>{badge}<span class="time">{e(p.time)}</span></div>'
        f"{body}{edited}</div></div></div>"
    )


def page(posts: Sequence[Post], *, channel: str, users: Mapping[str, str], private: bool = True) -> str:
    """A whole HTML document: the channel's name over its messages, oldest first."""
    mark = "🔒" if private else "#"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(channel)}</title>'
        f"<style>{CSS}</style></head><body>"
        f'<div class="channel"><span class="mark">{mark}</span> {e(channel)}</div>'
        + "".join(post(p, users) for p in posts)
        + "</body></html>\n"
    )


CSS = """
body { margin: 0; padding-bottom: 8px; background: #fff; color: #1d1c1d; font: 15px/1.46668 Lato, "Noto Sans CJK JP",
  "Noto Color Emoji", sans-serif; -webkit-font-smoothing: antialiased; }
.channel { padding: 14px 20px; border-bottom: 1px solid #dddddd; font-size: 18px; font-weight: 900; }
.channel .mark { font-size: 15px; }
.message { padding: 8px 20px; }
.message.pinned { background: #fef9ed; }
.pinned-by { font-size: 13px; color: #616061; margin: 0 0 4px 44px; }
.row { display: flex; gap: 8px; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; background: #2eb67d; color: #fff;
  font-weight: 900; font-size: 18px; text-align: center; line-height: 36px; }
.content { flex: 1; min-width: 0; }
.meta { line-height: 1.2; margin-bottom: 2px; }
.author { font-weight: 900; }
.badge { font-size: 10px; font-weight: 700; color: #616061; background: rgba(29, 28, 29, 0.13);
  border-radius: 2px; padding: 1px 3px; margin-left: 4px; vertical-align: 2px; }
.time { font-size: 12px; color: #616061; margin-left: 6px; }
.edited { font-size: 13px; color: #616061; }
.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 4px 0; }
.section { display: flex; gap: 16px; margin: 4px 0; }
.section .body { flex: 1; min-width: 0; }
.accessory { flex: none; }
.text, .mrkdwn, .plain { white-space: pre-wrap; overflow-wrap: anywhere; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
.context { font-size: 13px; color: #616061; margin: 4px 0; }
.divider { border: 0; border-top: 1px solid #dddddd; margin: 10px 0; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.button, .select { display: inline-flex; align-items: center; height: 28px; padding: 0 12px; box-sizing: border-box;
  border: 1px solid rgba(29, 28, 29, 0.3); border-radius: 4px; font-size: 13px; font-weight: 700; background: #fff; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { color: #e01e5a; }
.select { min-width: 180px; justify-content: space-between; font-weight: 400; font-size: 15px; }
.placeholder { color: #868686; }
.chevron { color: #616061; margin-left: 12px; }
code { font: 12px Monaco, Menlo, "DejaVu Sans Mono", monospace; color: #c01343; background: rgba(29, 28, 29, 0.04);
  border: 1px solid rgba(29, 28, 29, 0.13); border-radius: 3px; padding: 2px 3px 1px; }
pre { font: 12px/1.5 Monaco, Menlo, "DejaVu Sans Mono", monospace; background: rgba(29, 28, 29, 0.04);
  border: 1px solid rgba(29, 28, 29, 0.13); border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; }
a { color: #1264a3; text-decoration: none; }
.mention { color: #1264a3; background: rgba(29, 155, 209, 0.1); border-radius: 3px; padding: 0 2px; }
.image { color: #616061; font-style: italic; }
"""
