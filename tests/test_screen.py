"""The one screen for typed text (bot.text.screen): card numbers and My Numbers however they are written,
bytes no database can store; and what it lets through (phone numbers, dates, postal codes, permalinks).
Plain domain tests, no Slack: the surfaces are attacked in test_screen_in_slack.py and test_screen_process.py."""

from __future__ import annotations

import copy
import io
import logging
import pickle
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logs import SECRET_REDACTED, setup
from bot.sensitive import Secret, find_secret, luhn_valid, my_number_valid
from bot.text import Typed, Unsafe, screen
from tests.test_logs import log_stream  # noqa: F401 - the fixture: logging into a string, restored after

# --- how people (and attackers) write numbers -----------------------------------------------------------

DASHES = sorted(
    {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"}
    | {"\u2212", "\u30fc", "\uff0d", "\uff70", "\u2500", "\ufe63"}
)
DOTS = [".", "\u3002", "\uff0e", "\u30fb", "\uff65", "\u00b7", "\u2022"]
SLASHES = ["/", "\\", "\uff0f", "\u2215", "\u2044"]
SPACES = [" ", "\u3000", "\u00a0", "\t", "\n", "\r\n", "\u2028"]
INVISIBLE = [c for c in map(chr, range(0x10000)) if unicodedata.category(c) == "Cf"]  # zero-width spaces, joiners…
ONE_SEPARATOR = st.sampled_from(DASHES + DOTS + SLASHES + SPACES + INVISIBLE)
# a separator as typed: one character, a run of them ("  ", " - ", "\n\n", "-\u200b"), or nothing at all
SEPARATORS = st.one_of(
    ONE_SEPARATOR,
    st.lists(ONE_SEPARATOR, min_size=2, max_size=4).map("".join),
    st.sampled_from([" - ", " \u2212 ", "  ", "\n\n", " / ", " . "]),
)


def with_luhn(body: str) -> str:
    """Appends the Luhn check digit."""
    return next(body + check for check in "0123456789" if luhn_valid(body + check))


def with_my_number_check(body: str) -> str:
    return next(body + check for check in "0123456789" if my_number_valid(body + check))


def groupings(length: int) -> list[list[int]]:
    """How a card number of this length is printed: in fours (the last group 1 to 4 long), 4-6-5 / 4-6-4, or unbroken."""
    fours = [4] * ((length - 1) // 4) + [length - 4 * ((length - 1) // 4)]
    shapes = [[length], fours]
    if length == 15:
        shapes.append([4, 6, 5])
    if length == 14:
        shapes.append([4, 6, 4])
    if length == 19:
        shapes.append([4, 4, 4, 4, 3])
    return shapes


def written(digits: str, sizes: list[int], separators: list[str], wide: bool) -> str:
    groups, at = [], 0
    for size in sizes:
        groups.append(digits[at : at + size])
        at += size
    text = groups[0] + "".join(sep + group for sep, group in zip(separators, groups[1:], strict=False))
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if wide else text


@st.composite
def cards_as_typed(draw: st.DrawFn) -> tuple[str, str]:
    """(digits, as typed): a Luhn-valid 13- to 19-digit number in a printed grouping, each gap its own separator."""
    length = draw(st.integers(13, 19))
    digits = with_luhn(draw(st.text("0123456789", min_size=length - 1, max_size=length - 1)))
    sizes = draw(st.sampled_from(groupings(length)))
    same = draw(st.booleans())  # most people use one separator throughout; an attacker mixes them
    first = draw(SEPARATORS)
    separators = [first if same else draw(SEPARATORS) for _ in sizes[1:]]
    return digits, written(digits, sizes, separators, draw(st.booleans()))


@st.composite
def my_numbers_as_typed(draw: st.DrawFn) -> tuple[str, str]:
    digits = with_my_number_check(draw(st.text("0123456789", min_size=11, max_size=11)))
    sizes = draw(st.sampled_from([[12], [4, 4, 4]]))
    separators = [draw(SEPARATORS) for _ in sizes[1:]]
    return digits, written(digits, sizes, separators, draw(st.booleans()))


AROUND = st.sampled_from(
    [("カード番号は", "です"), ("", ""), ("番号：", "\n以上"), ("card ", ". thanks"), ("（", "）")]
)


@given(cards_as_typed(), AROUND)
def test_no_card_number_passes_the_screen_however_it_is_written(card: tuple[str, str], around: tuple[str, str]) -> None:
    _digits, typed = card
    text = around[0] + typed + around[1]
    assert find_secret(text) is Secret.CARD, ascii(text)
    with pytest.raises(Unsafe) as refused:
        screen(text)
    assert refused.value.key == "error.secret.card"
    assert typed not in str(refused.value)  # the refusal never carries the number


@given(my_numbers_as_typed(), AROUND)
def test_no_my_number_passes_the_screen_however_it_is_written(number: tuple[str, str], around: tuple[str, str]) -> None:
    _digits, typed = number
    text = around[0] + typed + around[1]
    with pytest.raises(Unsafe) as refused:
        screen(text)
    assert refused.value.key in ("error.secret.my_number", "error.secret.card"), ascii(text)


@pytest.mark.parametrize(
    "typed",
    [  # the 17 formats of issue 18, and a few more an attacker would try
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111\u22121111\u22121111\u22121111",
        "4111.1111.1111.1111",
        "4111\u20101111\u20101111\u20101111",
        "4111\u20131111\u20131111\u20131111",
        "4111\u30fc1111\u30fc1111\u30fc1111",
        "4111  1111  1111  1111",
        "4111\n1111\n1111\n1111",
        "4111/1111/1111/1111",
        "4111\u200b1111\u200b1111\u200b1111",
        "4111 - 1111 - 1111 - 1111",
        "４１１１－１１１１－１１１１－１１１１",
        "4111\uff0d1111\uff0d1111\uff0d1111",
        "4111\u00ad1111\u00ad1111\u00ad1111",  # soft hyphens (Cf)
        "4111-1111 1111.1111",  # mixed separators
        "4\u20601\u20601\u20601111111111111",  # word joiners between every digit
        "\u0664\u0661\u0661\u0661 1111 1111 1111",  # Arabic-Indic digits
        "3782 822463 10005",  # American Express, 4-6-5
        "4111" + " " * 40 + "1111\n\n\n\n1111 \u2212 1111",  # a long run of spaces and lines
    ],
)
def test_the_formats_that_slipped_through_are_refused(typed: str) -> None:
    with pytest.raises(Unsafe):
        screen(f"返金先 {typed} を確認")


# --- what stays accepted -------------------------------------------------------------------------------------

PERMALINK = "https://leak-test.slack.com/archives/C000000005/p1764231234567890"


@st.composite
def ordinary_numbers(draw: st.DrawFn) -> str:
    """Phone numbers, dates, postal codes and Slack permalinks, their dashes any dash or minus a person types."""

    def digits(n: int) -> str:
        return draw(st.text("0123456789", min_size=n, max_size=n))

    dash = draw(st.sampled_from(["-", "\u2212", "\uff0d", "\u2010", "\u2013", "\u30fc"]))
    kind = draw(st.sampled_from(["landline", "free", "mobile", "date", "date_slash", "postal", "permalink", "time"]))
    return {
        "landline": f"03{dash}{digits(4)}{dash}{digits(4)}",
        "free": f"0120{dash}{digits(3)}{dash}{digits(3)}",
        "mobile": f"090{dash}{digits(4)}{dash}{digits(4)}",
        "date": f"20{digits(2)}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
        "date_slash": f"20{digits(2)}/1{draw(st.integers(0, 2))}/2{draw(st.integers(0, 8))}",
        "postal": f"〒{digits(3)}{dash}{digits(4)}",
        "permalink": f"https://leak-test.slack.com/archives/C0{digits(8)}/p17{digits(14)}",
        "time": f"受付 {draw(st.integers(8, 10))}:00〜{draw(st.integers(17, 21))}:00",
    }[kind]


@given(st.lists(ordinary_numbers(), min_size=1, max_size=6), st.sampled_from([" ", "\n", "、", " / ", "　", "，"]))
def test_phone_numbers_dates_postal_codes_and_permalinks_pass(parts: list[str], joiner: str) -> None:
    text = "お問い合わせ：" + joiner.join(parts)
    assert screen(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "03-1234-5678",
        "0120-000-000",
        "090-1234-5678",
        "03\u22121234\u22125678、0120\u2212000\u2212000",
        "2024-07-09",
        "2024/07/09",
        "〒100-0001 東京都千代田区",
        f"元のメッセージ：{PERMALINK}",
        "約2,070万件",
        "改行\nとタブ\tと\r\nは使えます",
    ],
)
def test_ordinary_text_passes_unchanged(text: str) -> None:
    typed = screen(text)
    assert typed == text and isinstance(typed, Typed)


# --- bytes a database cannot store ---------------------------------------------------------------------------

CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\n\r\t"] + [chr(0x7F)] + [chr(c) for c in range(0x80, 0xA0)]


@given(st.text(max_size=20), st.sampled_from(CONTROLS), st.text(max_size=20))
def test_nul_and_other_control_characters_are_refused(before: str, control: str, after: str) -> None:
    with pytest.raises(Unsafe) as refused:
        screen(before + control + after)
    assert refused.value.key == "error.control"


def test_a_lone_surrogate_is_refused() -> None:
    import json

    lone = json.loads('"\\ud800 ok"')  # what a JSON payload can carry, and PostgreSQL cannot encode
    with pytest.raises(Unsafe) as refused:
        screen(lone)
    assert refused.value.key == "error.control"


@given(st.text())
def test_any_text_is_screened_without_an_error(text: str) -> None:
    try:
        assert screen(text) == text
    except Unsafe as refused:
        assert refused.key in ("error.control", "error.secret.card", "error.secret.my_number")


def test_digits_of_other_kinds_do_not_break_the_screen() -> None:
    assert screen("\u1369\u1369\u1369\u1369 1111 1111 1111 ²³") == "\u1369\u1369\u1369\u1369 1111 1111 1111 ²³"
    assert (
        find_secret("\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661")
        is Secret.CARD
    )


# --- the only way in ----------------------------------------------------------------------------------------


def test_typed_text_is_made_only_by_the_screen() -> None:
    with pytest.raises(TypeError):
        Typed("4111 1111 1111 1111")
    typed = screen("窓口 0120-000-000")
    assert screen(typed) is typed
    for copied in (copy.copy(typed), copy.deepcopy(typed), pickle.loads(pickle.dumps(typed))):
        assert copied == typed and type(copied) is str  # a copy is plain text again, not a way around the screen
    with pytest.raises(TypeError):
        screen(b"4111111111111111")  # type: ignore[arg-type]


# --- the log: a card number that reached it anyway is not written ----------------------------------------


def test_a_log_line_holding_a_card_number_is_replaced_whole(log_stream: io.StringIO) -> None:  # noqa: F811
    setup("DEBUG", "text", stream=log_stream)
    log = logging.getLogger("leakbot.test_screen")
    log.info("payload %s", {"text": "カード 4111\u22121111\u22121111\u22121111"})
    log.info("窓口 0120-000-000 は %s", "2024/07/09 から")
    try:
        raise ValueError("1234\u30fc5678\u30fc9018")
    except ValueError:
        log.exception("failed")
    written = log_stream.getvalue()
    assert "4111" not in written and "5678" not in written and written.count(SECRET_REDACTED) == 2
    assert "窓口 0120-000-000 は 2024/07/09 から" in written
