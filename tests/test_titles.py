"""Titles as people write them (issue 20, 1): bot.wording.title_subject and the titles the documents compose.

The typed title ends in お知らせとお詫び, お知らせ, について… or starts with 【重要】; each document composes its
own title around the subject, so nothing is ever doubled. The typed title itself is kept as typed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.documents import TITLE
from bot.drafting import DOCS, render
from bot.wording import TITLE_FALLBACK, title_subject

VALUES: dict[str, Any] = {  # an invented incident; only the title varies
    "discovered_at": "2026-11-26T01:05:00+00:00",
    "summary": "架空の会員サイトで不正アクセスが確認されました。",
    "data_items": {"selected": ["name", "email"], "other": ""},
    "max_count": {"value": 1200, "approx": False, "text": "1,200"},
    "confirmed_count": {"value": 0, "approx": False, "text": "0"},
    "services": "架空の会員サービス「テストクラブ」",
    "card_bank": "none",
    "customer_actions": "パスワードを変更してください。",
    "contact": "テストクラブ窓口 0120-000-000",
}

# The examples, and the ways of writing the same title that a signer meets.
SUBJECTS = [
    ("お客様情報の漏えいに関するお知らせとお詫び", "お客様情報の漏えい"),
    ("お客様情報の漏えいに関するお詫びとお知らせ", "お客様情報の漏えい"),
    ("顧客情報漏洩に関するお知らせ", "顧客情報漏洩"),
    ("会員情報の流出について", "会員情報の流出"),
    ("会員情報の流出に関して", "会員情報の流出"),
    ("不正アクセスによる個人情報流出のお詫び", "不正アクセスによる個人情報流出"),
    ("【重要】会員情報流出について", "会員情報流出"),
    ("【お詫び】不正アクセスに関するお知らせ", "不正アクセス"),
    ("【重要】【お詫び】 顧客データの外部流出についてのお知らせ。", "顧客データの外部流出"),
    ("個人情報漏えいに関するお知らせについて", "個人情報漏えい"),
    ("会員情報の漏えい", "会員情報の漏えい"),
    ("お詫び（第2報）", "お詫び（第2報）"),  # a subject that only mentions an apology is left alone
    ("お知らせ", TITLE_FALLBACK["ja"]),
    ("【重要】", TITLE_FALLBACK["ja"]),
    ("Notice of unauthorised access to our online shop", "unauthorised access to our online shop"),
    ("Notice and apology regarding a leak of member data", "a leak of member data"),
    ("Apology and notice concerning customer data", "customer data"),
    ("Important: data breach notice", "data breach"),
    ("[Important] Member data leak", "Member data leak"),
    ("Noticeboard data exposed", "Noticeboard data exposed"),
    ("Data exposed at Example Inc.", "Data exposed at Example Inc."),
]


@pytest.mark.parametrize(("typed", "subject"), SUBJECTS)
def test_the_subject_of_typed_titles(typed: str, subject: str) -> None:
    assert title_subject(typed, "ja") == subject


# The documents' first lines for the issue's examples (the signer's rewrite), ja and en.
COMPOSED = [
    ("お客様情報の漏えいに関するお知らせとお詫び", "public", "ja", "お客様情報の漏えいに関するお詫びとお知らせ"),
    ("顧客情報漏洩に関するお知らせ", "public", "ja", "顧客情報漏洩に関するお詫びとお知らせ"),
    ("会員情報の流出について", "public", "ja", "会員情報の流出に関するお詫びとお知らせ"),
    ("【重要】会員情報の流出について", "notice", "ja", "【重要】会員情報の流出に関するお詫びとお知らせ"),
    ("【お詫び】会員情報の流出", "ppc", "ja", "漏えい等報告（速報・案）：会員情報の流出"),
    ("顧客情報漏洩に関するお知らせ", "faq", "ja", "顧客情報漏洩に関する想定問答（お問い合わせ窓口用）"),
    ("Notice of a leak of member data", "public", "en", "Notice and apology regarding a leak of member data"),
    (
        "Important: notice and apology regarding a leak of member data",
        "notice",
        "en",
        "Important: notice and apology regarding a leak of member data",
    ),
    ("【重要】会員情報の流出について", "public", "en", "Notice and apology regarding 会員情報の流出"),
]


@pytest.mark.parametrize(("typed", "doc", "lang", "first_line"), COMPOSED)
def test_the_documents_titles_are_composed_once(typed: str, doc: str, lang: str, first_line: str) -> None:
    assert render({**VALUES, "title": typed}, lang=lang, doc=doc).splitlines()[0] == TITLE + first_line


# --- properties ------------------------------------------------------------------------------------------

NOUNS = [
    "会員情報",
    "お客様情報",
    "個人情報",
    "顧客データ",
    "不正アクセス",
    "外部流出",
    "漏えい",
    "テストストア",
    "誤送信",
]
LEADING = ["【重要】", "【お詫び】", "【重要なお知らせ】", "【お知らせ】"]
ENDINGS = [
    "お知らせとお詫び",
    "お詫びとお知らせ",
    "お知らせ",
    "お詫び",
    "について",
    "に関して",
    "に関するお知らせ",
    "に関するお詫びとお知らせ",
    "についてのお知らせ",
    "のお詫び",
]
subjects = st.lists(st.sampled_from(NOUNS), min_size=1, max_size=4).map("による".join)
decorated = st.tuples(
    subjects,
    st.lists(st.sampled_from(LEADING), max_size=2),
    st.lists(st.sampled_from(ENDINGS), max_size=2),
    st.sampled_from(["", "。", " ", "　"]),
).map(lambda p: (p[0], "".join(p[1]) + p[0] + "".join(p[2]) + p[3]))  # (the subject, the title as typed)
typed_titles = decorated.map(lambda pair: pair[1])
DOUBLED = re.compile(
    r"(?:お詫び|お知らせ|について|に関して)(?:に関する|についての)お詫びとお知らせ|【重要】\s*【重要】"
)


@given(decorated)
def test_decorations_come_off_and_the_subject_is_kept(pair: tuple[str, str]) -> None:
    subject, typed = pair
    assert title_subject(typed, "ja") == subject


@given(st.one_of(typed_titles, st.text(max_size=60)))
@example("お知らせ")
@example("【重要】お詫び")
@example("  ")
def test_the_subject_is_idempotent_and_never_empty(typed: str) -> None:
    for lang in ("ja", "en"):
        subject = title_subject(typed, lang)
        assert title_subject(subject, lang) == subject
        assert subject.strip()
        assert subject == subject.strip()
        if not typed.strip():
            assert subject == TITLE_FALLBACK[lang]


@given(typed_titles)
def test_no_document_title_doubles_an_ending(typed: str) -> None:
    for doc in DOCS:
        first = render({**VALUES, "title": typed}, lang="ja", doc=doc).splitlines()[0]
        assert not DOUBLED.search(first), first
        assert first.count("お詫びとお知らせ") <= 1
        assert first.removeprefix(TITLE).count("【重要】") == (1 if doc == "notice" else 0)


EN_LEADING = ["Important: ", "[Important] ", "Notice of ", "Notice and apology regarding ", "Apology for "]
EN_SUBJECTS = st.lists(st.sampled_from(["member data", "a leak", "unauthorised access", "our shop"]), min_size=1).map(
    " at ".join
)


@given(EN_SUBJECTS, st.lists(st.sampled_from(EN_LEADING), max_size=2), st.sampled_from(["", " notice", " - Notice"]))
def test_english_titles_are_composed_once(subject: str, leading: list[str], ending: str) -> None:
    typed = "".join(leading) + subject + ending
    assert title_subject(typed, "en") == subject
    first = render({**VALUES, "title": typed}, lang="en", doc="public").splitlines()[0]
    assert first == f"{TITLE}Notice and apology regarding {subject}"
