"""Golden tests of the draft disclosure (bot.drafting), in Japanese and English.

Every incident here is invented: the company, its services, the people and the phone numbers
(0120-000-000) do not exist. The full texts are written out literally, so that any change of wording
shows up as a failing test and is looked at on purpose.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from bot.checklist import ITEMS, REQUIRED
from bot.drafting import CARD_BANK_SENTENCES, DraftNotReady, render

# --- invented incidents -----------------------------------------------------------------------

JA: dict[str, Any] = {
    "title": "会員データベースの流出疑い",
    "discovered_at": "2026-11-26T01:05:00+00:00",  # 2026-11-26 (Thu) 10:05 in Tokyo
    "summary": "架空の通販サイト「サンプルマート」の会員データベースに、外部からの不正アクセスの痕跡が見つかりました。",
    "data_items": {"selected": ["name", "address", "phone", "email"], "other": ""},
    "max_count": {"value": 20_700_000, "approx": True, "text": "約2,070万件"},
    "confirmed_count": {"value": 7_600_000, "approx": True, "text": "約760万件"},
    "services": "サンプルマート（通販サイト）およびサンプルマート会員アプリ",
    "card_bank": "none",
    "customer_actions": "当社を装った不審なメール・SMS・電話にご注意ください。",
    "contact": "サンプルマート お客様相談窓口\n電話：0120-000-000（受付時間 9:00〜18:00、土日祝日を除く）\nhttps://example.com/support",
}
JA_OPTIONAL: dict[str, Any] = {
    "cause": "検証用サーバーのアクセス制限の設定に誤りがありました。",
    "secondary_damage": "現時点で、本件に起因する不正利用は確認されておりません。",
    "measures": "不正アクセスの経路を遮断し、全会員のパスワードをリセットいたしました。",
    "count_unit": "人",
    "malicious": "yes",
    "ppc_report": "preliminary",
}

EN: dict[str, Any] = {
    "title": "Member database leak suspected",
    "discovered_at": "2026-11-30T15:30:00+00:00",  # 2026-12-01 (Tue) 00:30 in Tokyo
    "summary": "Signs of unauthorised access were found in the member database of Example Mart, an invented online shop.",
    "data_items": {"selected": ["name", "birth_date", "email"], "other": "school name"},
    "max_count": {"value": 20_700_000, "approx": False, "text": "20,700,000"},
    "confirmed_count": {"value": 7_600_000, "approx": True, "text": "about 7,600,000"},
    "services": "Example Mart online shop and the Example Mart app",
    "card_bank": "investigating",
    "customer_actions": "Please watch out for e-mails, text messages and calls that pretend to come from us.",
    "contact": "Example Mart customer desk\nPhone: 0120-000-000 (9:00-18:00, weekdays)\nhttps://example.com/support",
}
EN_OPTIONAL: dict[str, Any] = {
    "cause": "An access rule on a test server was set up wrongly.",
    "secondary_damage": "No misuse has been seen so far.",
    "measures": "We closed the route of the unauthorised access and reset every member's password.",
    "count_unit": "世帯",
    "malicious": "unknown",
    "ppc_report": "not_yet",
}

BASE = {"ja": JA, "en": EN}
OPTIONAL = {"ja": JA_OPTIONAL, "en": EN_OPTIONAL}
LANGS = ("ja", "en")


def draft(lang: str, **changes: Any) -> str:
    """The draft of the base incident of that language, with some answers changed (None: removed)."""
    values = {**BASE[lang], **changes}
    return render({k: v for k, v in values.items() if v is not None}, lang=lang)


def count(value: int, approx: bool = False) -> dict[str, Any]:
    return {"value": value, "approx": approx, "text": ("約" if approx else "") + str(value)}


# --- full golden texts --------------------------------------------------------------------------

GOLDEN_JA_REQUIRED_ONLY = """\
会員データベースの流出疑いに関するお詫びとお知らせ

このたび、当社が管理するお客様の個人情報が外部に漏えいした、またはそのおそれがあることが判明いたしました。お客様をはじめ関係者の皆様に多大なるご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。

1. 発生した事案と発覚の経緯
2026年11月26日（木）10:05、本件が発覚いたしました。
架空の通販サイト「サンプルマート」の会員データベースに、外部からの不正アクセスの痕跡が見つかりました。

2. 漏えいした（またはそのおそれがある）個人情報の項目
氏名、住所、電話番号、メールアドレス

3. 対象となる件数
最大で約2,070万件（うち漏えいを確認したもの：約760万件）

4. 対象となるサービス
サンプルマート（通販サイト）およびサンプルマート会員アプリ
上記以外のサービスのみをご利用のお客様の情報が漏えいした事実は、現時点で確認されておりません。

5. クレジットカード情報および銀行口座情報について
クレジットカード情報および銀行口座情報は含まれておりません。

6. お客様へのお願い
当社を装った不審なメール・SMS・電話にご注意ください。

7. お問い合わせ窓口
サンプルマート お客様相談窓口
電話：0120-000-000（受付時間 9:00〜18:00、土日祝日を除く）
https://example.com/support

8. 今後の対応
被害の拡大防止と再発防止に向けた対策については、現在調査・検討中です。決まり次第、速やかにお知らせいたします。

改めまして、お客様に多大なるご心配とご迷惑をおかけしますことを、心より深くお詫び申し上げます。
"""

GOLDEN_JA_EVERYTHING = """\
会員データベースの流出疑いに関するお詫びとお知らせ

このたび、当社が管理するお客様の個人情報が外部に漏えいした、またはそのおそれがあることが判明いたしました。お客様をはじめ関係者の皆様に多大なるご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。

1. 発生した事案と発覚の経緯
2026年11月26日（木）10:05、本件が発覚いたしました。
架空の通販サイト「サンプルマート」の会員データベースに、外部からの不正アクセスの痕跡が見つかりました。
原因：検証用サーバーのアクセス制限の設定に誤りがありました。

2. 漏えいした（またはそのおそれがある）個人情報の項目
氏名、住所、電話番号、メールアドレス

3. 対象となる件数
最大で約2,070万人（うち漏えいを確認したもの：約760万人）

4. 対象となるサービス
サンプルマート（通販サイト）およびサンプルマート会員アプリ
上記以外のサービスのみをご利用のお客様の情報が漏えいした事実は、現時点で確認されておりません。

5. クレジットカード情報および銀行口座情報について
クレジットカード情報および銀行口座情報は含まれておりません。

6. 二次被害について
現時点で、本件に起因する不正利用は確認されておりません。

7. お客様へのお願い
当社を装った不審なメール・SMS・電話にご注意ください。

8. お問い合わせ窓口
サンプルマート お客様相談窓口
電話：0120-000-000（受付時間 9:00〜18:00、土日祝日を除く）
https://example.com/support

9. 今後の対応
不正アクセスの経路を遮断し、全会員のパスワードをリセットいたしました。

改めまして、お客様に多大なるご心配とご迷惑をおかけしますことを、心より深くお詫び申し上げます。
"""

GOLDEN_EN_REQUIRED_ONLY = """\
Our apology and notice regarding: Member database leak suspected

We have found that personal data of our customers in our care has leaked, or may have leaked. We sincerely apologise to our customers and everyone concerned for the worry and trouble this causes.

1. What happened and when we found it
We discovered this on Tue 1 Dec 2026, 00:30 JST.
Signs of unauthorised access were found in the member database of Example Mart, an invented online shop.

2. Personal data that leaked or may have leaked
name, date of birth, e-mail address, school name

3. How many
Up to 20,700,000 records (of which about 7,600,000 records are confirmed to have leaked)

4. Affected services
Example Mart online shop and the Example Mart app
So far we have found no leak of data of customers who use only other services.

5. Credit-card and bank-account data
We are still investigating whether credit-card or bank-account data were involved, and will tell you as soon as we know.

6. What we ask of our customers
Please watch out for e-mails, text messages and calls that pretend to come from us.

7. Where to ask
Example Mart customer desk
Phone: 0120-000-000 (9:00-18:00, weekdays)
https://example.com/support

8. What we are doing
We are working out how to stop any further damage and prevent a recurrence, and will report as soon as this is decided.

Once again, we sincerely apologise for the worry and trouble this causes.
"""

GOLDEN_EN_EVERYTHING = """\
Our apology and notice regarding: Member database leak suspected

We have found that personal data of our customers in our care has leaked, or may have leaked. We sincerely apologise to our customers and everyone concerned for the worry and trouble this causes.

1. What happened and when we found it
We discovered this on Tue 1 Dec 2026, 00:30 JST.
Signs of unauthorised access were found in the member database of Example Mart, an invented online shop.
Cause: An access rule on a test server was set up wrongly.

2. Personal data that leaked or may have leaked
name, date of birth, e-mail address, school name

3. How many
Up to 20,700,000 households (of which about 7,600,000 households are confirmed to have leaked)

4. Affected services
Example Mart online shop and the Example Mart app
So far we have found no leak of data of customers who use only other services.

5. Credit-card and bank-account data
We are still investigating whether credit-card or bank-account data were involved, and will tell you as soon as we know.

6. Secondary damage
No misuse has been seen so far.

7. What we ask of our customers
Please watch out for e-mails, text messages and calls that pretend to come from us.

8. Where to ask
Example Mart customer desk
Phone: 0120-000-000 (9:00-18:00, weekdays)
https://example.com/support

9. What we are doing
We closed the route of the unauthorised access and reset every member's password.

Once again, we sincerely apologise for the worry and trouble this causes.
"""


def test_golden_ja_required_items_only() -> None:
    assert render(JA, lang="ja") == GOLDEN_JA_REQUIRED_ONLY


def test_golden_ja_every_item_answered() -> None:
    assert render({**JA, **JA_OPTIONAL}, lang="ja") == GOLDEN_JA_EVERYTHING


def test_golden_en_required_items_only() -> None:
    assert render(EN, lang="en") == GOLDEN_EN_REQUIRED_ONLY


def test_golden_en_every_item_answered() -> None:
    assert render({**EN, **EN_OPTIONAL}, lang="en") == GOLDEN_EN_EVERYTHING


def test_render_is_public_document_by_default_and_does_not_change_its_input() -> None:
    values = {**JA, **JA_OPTIONAL}
    before = repr(values)
    assert render(values, lang="ja", doc="public") == render(values, lang="ja") == GOLDEN_JA_EVERYTHING
    assert repr(values) == before


# --- card and bank data: one sentence of its own, exactly one of the four -------------------------

CARD_BANK_EXPECTED = {
    ("ja", "none"): "クレジットカード情報および銀行口座情報は含まれておりません。",
    ("ja", "possible"): "クレジットカード情報または銀行口座情報が含まれている可能性がございます。",
    ("ja", "yes"): "クレジットカード情報または銀行口座情報が含まれていることを確認しております。",
    ("ja", "investigating"): "クレジットカード情報および銀行口座情報が含まれているかどうかについては、現在調査中です。判明次第お知らせいたします。",
    ("en", "none"): "No credit-card or bank-account data were involved.",
    ("en", "possible"): "Credit-card or bank-account data may have been involved.",
    ("en", "yes"): "We have confirmed that credit-card or bank-account data were involved.",
    ("en", "investigating"): "We are still investigating whether credit-card or bank-account data were involved, "
    "and will tell you as soon as we know.",
}


@pytest.mark.parametrize(("lang", "answer"), sorted(CARD_BANK_EXPECTED))
def test_each_card_bank_answer_gives_its_own_sentence_and_only_that_one(lang: str, answer: str) -> None:
    text = draft(lang, card_bank=answer)
    sentence = CARD_BANK_EXPECTED[lang, answer]
    assert text.count(sentence) == 1
    lines = text.splitlines()
    heading = "5. クレジットカード情報および銀行口座情報について" if lang == "ja" else "5. Credit-card and bank-account data"
    # its own line, right under its own heading
    assert lines[lines.index(heading) + 1] == sentence
    for other, other_sentence in CARD_BANK_EXPECTED.items():
        if other[0] == lang and other[1] != answer:
            assert other_sentence not in text


def test_card_bank_sentences_cover_every_choice_and_are_distinct() -> None:
    choices = {c.value for c in ITEMS["card_bank"].choices}
    for lang in LANGS:
        assert set(CARD_BANK_SENTENCES[lang]) == choices
        assert len(set(CARD_BANK_SENTENCES[lang].values())) == len(choices)
    assert {(lang, v) for lang in LANGS for v in choices} == set(CARD_BANK_EXPECTED)


# --- counts -------------------------------------------------------------------------------------

COUNT_CASES = [
    # max, confirmed, Japanese line, English line (unit 件 / records)
    (count(20_700_000, True), count(7_600_000, True),
     "最大で約2,070万件（うち漏えいを確認したもの：約760万件）",
     "Up to about 20,700,000 records (of which about 7,600,000 records are confirmed to have leaked)"),
    (count(20_700_000), count(7_600_000),
     "最大で2,070万件（うち漏えいを確認したもの：760万件）",
     "Up to 20,700,000 records (of which 7,600,000 records are confirmed to have leaked)"),
    (count(20_700_000, True), count(7_612_345),
     "最大で約2,070万件（うち漏えいを確認したもの：761万2,345件）",
     "Up to about 20,700,000 records (of which 7,612,345 records are confirmed to have leaked)"),
    (count(123_456_789), count(0),
     "最大で1億2,345万6,789件（うち漏えいを確認したもの：0件）",
     "Up to 123,456,789 records (of which 0 records are confirmed to have leaked)"),
    (count(1_234), count(987, True),
     "最大で1,234件（うち漏えいを確認したもの：約987件）",
     "Up to 1,234 records (of which about 987 records are confirmed to have leaked)"),
    (count(5_000), count(5_000),
     "最大で5,000件（うち漏えいを確認したもの：5,000件）",
     "Up to 5,000 records (of which 5,000 records are confirmed to have leaked)"),
]


@pytest.mark.parametrize(("maximum", "confirmed", "ja", "en"), COUNT_CASES)
def test_counts_approximate_and_exact(maximum: dict, confirmed: dict, ja: str, en: str) -> None:
    assert ja in draft("ja", max_count=maximum, confirmed_count=confirmed).splitlines()
    assert en in draft("en", max_count=maximum, confirmed_count=confirmed).splitlines()


@pytest.mark.parametrize("lang", LANGS)
def test_the_maximum_is_always_stated_before_the_confirmed_count(lang: str) -> None:
    text = draft(lang, max_count=count(20_700_000, True), confirmed_count=count(7_600_000, True))
    if lang == "ja":
        assert text.index("最大で約2,070万件") < text.index("約760万件")
    else:
        assert text.index("Up to about 20,700,000") < text.index("about 7,600,000 records are confirmed")
    # each number is said exactly once
    numbers = ("約2,070万", "約760万") if lang == "ja" else ("20,700,000", "7,600,000")
    assert [text.count(n) for n in numbers] == [1, 1]


UNIT_CASES = [
    (None, "件", "records"),
    ("件", "件", "records"),
    ("人", "人", "people"),
    ("世帯", "世帯", "households"),
]


@pytest.mark.parametrize(("unit", "ja", "en"), UNIT_CASES)
def test_each_count_unit(unit: str | None, ja: str, en: str) -> None:
    maximum, confirmed = count(20_700_000, True), count(7_600_000)
    ja_text = draft("ja", count_unit=unit, max_count=maximum, confirmed_count=confirmed)
    en_text = draft("en", count_unit=unit, max_count=maximum, confirmed_count=confirmed)
    assert f"最大で約2,070万{ja}（うち漏えいを確認したもの：760万{ja}）" in ja_text.splitlines()
    assert f"Up to about 20,700,000 {en} (of which 7,600,000 {en} are confirmed to have leaked)" in en_text.splitlines()
    for other_ja, other_en in {("件", "records"), ("人", "people"), ("世帯", "households")} - {(ja, en)}:
        assert f"2,070万{other_ja}" not in ja_text
        assert f" {other_en} " not in en_text


@pytest.mark.parametrize(("unit", "one", "many"), [("件", "record", "records"), ("人", "person", "people"),
                                                   ("世帯", "household", "households")])
def test_english_count_of_one_is_singular(unit: str, one: str, many: str) -> None:
    text = draft("en", count_unit=unit, max_count=count(1), confirmed_count=count(1))
    assert f"Up to 1 {one} (of which 1 {one} is confirmed to have leaked)" in text.splitlines()
    text = draft("en", count_unit=unit, max_count=count(5), confirmed_count=count(1, True))
    assert f"Up to 5 {many} (of which about 1 {one} is confirmed to have leaked)" in text.splitlines()
    text = draft("en", count_unit=unit, max_count=count(5), confirmed_count=count(0))
    assert f"Up to 5 {many} (of which 0 {many} are confirmed to have leaked)" in text.splitlines()
    assert not re.search(r"\b1 (records|people|households)\b", text)
    # Japanese has no plural
    assert f"最大で1{unit}（うち漏えいを確認したもの：1{unit}）" in draft(
        "ja", count_unit=unit, max_count=count(1), confirmed_count=count(1)).splitlines()


# --- optional items: no empty heading, no "None", consecutive numbers, fixed order ---------------

HEADINGS = {
    "ja": {
        "what": "発生した事案と発覚の経緯",
        "data_items": "漏えいした（またはそのおそれがある）個人情報の項目",
        "counts": "対象となる件数",
        "services": "対象となるサービス",
        "card_bank": "クレジットカード情報および銀行口座情報について",
        "secondary_damage": "二次被害について",
        "customer_actions": "お客様へのお願い",
        "contact": "お問い合わせ窓口",
        "measures": "今後の対応",
    },
    "en": {
        "what": "What happened and when we found it",
        "data_items": "Personal data that leaked or may have leaked",
        "counts": "How many",
        "services": "Affected services",
        "card_bank": "Credit-card and bank-account data",
        "secondary_damage": "Secondary damage",
        "customer_actions": "What we ask of our customers",
        "contact": "Where to ask",
        "measures": "What we are doing",
    },
}
NO_MEASURES = {
    "ja": "被害の拡大防止と再発防止に向けた対策については、現在調査・検討中です。決まり次第、速やかにお知らせいたします。",
    "en": "We are working out how to stop any further damage and prevent a recurrence, and will report as soon as this is decided.",
}
CAUSE_PREFIX = {"ja": "原因：", "en": "Cause: "}
_HEADING = re.compile(r"^(\d+)\. (.+)$")


def sections(text: str) -> list[tuple[int, str, list[str]]]:
    """(number, heading, body lines) of every numbered section of a draft."""
    found: list[tuple[int, str, list[str]]] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            found.append((int(match[1]), match[2], []))
        elif found:
            found[-1][2].append(line)
    return found


OPTIONAL_IDS = ("cause", "secondary_damage", "measures")
SUBSETS = [subset for n in range(len(OPTIONAL_IDS) + 1) for subset in itertools.combinations(OPTIONAL_IDS, n)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("given", SUBSETS, ids=lambda s: "+".join(s) or "none")
@pytest.mark.parametrize("absent_as", ["missing", "None", "empty"])
def test_optional_items_missing_are_handled_gracefully(lang: str, given: tuple[str, ...], absent_as: str) -> None:
    values = dict(BASE[lang])
    for item_id in OPTIONAL_IDS:
        if item_id in given:
            values[item_id] = OPTIONAL[lang][item_id]
        elif absent_as == "None":
            values[item_id] = None
        elif absent_as == "empty":
            values[item_id] = ""
    text = render(values, lang=lang)

    assert "None" not in text and "{{" not in text and "\n\n\n" not in text
    found = sections(text)
    assert [number for number, _, _ in found] == list(range(1, len(found) + 1))
    for number, heading, body in found:
        assert body and body[0].strip(), f"section {number} ({heading}) is empty"
    expected = [h for key, h in HEADINGS[lang].items() if key != "secondary_damage" or "secondary_damage" in given]
    assert [heading for _, heading, _ in found] == expected

    cause_lines = [line for line in text.splitlines() if line.startswith(CAUSE_PREFIX[lang])]
    assert cause_lines == ([CAUSE_PREFIX[lang] + OPTIONAL[lang]["cause"]] if "cause" in given else [])
    if "secondary_damage" in given:
        assert OPTIONAL[lang]["secondary_damage"] in text
    measures_body = found[-1][2]
    assert measures_body[0] == (OPTIONAL[lang]["measures"] if "measures" in given else NO_MEASURES[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_sections_come_in_the_contract_order(lang: str) -> None:
    values = {**BASE[lang], **OPTIONAL[lang]}
    text = render(values, lang=lang)
    first_line, blank, apology = text.splitlines()[:3]
    assert values["title"] in first_line and blank == ""
    assert ("お詫び" in first_line and "お詫び申し上げます" in apology) if lang == "ja" else (
        "apology" in first_line and "apologise" in apology)
    landmarks = [
        values["title"],
        HEADINGS[lang]["what"], values["summary"], values["cause"],
        HEADINGS[lang]["data_items"],
        HEADINGS[lang]["counts"],
        HEADINGS[lang]["services"], values["services"],
        HEADINGS[lang]["card_bank"], CARD_BANK_SENTENCES[lang][values["card_bank"]],
        HEADINGS[lang]["secondary_damage"], values["secondary_damage"],
        HEADINGS[lang]["customer_actions"], values["customer_actions"],
        HEADINGS[lang]["contact"], values["contact"],
        HEADINGS[lang]["measures"], values["measures"],
    ]
    positions = [text.index(landmark) for landmark in landmarks]
    assert positions == sorted(positions)
    # the discovery time is in the first section, before the summary
    when = "2026年11月26日（木）10:05" if lang == "ja" else "Tue 1 Dec 2026, 00:30 JST"
    assert text.index(HEADINGS[lang]["what"]) < text.index(when) < text.index(values["summary"])


@pytest.mark.parametrize("lang", LANGS)
def test_optional_items_not_meant_for_the_public_stay_out(lang: str) -> None:
    """Whether it was malicious and the PPC report are for the team, not for the disclosure."""
    with_them = render({**BASE[lang], "malicious": "yes", "ppc_report": "final"}, lang=lang)
    assert with_them == render(BASE[lang], lang=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_data_items_and_services_are_named(lang: str) -> None:
    text = draft(lang, data_items={"selected": ["name", "gender", "family", "sensitive"], "other": "学校名"})
    expected = ("氏名、性別、家族の情報（お子様の氏名等）、要配慮個人情報（病歴等）、学校名" if lang == "ja"
                else "name, gender, family members' data (e.g. children's names), sensitive data (e.g. medical history), 学校名")
    assert expected in text.splitlines()
    only_other = draft(lang, data_items={"selected": [], "other": "会員番号"})
    assert "会員番号" in only_other.splitlines()
    assert BASE[lang]["services"] in text.splitlines()


@pytest.mark.parametrize("lang", LANGS)
def test_answers_are_used_literally_never_as_template_code(lang: str) -> None:
    text = draft(lang, title="{{ contact }} {% if x %}", summary="{# 注記 #} & <b>")
    assert "{{ contact }} {% if x %}" in text.splitlines()[0]
    assert "{# 注記 #} & <b>" in text.splitlines()


# --- not ready: exactly the missing required ids -------------------------------------------------

def test_the_required_items_are_those_of_the_contract() -> None:
    assert REQUIRED == ("title", "discovered_at", "summary", "data_items", "max_count", "confirmed_count",
                        "services", "card_bank", "customer_actions", "contact")


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_answered_lists_every_required_item(lang: str) -> None:
    with pytest.raises(DraftNotReady) as raised:
        render({}, lang=lang)
    assert raised.value.missing == list(REQUIRED)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("removed", [
    ("title",), ("discovered_at",), ("card_bank",), ("contact",),
    ("max_count", "confirmed_count"), ("summary", "services", "customer_actions"),
    ("contact", "title"),  # reported in checklist order, whatever the order given
])
def test_draft_not_ready_lists_exactly_the_missing_required_ids(lang: str, removed: tuple[str, ...]) -> None:
    values = {k: v for k, v in {**BASE[lang], **OPTIONAL[lang]}.items() if k not in removed}
    with pytest.raises(DraftNotReady) as raised:
        render(values, lang=lang)
    assert raised.value.missing == [item_id for item_id in REQUIRED if item_id in removed]
    assert str(raised.value) == ", ".join(raised.value.missing)


@pytest.mark.parametrize("lang", LANGS)
def test_optional_items_never_hold_up_the_draft(lang: str) -> None:
    values = {k: v for k, v in BASE[lang].items() if k in REQUIRED}
    assert render(values, lang=lang) == render(BASE[lang], lang=lang)
    assert "responders" not in REQUIRED


# --- the discovery time, in Tokyo, with the weekday ----------------------------------------------

DISCOVERY_CASES = [
    ("2026-11-26T01:05:00+00:00", "2026年11月26日（木）10:05", "Thu 26 Nov 2026, 10:05 JST"),
    # across a month end
    ("2026-11-30T15:30:00+00:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
    ("2026-11-30T14:59:00+00:00", "2026年11月30日（月）23:59", "Mon 30 Nov 2026, 23:59 JST"),
    ("2026-03-31T15:00:00+00:00", "2026年4月1日（水）00:00", "Wed 1 Apr 2026, 00:00 JST"),
    # across a year end and onto a leap day
    ("2026-12-31T15:00:00+00:00", "2027年1月1日（金）00:00", "Fri 1 Jan 2027, 00:00 JST"),
    ("2028-02-28T16:45:00+00:00", "2028年2月29日（火）01:45", "Tue 29 Feb 2028, 01:45 JST"),
    # already in Tokyo time, or in another zone
    ("2026-12-01T00:30:00+09:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
    ("2026-11-30T10:30:00-05:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
]


@pytest.mark.parametrize(("stored", "ja", "en"), DISCOVERY_CASES)
def test_discovery_time_is_shown_in_tokyo_with_the_weekday(stored: str, ja: str, en: str) -> None:
    assert f"{ja}、本件が発覚いたしました。" in draft("ja", discovered_at=stored).splitlines()
    assert f"We discovered this on {en}." in draft("en", discovered_at=stored).splitlines()
