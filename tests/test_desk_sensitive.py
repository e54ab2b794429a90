"""Slack permalinks are not card numbers; the timeline refuses card numbers like the answers do."""

from __future__ import annotations

from bot.sensitive import Secret, find_secret, luhn_valid
from tests.conftest import Harness
from tests.story import Unchanged, open_incident

# A message timestamp whose 16 digits happen to pass the Luhn check (about one in ten do).
TS = next(f"17642{n:011d}" for n in range(1000) if luhn_valid(f"17642{n:011d}"))
LINK = f"https://leak-test.slack.com/archives/C000000005/p{TS}"


def test_a_slack_permalink_is_not_a_card_number() -> None:
    assert find_secret(f"元のメッセージ：{LINK}") is None
    assert find_secret(f"{LINK}?thread_ts=1764231234.567890&cid=C000000005") is None
    assert find_secret(f"https://leak-test.enterprise.slack.com/archives/C0X/p{TS}") is None


def test_the_same_digits_outside_a_permalink_are_still_a_card_number() -> None:
    assert find_secret(f"番号 {TS}") is Secret.CARD
    assert find_secret(f"https://evil.example/archives/C1/p{TS}") is Secret.CARD
    assert find_secret(f"{LINK} カード 4111 1111 1111 1111") is Secret.CARD


async def test_the_timeline_refuses_a_card_number_and_stores_nothing(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    async with Unchanged(h):
        reply = await h.reply("/leak-timeline", "顧客のカード 4111 1111 1111 1111 が漏れた", channel=channel)
    assert "カード番号を書かないで" in reply.text and "4111" not in reply.text
    async with h.bot.repo.read() as tx:
        assert await tx.timeline((await tx.incident_by_channel(channel)).id) == []
