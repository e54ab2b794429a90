"""Tests for bot.counts: parsing and formatting record counts the way people in Japan type them."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.counts import (
    MAX_COUNT,
    Count,
    CountError,
    format_count_en,
    format_count_ja,
    parse_count,
    publish_en,
    publish_ja,
)

# --- example tables -------------------------------------------------------------------------

ACCEPTED = [
    # plain digits and thousands separators
    ("7600000", Count(7_600_000)),
    ("7,600,000", Count(7_600_000)),
    ("  7600000 ", Count(7_600_000)),
    ("0", Count(0)),
    ("999", Count(999)),
    # big units, combined, with decimals
    ("760万", Count(7_600_000)),
    ("2070万", Count(20_700_000)),
    ("2,070万", Count(20_700_000)),
    ("1.5万", Count(15_000)),
    ("2.07千万", Count(20_700_000)),
    ("2千万", Count(20_000_000)),
    ("1千万", Count(10_000_000)),
    ("千万", Count(10_000_000)),
    ("1億2000万", Count(120_000_000)),
    ("1億2,000万5千", Count(120_005_000)),
    ("1億 2000万", Count(120_000_000)),
    ("1兆5000億", Count(1_500_000_000_000)),
    ("10兆", Count(MAX_COUNT)),
    # full-width input
    ("２０７０万", Count(20_700_000)),
    ("７，６００，０００", Count(7_600_000)),
    ("約　７６０万件", Count(7_600_000, approx=True, unit="件")),
    # approx prefix and unit suffix
    ("約760万件", Count(7_600_000, approx=True, unit="件")),
    ("約2,070万件", Count(20_700_000, approx=True, unit="件")),
    ("2070万件", Count(20_700_000, unit="件")),
    ("1万人", Count(10_000, unit="人")),
    ("3万世帯", Count(30_000, unit="世帯")),
    ("500名", Count(500, unit="人")),
    ("約.760万", Count(7_600_000, approx=True)),
    ("約 760万", Count(7_600_000, approx=True)),
    ("およそ760万件", Count(7_600_000, approx=True, unit="件")),
    ("概算760万", Count(7_600_000, approx=True)),
    ("760万件程度", Count(7_600_000, approx=True, unit="件")),
    ("760万 件", Count(7_600_000, unit="件")),
    # English
    ("about 7,600,000 records", Count(7_600_000, approx=True, unit="件")),
    ("approx. 7,600,000", Count(7_600_000, approx=True)),
    ("approximately 3,000 people", Count(3_000, approx=True, unit="人")),
    ("~5000 persons", Count(5_000, approx=True, unit="人")),
    ("About 12 households", Count(12, approx=True, unit="世帯")),
    ("1 record", Count(1, unit="件")),
    # kanji numerals
    ("七百六十万", Count(7_600_000)),
    ("二千七十万", Count(20_700_000)),
    ("二〇七〇万", Count(20_700_000)),
    ("一億", Count(100_000_000)),
    ("十万", Count(100_000)),
    ("〇", Count(0)),
    ("零", Count(0)),
    ("壱万", Count(10_000)),
    ("弐千参百", Count(2_300)),
    ("一億二千三百四十五万六千七百八十九", Count(123_456_789)),
    ("約七百六十万件", Count(7_600_000, approx=True, unit="件")),
    # a minus zero is still zero
    ("-0", Count(0)),
]

REJECTED = [
    ("", "empty"),
    ("   ", "empty"),
    ("\u3000", "empty"),
    ("-5", "negative"),
    ("−5", "negative"),
    ("－５", "negative"),
    ("▲5", "negative"),
    ("-760万件", "negative"),
    ("約-5", "negative"),
    ("-1.5", "negative"),
    ("abc", "not_a_number"),
    ("12万万", "not_a_number"),
    ("万", "not_a_number"),
    ("億", "not_a_number"),
    ("1,2", "not_a_number"),
    ("76,00,000", "not_a_number"),
    ("1,0000", "not_a_number"),
    ("1.2.3", "not_a_number"),
    ("12 34", "not_a_number"),
    ("1 万", "not_a_number"),
    ("万1", "not_a_number"),
    ("1万1億", "not_a_number"),
    ("1億12345万", "not_a_number"),
    ("1万20000", "not_a_number"),
    ("百千", "not_a_number"),
    (".5", "not_a_number"),
    ("5.", "not_a_number"),
    ("約", "not_a_number"),
    ("件", "not_a_number"),
    ("-", "not_a_number"),
    ("-abc", "not_a_number"),
    ("1e6", "not_a_number"),
    ("1.23456万", "not_whole"),
    ("1.5", "not_whole"),
    ("10000000000001", "too_large"),
    ("10兆1", "too_large"),
    ("1京", "not_a_number"),
    ("9" * 5000, "too_large"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejected(text, code):
    with pytest.raises(CountError) as info:
        parse_count(text)
    assert info.value.code == code
    assert str(info.value)  # a short English description


FORMATTED = [
    # value, Japanese (万/億 only for a round number: never a hybrid), English exact, English approximate
    (20_700_000, "2,070万", "20,700,000", "approximately 20.7 million"),
    (7_654_321, "7,654,321", "7,654,321", "approximately 7.65 million"),
    (123_456_789, "123,456,789", "123,456,789", "approximately 123 million"),
    (123_450_000, "1億2,345万", "123,450,000", "approximately 123 million"),
    (100_000_000, "1億", "100,000,000", "approximately 100 million"),
    (100_000_001, "100,000,001", "100,000,001", "approximately 100 million"),
    (1_500_000_000_000, "1兆5,000億", "1,500,000,000,000", "approximately 1.5 trillion"),
    (35_040_000, "3,504万", "35,040,000", "approximately 35 million"),
    (440_027, "440,027", "440,027", "approximately 440,000"),
    (10_000, "1万", "10,000", "approximately 10,000"),
    (999, "999", "999", "approximately 999"),
    (0, "0", "0", "approximately 0"),
]


@pytest.mark.parametrize(("value", "ja", "en", "en_approx"), FORMATTED)
def test_format(value, ja, en, en_approx):
    assert format_count_ja(value) == ja
    assert format_count_en(value) == en
    assert format_count_ja(Count(value, approx=True, unit="人")) == "約" + ja
    assert format_count_en(Count(value, approx=True)) == en_approx
    assert parse_count(ja).value == value
    assert parse_count(en).value == value


PUBLISHED = [
    # typed, Japanese as published, English as published
    ("440,027", "440,027", "440,027"),
    ("302569", "302,569", "302,569"),
    ("約2,070万", "約2,070万", "approximately 20.7 million"),
    ("約2070万件", "約2,070万", "approximately 20.7 million"),
    ("２０７０万", "2,070万", "20,700,000"),
    ("約760万人", "約760万", "approximately 7.6 million"),
    ("約3,504万", "約3,504万", "approximately 35 million"),
    ("1.5万", "1.5万", "15,000"),
    ("1億2,000万", "1億2,000万", "120,000,000"),
    ("七百六十万", "760万", "7,600,000"),
    ("44万27", "440,027", "440,027"),  # typed as a hybrid: published in digits, never 44万27
    ("30万2,569", "302,569", "302,569"),
    ("1,234万5,678", "12,345,678", "12,345,678"),
    ("約20700000", "約2,070万", "approximately 20.7 million"),  # an approximate figure may take 万
    ("20700000", "20,700,000", "20,700,000"),  # an exact one typed in digits keeps them
    ("254,241人", "254,241", "254,241"),
    ("0", "0", "0"),
    ("およそ12万", "約12万", "approximately 120,000"),
]


@pytest.mark.parametrize(("typed", "ja", "en"), PUBLISHED)
def test_published_in_the_notation_typed(typed, ja, en):
    count = parse_count(typed)
    assert publish_ja(count, typed) == ja
    assert publish_en(count, typed) == en
    assert parse_count(ja).value == count.value
    assert not HYBRID.search(ja)


def test_values_stored_without_their_text_fall_back_to_round_or_digits():
    assert publish_ja(Count(20_700_000, approx=True), None) == "約2,070万"
    assert publish_ja(Count(440_027), None) == "440,027"
    assert publish_ja(Count(7_600_000), "") == "760万"


def test_count_error_is_value_error():
    assert issubclass(CountError, ValueError)


@pytest.mark.parametrize("bad", [-1, 1.5, "5", True])
def test_count_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        Count(bad)
    with pytest.raises(ValueError):
        format_count_ja(bad)


def test_count_rejects_unknown_unit():
    with pytest.raises(ValueError):
        Count(5, unit="個")


# --- properties ------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=MAX_COUNT)
units = st.sampled_from([("件", "件"), ("人", "人"), ("名", "人"), ("世帯", "世帯")])
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def written_forms(n):
    """Every way of writing n that must parse back to n."""
    return [str(n), f"{n:,}", format_count_ja(n), format_count_en(n), kanji(n)]


def kanji(n):
    """n in kanji numerals, e.g. 7_600_000 -> 七百六十万."""
    if n == 0:
        return "〇"
    digits = "〇一二三四五六七八九"
    parts = []
    for big, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4), ("", 1)):
        group, n = divmod(n, size)
        if group:
            parts.append(_kanji_group(group, digits) + big)
    return "".join(parts)


def _kanji_group(group, digits):
    """A group below 10^4 in kanji, e.g. 2070 -> 二千七十."""
    out = ""
    for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
        d, group = divmod(group, size)
        if d:
            out += ("" if d == 1 else digits[d]) + unit
    return out + (digits[group] if group else "")


@given(counts)
@example(0)
@example(MAX_COUNT)
@example(10**8)
@example(20_700_000)
def test_every_written_form_round_trips(n):
    for form in written_forms(n):
        for text in (form, form.translate(FULL_WIDTH)):
            assert parse_count(text) == Count(n), text


@given(counts, units)
def test_approx_and_unit_are_kept(n, unit):
    suffix, expected_unit = unit
    for form in (str(n), f"{n:,}", format_count_ja(n)):
        for text in (f"約{form}{suffix}", f"約{form}{suffix}".translate(FULL_WIDTH), f"約 {form} {suffix}"):
            assert parse_count(text) == Count(n, approx=True, unit=expected_unit), text
        assert parse_count(form + suffix) == Count(n, unit=expected_unit)


@given(counts, st.booleans())
def test_format_round_trips(n, approx):
    count = Count(n, approx=approx)
    assert parse_count(format_count_ja(count)) == count
    assert format_count_ja(parse_count(format_count_ja(count))) == format_count_ja(count)
    assert parse_count(format_count_en(Count(n))) == Count(n)  # exact English keeps every digit
    assert not HYBRID.search(format_count_ja(count))


HYBRID = re.compile(r"[万億兆][0-9,]+$")  # 44万27, 30万2,569: digits left over after a big unit


@given(counts, st.booleans(), st.sampled_from(["", "件", "人", "世帯"]))
@example(440_027, False, "件")
@example(302_569, False, "")
def test_a_count_typed_in_digits_reappears_in_digits(n, approx, unit):
    for typed in (str(n), f"{n:,}", f"{n:,}".translate(FULL_WIDTH)):
        text = ("約" if approx else "") + typed + unit
        count = parse_count(text)
        published = publish_ja(count, text)
        if approx and n >= 10**4 and n % 10**4 == 0:
            assert published == "約" + format_count_ja(n)  # an approximate round figure may be said with 万
        else:
            assert published == ("約" if approx else "") + f"{n:,}"
        assert parse_count(published) == Count(n, approx=approx)


@given(
    st.one_of(
        st.tuples(st.integers(min_value=1, max_value=10**9 - 1), st.just("万")),
        st.tuples(st.integers(min_value=1, max_value=10**5), st.just("億")),
    ),
    st.booleans(),
)
@example((2_070, "万"), True)
@example((1, "億"), False)
def test_a_count_typed_with_man_or_oku_reappears_with_it(typed_count, approx):
    k, big = typed_count
    for typed in (f"{k}{big}", f"{k:,}{big}", f"{k}{big}件".translate(FULL_WIDTH)):
        text = ("約" if approx else "") + typed
        count = parse_count(text)
        published = publish_ja(count, text)
        assert published == ("約" if approx else "") + f"{k:,}{big}"
        assert not HYBRID.search(published)


@given(st.integers(min_value=1, max_value=10**12))
@example(35_040_000)
def test_approximate_english_is_rounded_never_falsely_precise(n):
    said = publish_en(Count(n, approx=True), None)
    assert said.startswith("approximately ")
    figure = said.removeprefix("approximately ")
    words = {"million": 10**6, "billion": 10**9, "trillion": 10**12}
    number, _, word = figure.partition(" ")
    value = float(number.replace(",", "")) * words.get(word, 1)
    assert abs(value - n) <= n * 0.005 + 0.5  # three significant figures
    digits = re.sub(r"[^0-9]", "", number)
    assert len(digits.strip("0")) <= 3


@given(st.integers(min_value=MAX_COUNT + 1, max_value=10**30))
def test_too_large(n):
    for text in (str(n), f"{n:,}", format_count_ja(n)):
        with pytest.raises(CountError) as info:
            parse_count(text)
        assert info.value.code == "too_large"


@given(st.integers(min_value=1, max_value=MAX_COUNT), st.sampled_from(["-", "−", "－", "▲"]))
def test_negative(n, minus):
    for text in (minus + str(n), minus + format_count_ja(n)):
        with pytest.raises(CountError) as info:
            parse_count(text)
        assert info.value.code == "negative"


NUMBERISH = "0123456789０１２３４５６７８９,.，．万億兆千百十一二三七〇零約件人名世帯 -−▲~"


@given(st.one_of(st.text(), st.text(alphabet=NUMBERISH)))
def test_arbitrary_text_only_raises_count_error(text):
    try:
        count = parse_count(text)
    except CountError as err:
        assert err.code in {"empty", "negative", "not_a_number", "too_large", "not_whole"}
    else:
        assert 0 <= count.value <= MAX_COUNT
        assert count.unit in {None, "件", "人", "世帯"}
