"""The four documents (bot.drafting) over every document × language × card/bank answer × way a count is typed
× unit: what each must say, and what none may say. Whole texts are in tests/test_documents_golden.py.

Every incident here is invented: the company, its services, the people and the phone numbers
(0120-000-000) do not exist. Times are fixed aware datetimes, so nothing depends on the clock or the zone.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.checklist import ITEMS, REQUIRED
from bot.documents import HEADING, RIGHT, TITLE, strip_marks
from bot.drafting import DOCS, DraftMeta, DraftNotReady, TimelineEntry, changed_items, render

LANGS = ("ja", "en")
CARD_BANK = ("none", "possible", "yes", "investigating")
UNITS = ("件", "人", "世帯")
AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 2026-11-27 12:00 in Tokyo

BASE: dict[str, Any] = {
    "title": "会員データベースの流出疑い",
    "discovered_at": "2026-11-26T01:05:00+00:00",  # 2026-11-26 (Thu) 10:05 in Tokyo
    "summary": "架空の通販サイト「サンプルマート」の会員データベースに、外部からの不正アクセスの痕跡が見つかりました。",
    "data_items": {"selected": ["name", "address", "email", "sensitive"], "other": "メール、学校名"},
    "max_count": {"value": 20_700_000, "approx": True, "text": "約2,070万件"},
    "confirmed_count": {"value": 7_600_000, "approx": True, "text": "約760万件"},
    "services": "サンプルマート（通販サイト）およびサンプルマート会員アプリ",
    "card_bank": "none",
    "customer_actions": "当社を装った不審なメール・SMS・電話にご注意ください。",
    "contact": "サンプルマート お客様相談窓口 0120-000-000",
    "malicious": "yes",
}


def count(typed: str, value: int, approx: bool = False) -> dict[str, Any]:
    return {"value": value, "approx": approx, "text": typed}


# how the counts were typed: (max, confirmed, what the ja text must hold, what the en text must hold)
COUNTS = {
    "digits": (count("440027", 440_027), count("302,569", 302_569), ["最大440,027", "302,569"], ["440,027", "302,569"]),
    "man": (
        count("2070万", 20_700_000),
        count("760万", 7_600_000),
        ["最大2,070万", "760万"],
        ["20,700,000", "7,600,000"],
    ),
    "approx": (
        count("約2,070万件", 20_700_000, True),
        count("約760万件", 7_600_000, True),
        ["最大約2,070万", "約760万"],
        ["approximately 20.7 million", "approximately 7.6 million"],
    ),
    "equal": (count("254,241", 254_241), count("254241", 254_241), ["254,241"], ["254,241"]),
    "zero": (count("約12万", 120_000, True), count("0", 0), ["最大約12万"], ["approximately 120,000"]),
}
DETAIL = {"selected": ["card_number", "card_expiry", "bank_account"], "other": ""}
UI_LABELS = [
    "（病歴等）",
    "はい（攻撃",
    "該当の可能性あり",
    "含まれていない（確認済み）",
    "sensitive data (e.g.",
    "yes (attack",
    "not involved (confirmed)",
    "possibly involved",
    "件（レコード数）",
    "速報を提出済み",
    "preliminary report filed",
]
HYBRID = re.compile(r"[万億兆][0-9][0-9,]*(?:件|人|世帯)")
MATRIX = list(itertools.product(DOCS, LANGS, CARD_BANK, COUNTS, UNITS))


def values_for(card_bank: str, counts: str, unit: str, **changes: Any) -> dict[str, Any]:
    maximum, confirmed, _, _ = COUNTS[counts]
    values = {
        **BASE,
        "card_bank": card_bank,
        "max_count": maximum,
        "confirmed_count": confirmed,
        "count_unit": unit,
        **changes,
    }
    if card_bank != "none":
        values["card_bank_detail"] = DETAIL
    return {k: v for k, v in values.items() if v is not None}


def plain(body: str) -> str:
    return strip_marks(body)


def headings(body: str) -> list[str]:
    return [line[len(HEADING) :] for line in body.splitlines() if line.startswith(HEADING)]


# --- the matrix: every document × language × card/bank answer × count typed × unit ------------------------


@pytest.mark.parametrize(("doc", "lang", "card_bank", "counts", "unit"), MATRIX, ids=["-".join(m) for m in MATRIX])
def test_every_document_says_the_facts_and_nothing_it_must_not(
    doc: str, lang: str, card_bank: str, counts: str, unit: str
) -> None:
    body = render(values_for(card_bank, counts, unit), lang=lang, doc=doc)
    text = plain(body)
    # counts (not in the letter to each person): as typed, maximum first, never a hybrid; one figure when
    # equal; no "0件" when none is confirmed
    _, _, ja_counts, en_counts = COUNTS[counts]
    wanted = ja_counts if lang == "ja" else en_counts
    assert not HYBRID.search(text)
    if doc == "notice":
        assert not any(w in text for w in wanted)
    else:
        positions = [text.index(w) for w in wanted]
        assert positions == sorted(positions)
    if counts == "equal" and doc != "notice":
        assert ("254,241" + unit + "（漏えいを確認）" in text) if lang == "ja" else ("confirmed that" in text)
        assert "最大" not in text.split("254,241")[0][-5:]
    if counts == "zero" and doc != "notice":
        assert (
            ("実際に外部へ流出したことは確認され" in text)
            if lang == "ja"
            else ("not confirmed that any data" in text or "not been confirmed that any data" in text)
        )
    if counts == "zero":
        assert not re.search(r"(?<![0-9,])0(?:件|人|世帯)|：0|of 0 ", text)
    # card and bank data: always said, naming the fields, with what to do when they (may have) leaked
    _card_and_bank(text, doc, lang, card_bank)
    # never UI wording, a doubled apology, a hedged confirmed leak, ございます in a crisis, or 発覚
    for label in UI_LABELS:
        assert label not in text, label
    assert "可能性がございます" not in text and "発覚" not in text and "None" not in text and "{{" not in text
    assert "お詫びとお知らせに関するお詫びとお知らせ" not in text
    if counts != "zero" and doc != "ppc":
        assert "漏えいした、またはそのおそれ" not in text and "leaked, or may have leaked" not in text
    # unknowns are said as 調査中 / under investigation in every document
    assert ("調査中" in text) if lang == "ja" else ("under investigation" in text.lower())
    # the heading follows the unit
    if doc == "public":
        unit_word = (
            {"件": "件数", "人": "人数", "世帯": "世帯数"}[unit]
            if lang == "ja"
            else {"件": "Number of records", "人": "Number of people", "世帯": "Number of households"}[unit]
        )
        assert any(h.endswith(unit_word) for h in headings(body))


def _card_and_bank(text: str, doc: str, lang: str, card_bank: str) -> None:
    if lang == "ja":
        none = (
            "クレジットカード番号" + ("及び" if doc == "ppc" else "および") + "有効期限、金融機関の口座情報は含まれて"
        )
        fields = "クレジットカード情報（カード番号、有効期限）および金融機関の口座情報（口座番号）"
        advice = ["ご利用明細", "カード会社", "再発行", "当社が負担"]
        said = {"none": none, "possible": "可能性があ", "yes": "含まれ", "investigating": "調査中"}[card_bank]
    else:
        none = "no credit-card numbers or expiry dates and no bank-account details"
        fields = "credit-card data (card number and expiry date) and bank-account details (account number)"
        advice = ["card statements", "card company", "reissued", "bear the reissue fee"]
        said = {"none": none, "possible": "may include", "yes": "include", "investigating": "investigat"}[card_bank]
    assert said in text
    if card_bank == "none":
        assert fields not in text
        return
    assert fields in text
    if card_bank in ("yes", "possible"):
        # the fields that leaked are among the data items too
        assert (
            ("・クレジットカード番号" in text and "・口座番号" in text)
            if lang == "ja"
            else ("• credit-card number" in text and "• bank account number" in text)
        )
        if doc != "ppc":
            for words in advice:
                assert words in text, words
    else:
        assert all(words not in text for words in advice[2:])


@pytest.mark.parametrize(("doc", "lang"), list(itertools.product(DOCS, LANGS)))
def test_render_is_deterministic_and_leaves_its_input_alone(doc: str, lang: str) -> None:
    values = values_for("yes", "approx", "人")
    before = repr(values)
    meta = DraftMeta(company="株式会社サンプル", version=2, dated=AT, previous={**values, "services": "旧"})
    assert render(values, lang=lang, doc=doc, meta=meta) == render(dict(values), lang=lang, doc=doc, meta=meta)
    assert repr(values) == before


def test_the_public_document_is_the_default_and_old_callers_still_work() -> None:
    values = values_for("none", "approx", "件")
    assert render(values, lang="ja") == render(values, lang="ja", doc="public", meta=DraftMeta())
    old = plain(render(values, lang="ja", doc="ppc", public_version=3))
    assert "公表文案を作成済み（第3版）" in old
    assert old == plain(render(values, lang="ja", doc="ppc", meta=DraftMeta(public_version=3)))


# --- who speaks, when --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_release_ends_with_its_date_issuer_and_ijou(lang: str) -> None:
    body = render(BASE, lang=lang, meta=DraftMeta(company="株式会社サンプル", dated=AT))
    lines = body.splitlines()
    assert lines[0].startswith(TITLE)
    right = [line[len(RIGHT) :] for line in lines if line.startswith(RIGHT)]
    assert right[:2] == (
        ["2026年11月27日", "株式会社サンプル"] if lang == "ja" else ["27 November 2026", "株式会社サンプル"]
    )
    if lang == "ja":
        assert right[-1] == "以上" and lines[-1] == RIGHT + "以上"


@pytest.mark.parametrize("lang", LANGS)
def test_without_an_issuer_or_a_date_there_is_no_such_line(lang: str) -> None:
    body = render(BASE, lang=lang)
    assert [line for line in body.splitlines() if line.startswith(RIGHT)] == ([RIGHT + "以上"] if lang == "ja" else [])
    assert "当社" in body if lang == "ja" else "we " in body.lower()


@pytest.mark.parametrize("hour", [0, 14, 15, 23])  # 15:00 UTC is already the next day in Tokyo
def test_the_date_line_is_the_day_in_tokyo(hour: int) -> None:
    when = datetime(2026, 11, 30, hour, 0, tzinfo=UTC)
    day = "12月1日" if hour >= 15 else "11月30日"
    assert f"{RIGHT}2026年{day}" in render(BASE, lang="ja", meta=DraftMeta(dated=when))
    elsewhere = when.astimezone(timezone(timedelta(hours=-10)))
    assert render(BASE, lang="ja", meta=DraftMeta(dated=when)) == render(
        BASE, lang="ja", meta=DraftMeta(dated=elsewhere)
    )


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_later_version_says_what_changed_and_when(doc: str, lang: str) -> None:
    before = dict(BASE)
    after = {
        **BASE,
        "services": "サンプルマート（通販サイト）のみ",
        "max_count": count("約3,000万件", 30_000_000, True),
    }
    body = plain(render(after, lang=lang, doc=doc, meta=DraftMeta(version=2, dated=AT, previous=before)))
    line = next(line for line in body.splitlines() if line.startswith(("【追記】", "Update")))
    if lang == "ja":
        assert line.startswith("【追記】2026年11月27日")
        assert ("本人の数" if doc == "ppc" else "対象となる件数") in line and "サービス" in line
    else:
        assert line.startswith("Update (27 November 2026)") and "services" in line
    # no update line on a first version, nor without the previous answers
    for meta in (DraftMeta(version=1, dated=AT, previous=before), DraftMeta(version=2, dated=AT)):
        assert "【追記】" not in render(after, lang=lang, doc=doc, meta=meta)
        assert "Update (" not in render(after, lang=lang, doc=doc, meta=meta)


def test_an_update_names_only_what_the_document_shows() -> None:
    before = {**BASE, "ppc_report": "not_yet"}
    after = {**BASE, "ppc_report": "not_required", "malicious": "no"}
    body = render(after, lang="ja", meta=DraftMeta(version=2, dated=AT, previous=before))
    assert "【追記】2026年11月27日　記載の一部を更新いたしました。" in body
    assert changed_items(before, after) == ["malicious", "ppc_report"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_drill_says_so_in_its_title(lang: str) -> None:
    for doc in DOCS:
        first = render(BASE, lang=lang, doc=doc, meta=DraftMeta(exercise=True)).splitlines()[0]
        assert first.startswith(TITLE + ("【訓練】" if lang == "ja" else "[EXERCISE] "))
        assert "訓練" not in render(BASE, lang=lang, doc=doc) and "EXERCISE" not in render(BASE, lang=lang, doc=doc)


@pytest.mark.parametrize("doc", ["public", "ppc"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_is_dated_oldest_first_and_typed_text_stays_text(doc: str, lang: str) -> None:
    entries = (
        TimelineEntry(AT, "2. 封じ込め完了"),
        TimelineEntry(AT - timedelta(hours=30), "1. 通報を受領\n（電話）"),
        TimelineEntry(AT - timedelta(hours=2), f"{HEADING}見出しの偽装"),
    )
    body = render(BASE, lang=lang, doc=doc, meta=DraftMeta(timeline=entries))
    lines = [line for line in body.splitlines() if "通報を受領" in line or "封じ込め" in line or "偽装" in line]
    assert len(lines) == 3 and "1. 通報を受領 （電話）" in lines[0] and "封じ込め" in lines[2]
    assert ("2026年11月26日（木）06:00" in lines[0]) if lang == "ja" else ("Thu 26 Nov 2026, 06:00 JST" in lines[0])
    assert not any(line.startswith(HEADING) for line in lines)


# --- the report to the Commission ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("ppc_report", "final"),
    [(None, False), ("not_yet", False), ("not_required", False), ("preliminary", True), ("final", True)],
)
def test_preliminary_until_it_is_filed_then_final(lang: str, ppc_report: str | None, final: bool) -> None:
    values = {**BASE, "ppc_report": ppc_report} if ppc_report else BASE
    body = plain(render(values, lang=lang, doc="ppc"))
    title = body.splitlines()[0]
    if lang == "ja":
        assert ("（確報・案）" if final else "（速報・案）") in title
        assert ("第8条第2項" if final else "第8条第1項") in body
        assert ("確報の時点でなお調査中の事項" in body) is final
    else:
        assert ("(final report, draft)" if final else "(preliminary report, draft)") in title
        assert ("Still under investigation at the final report" in body) is final


def test_the_final_report_lists_every_gap_and_what_changed_since_the_preliminary() -> None:
    preliminary = {**BASE, "ppc_report": "not_yet", "card_bank": "investigating"}
    final = {
        **BASE,
        "ppc_report": "preliminary",
        "cause": "設定の誤り",
        "card_bank": "possible",
        "card_bank_detail": DETAIL,
    }
    body = plain(render(final, lang="ja", doc="ppc", meta=DraftMeta(version=2, dated=AT, previous=preliminary)))
    changes = body.split("速報からの変更点：\n")[1].split("\n\n")[0].splitlines()
    assert changes == ["・クレジットカード情報および金融機関の口座情報", "・原因"]  # in checklist order
    gaps = (
        body.split("確報の時点でなお調査中の事項（引き続き調査し、判明次第追完する）：\n")[1]
        .split("\n\n")[0]
        .splitlines()
    )
    assert gaps == [
        "・本人の数",
        "・発生時期",
        "・二次被害又はそのおそれの有無及びその内容",
        "・再発防止のための措置",
        "・本人への対応の実施状況",
        "・公表の実施状況",
        "・関係機関への報告・相談",
    ]  # counted in 件: people unknown
    assert "【追記】" not in body  # the changes since the preliminary report say it
    everything = {
        **final,
        "occurred_at": "11月",
        "secondary_damage": "なし",
        "measures": "遮断",
        "notification": "書面",
        "publication": "ウェブサイト",
        "authorities": "警察",
    }
    assert "事項（引き続き調査し、判明次第追完する）：\nなし" in plain(
        render({**everything, "count_unit": "人"}, lang="ja", doc="ppc")
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_cites_rule_7_by_number_and_is_written_in_one_register(lang: str) -> None:
    body = plain(render({**BASE, "authorities": "警視庁に相談"}, lang=lang, doc="ppc"))
    if lang == "ja":
        for number, status in ((1, "該当"), (2, "非該当"), (3, "該当"), (4, "該当")):
            assert f"規則第7条第{number}号" in body and status in body
        template_lines = [
            line
            for line in body.splitlines()
            if line and not any(typed in line for typed in (BASE["summary"], BASE["customer_actions"], BASE["contact"]))
        ]
        assert not any(re.search(r"(?:ます|です|ございます)。", line) for line in template_lines)
        assert "警察その他の関係機関への報告・相談：警視庁に相談" in body and "事態の区分：漏えい" in body
    else:
        assert "Rule 7(i)" in body and "Rule 7(iv)" in body and "Police and other authorities" in body


# --- typed text: never template code, never a heading, mapped to document wording ---------------------------


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_typed_text_is_never_a_heading_nor_template_code(doc: str, lang: str) -> None:
    forged = {
        **BASE,
        "summary": f"1. 最初の段落\n{HEADING}偽の見出し\n{TITLE}偽の題名\n{RIGHT}偽の右寄せ",
        "title": "{{ contact }} {% if x %}",
        "customer_actions": "# 見出しではない\n2. 手順",
    }
    body = render(forged, lang=lang, doc=doc)
    typed_lines = ["1. 最初の段落", "偽の見出し", "偽の題名", "偽の右寄せ", "# 見出しではない", "2. 手順"]
    for line in body.splitlines():
        if any(typed in line for typed in typed_lines):
            assert line[:1] not in (HEADING, TITLE, RIGHT), line
    assert "{{ contact }} {% if x %}" in body.splitlines()[0]
    numbers = [int(h.split(".")[0]) for h in headings(body)]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("lang", LANGS)
def test_data_items_are_a_list_in_document_wording(lang: str) -> None:
    body = plain(render(BASE, lang=lang))
    items = [line for line in body.splitlines() if line.startswith(("・", "• "))]
    if lang == "ja":
        assert items == [
            "・氏名",
            "・住所",
            "・メールアドレス",
            "・要配慮個人情報",
            "・学校名",
        ]  # typed メール is the e-mail address
    else:
        assert items == ["• name", "• postal address", "• e-mail address", "• sensitive personal data", "• 学校名"]


@pytest.mark.parametrize(
    ("services", "reassured", "said"),
    [
        ("サンプルマート（通販サイト）", True, "サンプルマート（通販サイト）"),
        ("調査中", False, "対象となるサービスの範囲については、現在調査中です。"),
        ("サンプルマートほか（範囲は調査中）", False, "引き続き調査しております"),
        ("当社の全サービス", False, "当社の全サービス"),
    ],
)
def test_the_reassurance_about_other_services_only_for_a_concrete_list(
    services: str, reassured: bool, said: str
) -> None:
    body = plain(render({**BASE, "services": services}, lang="ja"))
    assert ("上記以外のサービスのみをご利用のお客様の情報が漏えいした事実は" in body) is reassured
    assert said in body


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("会員情報の流出", "会員情報の流出に関するお詫びとお知らせ"),
        ("会員情報の流出に関するお詫びとお知らせ", "会員情報の流出に関するお詫びとお知らせ"),
        ("不正アクセスについてのお詫びとお知らせ", "不正アクセスに関するお詫びとお知らせ"),  # composed the one way
    ],
)
def test_a_title_that_already_apologises_is_not_doubled(title: str, expected: str) -> None:
    assert render({**BASE, "title": title}, lang="ja").splitlines()[0] == TITLE + expected
    assert "お詫びとお知らせに関する想定問答" not in render({**BASE, "title": title}, lang="ja", doc="faq")


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_optional_items_missing_are_said_as_under_investigation(doc: str, lang: str) -> None:
    required = {k: v for k, v in BASE.items() if k in REQUIRED}
    for absent in (None, ""):
        values = {**required, "cause": absent, "secondary_damage": absent, "measures": absent}
        body = plain(render({k: v for k, v in values.items() if v is not None}, lang=lang, doc=doc))
        assert body.count("調査中" if lang == "ja" else "under investigation") >= 2
        assert "\n\n\n" not in body and "None" not in body
    everything = plain(
        render(
            {**BASE, "cause": "設定の誤り", "secondary_damage": "不正利用なし", "measures": "遮断済み"},
            lang=lang,
            doc=doc,
        )
    )
    assert "設定の誤り" in everything and "不正利用なし" in everything


def test_the_faq_answers_the_questions_customers_ask() -> None:
    body = render(values_for("possible", "approx", "人"), lang="ja", doc="faq")
    questions = headings(body)
    for asked in (
        "含まれていますか",
        "どのような情報",
        "クレジットカードや銀行口座",
        "何をすればよいですか",
        "どのように連絡",
        "なぜ起きた",
        "補償",
        "利用して大丈夫",
    ):
        assert any(asked in q for q in questions), asked
    assert (
        "補償を含めたお客様への対応については、現在検討中です。決まり次第、ウェブサイトでお知らせいたします。" in body
    )
    with_notice = render(
        {**values_for("none", "approx", "人"), "notification": "11月30日より書面にてお知らせいたします。"},
        lang="ja",
        doc="faq",
    )
    assert "11月30日より書面にてお知らせいたします。" in with_notice


# --- not ready: exactly the missing required ids -------------------------------------------------------------


def test_the_required_items_are_those_of_the_contract() -> None:
    assert REQUIRED == (
        "title",
        "discovered_at",
        "summary",
        "data_items",
        "max_count",
        "confirmed_count",
        "services",
        "card_bank",
        "customer_actions",
        "contact",
    )
    assert not ITEMS["card_bank_detail"].required


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize(
    "removed", [("title",), ("card_bank",), ("max_count", "confirmed_count"), ("contact", "title")]
)
def test_draft_not_ready_lists_exactly_the_missing_required_ids(doc: str, removed: tuple[str, ...]) -> None:
    with pytest.raises(DraftNotReady) as raised:
        render({k: v for k, v in BASE.items() if k not in removed}, lang="ja", doc=doc)
    assert raised.value.missing == [item_id for item_id in REQUIRED if item_id in removed]
    with pytest.raises(DraftNotReady) as nothing:
        render({}, lang="en", doc=doc)
    assert nothing.value.missing == list(REQUIRED)


DISCOVERY_CASES = [
    ("2026-11-26T01:05:00+00:00", "2026年11月26日（木）10:05", "Thu 26 Nov 2026, 10:05 JST"),
    ("2026-11-30T15:30:00+00:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
    ("2026-12-31T15:00:00+00:00", "2027年1月1日（金）00:00", "Fri 1 Jan 2027, 00:00 JST"),
    ("2028-02-28T16:45:00+00:00", "2028年2月29日（火）01:45", "Tue 29 Feb 2028, 01:45 JST"),
    ("2026-11-30T10:30:00-05:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
]


@pytest.mark.parametrize(("stored", "ja", "en"), DISCOVERY_CASES)
def test_the_discovery_time_is_shown_in_tokyo_with_the_weekday(stored: str, ja: str, en: str) -> None:
    assert f"{ja}、本件が判明いたしました。" in render({**BASE, "discovered_at": stored}, lang="ja").splitlines()
    assert f"We found this on {en}." in render({**BASE, "discovered_at": stored}, lang="en").splitlines()


@pytest.mark.parametrize("typed", ["調査中", "調査中です。", "不明", "Under investigation.", "unknown"])
def test_a_typed_unknown_gets_the_documents_own_sentence(typed: str) -> None:
    body = plain(render({**BASE, "cause": typed, "secondary_damage": typed}, lang="ja"))
    assert "原因については、現在調査中です。判明次第お知らせいたします。" in body
    assert "本件に起因する二次被害の有無については、現在調査中です。" in body
    assert f"原因：{typed}" not in body


def test_typed_items_split_only_at_list_separators_and_keep_everything_else() -> None:
    values = {
        **BASE,
        "data_items": {"selected": ["name"], "other": "会員ID・パスワード、https://example.com/a/b、氏名\n学校名"},
    }
    items = [line for line in plain(render(values, lang="ja")).splitlines() if line.startswith("・")]
    assert items == ["・氏名", "・会員ID・パスワード", "・https://example.com/a/b", "・学校名"]


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", "件"]), st.booleans())
@example(440_027, "件", False)
@example(302_569, "", False)
@settings(max_examples=60, deadline=None)
def test_a_count_typed_in_digits_is_published_in_digits_in_every_document(n: int, suffix: str, commas: bool) -> None:
    typed = (f"{n:,}" if commas else str(n)) + suffix
    maximum = {"value": n + 10, "approx": False, "text": f"{n + 10}"}
    values = {**BASE, "max_count": maximum, "confirmed_count": {"value": n, "approx": False, "text": typed}}
    for doc in ("public", "ppc", "faq"):
        text = plain(render(values, lang="ja", doc=doc))
        shown = "最大" + f"{n + 10:,}件"
        assert shown in text
        if n:
            assert f"{n:,}件）" in text
        assert not HYBRID.search(text)


@given(st.integers(min_value=1, max_value=99_999), st.booleans())
@example(2_070, True)
@settings(max_examples=60, deadline=None)
def test_a_count_typed_with_man_is_published_with_man_in_every_document(k: int, approx: bool) -> None:
    about = "約" if approx else ""
    values = {
        **BASE,
        "max_count": {"value": k * 10_000, "approx": approx, "text": f"{about}{k}万件"},
        "confirmed_count": {"value": 0, "approx": False, "text": "0"},
    }
    for doc in ("public", "ppc", "faq"):
        assert f"最大{about}{k:,}万件" in plain(render(values, lang="ja", doc=doc))
