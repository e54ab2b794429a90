"""Slack's limits hold whatever people type: the fake Slack refuses anything over them."""

from __future__ import annotations

from tests.conftest import Harness
from tests.story import ANSWERS, answer, messages, open_incident, text_of

LONG = ("顧客情報 & <!channel> <@U0BOB> <https://example.com|こちら> " * 60)[:3000]


async def test_longest_answers_everywhere_still_fit(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    long_answers = {
        "data_items": {"data_items": ["name", "address"], "data_items_other": LONG},
        "counts": {"max_count": "約2,070万件", "confirmed_count": "約760万件"},
        "card_bank": {"card_bank": "possible"},
    }
    for step, values in ANSWERS:
        text_values = dict.fromkeys(values, LONG) if step not in long_answers else long_answers[step]
        await answer(leakbot, channel, text_values)
        if step == "card_bank":  # card data may be involved: which fields is asked next
            await answer(leakbot, channel, {"card_bank_detail": ["card_number"], "card_bank_detail_other": LONG[:3000]})
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "公表文の下書き" in text_of(m)], what="the draft"
    )
    refused = [c for c in leakbot.fake.calls if not c.ok]
    assert refused == []  # no post, update or modal went over a limit
    first = next(i for i, m in enumerate(messages(leakbot, channel)) if "公表文の下書き" in text_of(m))
    draft = [m for m in messages(leakbot, channel)[first:] if "公表文の下書き" in m.get("text", "")]
    sections = [b["text"]["text"] for m in draft for b in m["blocks"] if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    joined = "".join(sections)
    # typed mentions and links are escaped: they can never ping or link anyone
    assert "<!channel>" not in joined and "<@U0BOB>" not in joined and "<https://" not in joined
    assert "&lt;!channel&gt;" in joined
    assert joined.count("顧客情報") >= 4 * LONG.count("顧客情報")  # nothing of the answers was dropped


def test_a_draft_larger_than_one_message_is_split_not_cut() -> None:
    from bot.ui.posts import draft_messages

    body = "\n\n".join(f"段落{n} " + "&<>" * 900 for n in range(60))  # escaping makes it 4x longer
    parts = draft_messages(body=body, heading="公表文の下書き（第3版）", lang="ja")
    assert len(parts) > 1
    assert all(len(blocks) <= 50 for blocks in parts)
    sections = [b["text"]["text"] for blocks in parts for b in blocks if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    unescaped = "".join(sections).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped.replace("\n", "") == body.replace("\n", "")
