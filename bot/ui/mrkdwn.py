"""Making user text safe and small enough for Slack."""

from __future__ import annotations

SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Escapes &, < and > so typed text can never ping, link or format as a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """Cuts text to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = SECTION_LIMIT - 100) -> list[str]:
    """Splits text into pieces of at most `limit` characters, at paragraph or line ends when possible."""
    pieces: list[str] = []
    rest = text.strip("\n")
    while len(rest) > limit:
        cut = next((at for at in (rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit)) if at > limit // 2), limit)
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces


def escaped_chunks(text: str, limit: int = SECTION_LIMIT, size: int | None = None) -> list[str]:
    """Splits text into escaped pieces that each fit in one section (escaping can lengthen text)."""
    size = size or limit - 100
    out: list[str] = []
    for piece in chunks(text, size):
        safe = escape(piece)
        out.extend([safe] if len(safe) <= limit else escaped_chunks(piece, limit, max(size // 2, 1)))
    return out
