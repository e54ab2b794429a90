"""The card/bank follow-up over real signed HTTP: asked right after card_bank when card data may be
involved, answered through its modal, and named in the draft. Every value here is invented."""

from __future__ import annotations

from tests.conftest import Harness
from tests.story import ANSWERS, answer, last_question, messages, open_incident, open_step, text_of

CARD_YES = {"card_bank": "yes"}
DETAIL = {"card_bank_detail": ["card_number", "card_expiry"], "card_bank_detail_other": "暗証番号"}


def steps_until_card_bank() -> list[dict]:
    return [values for step, values in ANSWERS if step in ("data_items", "counts", "services")]


async def test_the_fields_are_asked_right_after_card_bank_and_named_in_the_draft(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    for values in steps_until_card_bank():
        await answer(leakbot, channel, values)
    await answer(leakbot, channel, CARD_YES)
    assert "どのカード・口座情報の項目ですか" in text_of(last_question(leakbot, channel))
    view = await open_step(leakbot, channel)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "card_bank_detail",
        "card_bank_detail_other",
    ]
    await answer(leakbot, channel, DETAIL, view=view)
    assert "お客様に何をしていただきたいですか" in text_of(
        last_question(leakbot, channel)
    )  # then the required questions go on
    for step, values in ANSWERS:
        if step in ("customer_actions", "contact"):
            await answer(leakbot, channel, values)
    draft = await leakbot.fake.wait_until(
        lambda: next((m for m in messages(leakbot, channel) if "公表文の下書き（第1版）" in text_of(m)), None),
        what="the first draft in the channel",
    )
    body = text_of(draft)
    assert "クレジットカード情報（カード番号、有効期限）および暗証番号が含まれております" in body
    assert "・クレジットカード番号" in body and "再発行にかかる手数料は当社が負担いたします" in body


async def test_none_goes_straight_on_to_customer_actions(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    for values in steps_until_card_bank():
        await answer(leakbot, channel, values)
    await answer(leakbot, channel, {"card_bank": "none"})
    question = text_of(last_question(leakbot, channel))
    assert "お客様に何をしていただきたいですか" in question and "どのカード・口座情報" not in question
