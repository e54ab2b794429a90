"""Card numbers and My Numbers are refused before anything is stored or logged."""

from __future__ import annotations

import logging
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sensitive import Secret, find_secret, luhn_valid, my_number_valid
from tests.conftest import Harness
from tests.story import ANSWERS, answer, open_incident, open_step


def with_luhn(body: str) -> str:
    """Appends the Luhn check digit."""
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError


def with_my_number_check(body: str) -> str:
    for check in "0123456789":
        if my_number_valid(body + check):
            return body + check
    raise AssertionError


def grouped(digits: str, sep: str) -> str:
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))


cards = st.integers(13, 19).flatmap(lambda n: st.text("0123456789", min_size=n - 1, max_size=n - 1)).map(with_luhn)
my_numbers = st.text("0123456789", min_size=11, max_size=11).map(with_my_number_check)


@given(cards, st.sampled_from(["", " ", "-"]), st.booleans())
def test_any_card_number_as_people_type_it_is_found(card: str, sep: str, wide: bool) -> None:
    typed = grouped(card, sep) if sep else card
    text = f"お客様のカード番号は{full_width(typed) if wide else typed}です"
    assert find_secret(text) is Secret.CARD


@given(my_numbers, st.sampled_from(["", " ", "-"]))
def test_any_my_number_is_found(number: str, sep: str) -> None:
    typed = grouped(number, sep) if sep else number
    assert find_secret(f"個人番号 {typed}") in (Secret.MY_NUMBER, Secret.CARD)


@given(
    st.lists(
        st.sampled_from(["03-{a}-{b}", "0120-{c}-{c}", "090-{a}-{b}", "(03) {a}-{b}", "〒{c}-{a}"]),
        min_size=1,
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_phone_numbers_and_postcodes_are_never_mistaken(formats: list[str], rng: random.Random) -> None:
    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    text = " ".join(f.format(a=digits(4), b=digits(4), c=digits(3)) for f in formats)
    assert find_secret(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "7600000",
        "約2,070万件",
        "2026-11-26 10:00",
        "受付 9:00〜21:00",
        "0120-000-000",
        "会員番号 12345678",
        "4111111111111112",
    ],
)
def test_ordinary_numbers_pass(text: str) -> None:
    assert find_secret(text) is None


@pytest.mark.parametrize(
    ("text", "block"),
    [
        ("返金先のカード 4111 1111 1111 1111 をご確認ください", "services"),
        ("マイナンバー 1234-5678-9018 の方", "services"),
    ],
)
async def test_a_secret_in_an_answer_is_refused_and_never_stored_or_logged(
    leakbot: Harness, caplog: pytest.LogCaptureFixture, text: str, block: str
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = await open_incident(leakbot)
    await answer(leakbot, channel, ANSWERS[0][1])
    await answer(leakbot, channel, ANSWERS[1][1])
    view = await open_step(leakbot, channel)
    before = await leakbot.stored.history(1)
    reply = await leakbot.submit(view, {block: text})
    assert reply.body["response_action"] == "errors"
    assert "書かないでください" in reply.body["errors"][block]
    assert await leakbot.stored.history(1) == before
    digits = "".join(c for c in text if c.isdigit())
    assert all(digits not in record.getMessage().replace(" ", "").replace("-", "") for record in caplog.records)
    async with leakbot.bot.engine.connect() as connection:
        dump = "".join(str(row) for row in (await connection.exec_driver_sql("SELECT value FROM revisions")).all())
    assert digits[:8] not in dump.replace(" ", "").replace("-", "")


async def test_a_secret_in_the_other_data_items_is_refused_there(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel)
    reply = await leakbot.submit(view, {"data_items": ["name"], "data_items_other": "カード番号 4111-1111-1111-1111"})
    assert list(reply.body["errors"]) == ["data_items_other"]
