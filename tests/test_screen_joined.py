"""Two answers that pass the screen alone but whose digits join up in a document into a card number: the
document is the last place typed text meets other typed text, so `bot.drafting.render` screens its own text.
The answer that would make such a text is refused with the reason, and nothing of it is stored or posted."""

from __future__ import annotations

import json

import pytest

from bot.drafting import render
from bot.i18n import t
from bot.text import Unsafe
from tests.conftest import Harness
from tests.story import SUMMARY, answer_required, open_incident
from tests.test_drafting import BASE
from tests.test_screen_in_slack import CARD_DIGITS, held_nowhere

# "4111 1111" ends one answer and "1111 1111" begins the next: 4111 1111 1111 1111 is a (test) card number.
TAIL, HEAD = "2026年10月ごろ 4111 1111", "1111 1111 件目以降の注文データについて、"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_document_whose_answers_join_into_a_card_number_is_never_made(lang: str) -> None:
    values = BASE | {"occurred_at": TAIL, "summary": HEAD + SUMMARY}
    with pytest.raises(Unsafe) as refused:
        render(values, lang=lang)
    assert refused.value.key == "error.secret.joined"
    assert render(BASE | {"occurred_at": "2026年10月ごろ", "summary": HEAD + SUMMARY}, lang=lang)  # apart: fine


async def test_the_answer_that_would_join_up_into_a_card_number_is_refused(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, summary=HEAD + SUMMARY)
    await answer_required(leakbot, channel)
    await leakbot.fake.wait_for("chat.postMessage", lambda c: "第1版" in json.dumps(c.args, ensure_ascii=False))
    view = await leakbot.modal("/leak-answer", "occurred_at", channel=channel)
    reply = await leakbot.submit(view, {"occurred_at": TAIL})
    assert reply.body["response_action"] == "errors"
    assert list(reply.body["errors"].values()) == [t("error.secret.joined", "ja")]
    assert "occurred_at" not in await leakbot.stored.answers(1)
    await held_nowhere(leakbot, (CARD_DIGITS,))
    # written apart, the same facts are taken
    view = await leakbot.modal("/leak-answer", "occurred_at", channel=channel)
    reply = await leakbot.submit(view, {"occurred_at": "2026年10月ごろ"})
    assert reply.body is None, reply
    assert (await leakbot.stored.answers(1))["occurred_at"].value == "2026年10月ごろ"
