"""Makes docs/images/channel.png and docs/images/draft.png from a real run of leakbot against the fake Slack.

    apt-get install -y chromium fonts-lato fonts-noto-color-emoji fonts-noto-cjk   # Debian's packages
    .venv/bin/python -m docs.images.make_pictures

The bot runs in this process as the tests run it (tests/conftest.py: its clock stopped at 2026-11-26
10:00 JST, a fresh SQLite file), with the fake Slack of tests/fake_slack.py. The script opens an invented
incident with /leak-open and answers the checklist through its modals as a person would (tests/story.py).
It takes the channel's messages as the fake Slack recorded them: once part-way (the checklist pinned at the
top, the next question below it) and once every required item is answered (the draft disclosure). Those
are turned into HTML that looks like Slack (blockkit_html.py) and photographed by headless Chromium.

Same data, same clock, same fonts: the same pictures. Nothing leaves 127.0.0.1 (Chromium is told that
no host name resolves).
"""

from __future__ import annotations

import asyncio
import copy
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docs.images.blockkit_html import Post, page
from tests.conftest import Harness, start_harness, stop_harness
from tests.fake_slack import FakeSlack
from tests.story import answer, messages, open_incident

HERE = Path(__file__).resolve().parent
WIDTH = 900
LANG = "en"
READER_TZ = ZoneInfo("Asia/Tokyo")  # the fake Slack's people live in Tokyo

# An invented incident at an invented company: no real person, customer or service.
TITLE = "Customer list on a lost contractor laptop"
SUMMARY = (
    "A contractor's laptop holding an export of the member database was lost on a train on 25 November. "
    "The disk was not encrypted."
)
# Answers to each required question, in the order the bot asks them (the step ids of bot/checklist.py).
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("data_items", {"data_items": ["name", "address", "email", "birth_date"]}),
    ("counts", {"max_count": "about 48,000", "confirmed_count": "12,400"}),
    ("services", {"services": "Example Cooking Club (online recipe subscription)"}),
    ("card_bank", {"card_bank": "none"}),
    (
        "customer_actions",
        {"customer_actions": "Be wary of e-mails or calls claiming to be from us that ask for your password."},
    ),
    ("contact", {"contact": "Leak hotline 0120-000-000 (9:00-18:00, every day), https://example.com/notice"}),
]
ANSWERED_IN_CHANNEL_PICTURE = 3  # the channel picture is taken with this many answered: card_bank is asked next


FONTS = {"Lato": "fonts-lato", "Noto Color Emoji": "fonts-noto-color-emoji", "Noto Sans CJK JP": "fonts-noto-cjk"}


def chromium() -> str:
    """Debian's chromium (or another Chromium on PATH) with the fonts the page names, else stops saying what
    to install: without them the pictures would still be made, in the wrong letters or with empty boxes."""
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if browser is None:
        raise SystemExit("make_pictures: no chromium on PATH; install it with: apt-get install -y chromium")
    installed = _run(["fc-list", ":", "family"]) if shutil.which("fc-list") else ""
    missing = [package for family, package in FONTS.items() if family not in installed]
    if missing:
        raise SystemExit(f"make_pictures: fonts missing; install them with: apt-get install -y {' '.join(missing)}")
    return browser


def shoot(html: str, out: Path, browser: str) -> None:
    """Renders the HTML in headless Chromium at WIDTH and saves the whole page, no taller, as a PNG."""
    with tempfile.TemporaryDirectory() as folder:
        flags = [
            browser,
            "--headless",
            "--no-sandbox",  # this may run as root in a container; it renders only the page written here
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can be fetched from outside
            f"--user-data-dir={folder}/profile",
        ]
        measured, final = Path(folder, "measure.html"), Path(folder, "page.html")
        # First pass: the page writes its own height into <html data-height>, read back from --dump-dom.
        probe = "<script>document.documentElement.dataset.height = Math.ceil(document.body.scrollHeight)</script>"
        measured.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
        dom = _run([*flags, f"--window-size={WIDTH},200", "--dump-dom", measured.as_uri()])
        height = re.search(r'data-height="(\d+)"', dom)
        if not height:
            raise SystemExit(f"make_pictures: chromium gave no page height for {out.name}")
        final.write_text(html, encoding="utf-8")
        _run([*flags, f"--window-size={WIDTH},{height[1]}", f"--screenshot={out}", final.as_uri()])
    if not out.is_file() or out.stat().st_size == 0:
        raise SystemExit(f"make_pictures: chromium wrote no {out}")


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"make_pictures: {command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def posts(h: Harness, recorded: list[dict[str, Any]], pins: list[str]) -> list[Post]:
    """The recorded messages as the channel shows them, at the time of the bot's (stopped) clock."""
    when = h.clock.now().astimezone(READER_TZ)
    shown = when.strftime("%I:%M %p").lstrip("0")
    names = users(h.fake)
    return [
        Post(
            author=names.get(m.get("user", ""), "leakbot"),
            time=shown,
            text=m.get("text") or "",
            blocks=m.get("blocks") or [],
            app=bool(m.get("bot_id")),
            pinned_by=names[h.fake.bot_user_id] if m["ts"] in pins else None,
            edited=bool(m.get("edits")),
        )
        for m in recorded
    ]


def users(fake: FakeSlack) -> dict[str, str]:
    """User id -> the name Slack shows."""
    return {user_id: user["profile"]["display_name"] for user_id, user in fake.users.items()}


def asks_for_answer(message: dict[str, Any]) -> bool:
    return any(b.get("accessory", {}).get("action_id") == "leak_answer" for b in message.get("blocks") or [])


async def play(folder: Path) -> tuple[str, dict[str, str], list[Post], list[Post]]:
    """Plays the invented incident; returns the channel's name, the people's names, what the channel shows
    part-way, and the draft."""
    async with FakeSlack() as fake:
        fake.add_channel("general", members=["U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"])
        h, runner = await start_harness(fake, f"sqlite+aiosqlite:///{folder / 'leakbot.db'}", leakbot_lang=LANG)
        try:
            channel = await open_incident(h, TITLE, summary=SUMMARY, responders=["U0BOB", "U0CAROL"])
            for _step, values in ANSWERS[:ANSWERED_IN_CHANNEL_PICTURE]:
                await answer(h, channel, values)
            recorded = copy.deepcopy(messages(h, channel))
            pins = list(fake.pins.get(channel, []))
            # the opening line, the pinned checklist and the question now asked (the answered ones left out)
            part_way = [recorded[0], *[m for m in recorded if m["ts"] in pins], recorded[-1]]
            if not asks_for_answer(recorded[-1]):
                raise SystemExit(f"make_pictures: the newest message asks nothing: {recorded[-1].get('text')!r}")
            for _step, values in ANSWERS[ANSWERED_IN_CHANNEL_PICTURE:]:
                await answer(h, channel, values)
            draft = await fake.wait_until(
                lambda: [m for m in messages(h, channel) if (m.get("text") or "").startswith("Draft disclosure")],
                what="the draft disclosure",
            )
            return fake.channels[channel].name, users(fake), posts(h, part_way, pins), posts(h, draft, pins)
        finally:
            await stop_harness(h, runner)


def main() -> None:
    browser = chromium()  # before the run: no chromium, nothing to wait for
    with tempfile.TemporaryDirectory() as folder:
        name, names, part_way, draft = asyncio.run(play(Path(folder)))
    for file, shown in (("channel.png", part_way), ("draft.png", draft)):
        out = HERE / file
        shoot(page(shown, channel=name, users=names), out, browser)
        print(f"{out}: {out.stat().st_size // 1024} KB, {WIDTH} px wide")


if __name__ == "__main__":
    main()
