"""Golden texts of the notice to the people affected and the report to the PPC, both languages.

Invented incident: a count of households (so the report says the number of people is still being
checked), a confirmed count of one, card/bank data under investigation, intent confirmed, cause and
secondary damage unanswered (調査中). Any change of wording shows here, to be read and accepted."""

from __future__ import annotations

import pytest

from bot.drafting import render

ANSWERS = {
    'title': '会員情報の流出',
    'discovered_at': '2026-11-30T15:30:00+00:00',
    'summary': '架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認された。',
    'data_items': {'selected': ['name', 'email', 'sensitive'], 'other': 'ニックネーム'},
    'max_count': {'value': 12000, 'approx': True, 'text': '約1万2000世帯'},
    'confirmed_count': {'value': 1, 'approx': False, 'text': '1'},
    'count_unit': '世帯',
    'services': '架空の会員サービス「テストクラブ」',
    'card_bank': 'investigating',
    'customer_actions': 'パスワードを変更してください。',
    'contact': 'テストクラブ窓口 0120-000-000（平日10時〜17時）',
    'malicious': 'yes',
    'measures': '不正アクセス元を遮断し、外部の専門機関による調査を開始した。'}

NOTICE_JA = """\
会員情報の流出に関する重要なお知らせ（お客様の個人情報について）

お客様各位

このたび、当社が管理するお客様の個人情報が外部に漏えいした、またはそのおそれがあることが判明いたしました。お客様に多大なるご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。本件の概要と、お客様にご確認いただきたいことをお知らせいたします。

1. 概要
2026年12月1日（火）00:30、本件が発覚いたしました。
架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認された。

2. 漏えいした（またはそのおそれがある）お客様の個人情報の項目
氏名、メールアドレス、要配慮個人情報（病歴等）、ニックネーム

3. 原因
調査中

4. 二次被害またはそのおそれについて
調査中

5. その他参考となる事項
クレジットカード情報および銀行口座情報が含まれているかどうかについては、現在調査中です。判明次第お知らせいたします。
対象となるサービス：架空の会員サービス「テストクラブ」
お客様へのお願い：パスワードを変更してください。
お問い合わせ窓口：テストクラブ窓口 0120-000-000（平日10時〜17時）
"""

NOTICE_EN = """\
Important notice about your personal data: 会員情報の流出

Dear customer,

We have found that personal data of our customers in our care has leaked, or may have leaked. We sincerely apologise for the worry and trouble this causes you. This notice tells you what happened and what we ask you to check.

1. Overview
We discovered this on Tue 1 Dec 2026, 00:30 JST.
架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認された。

2. Your personal data that leaked or may have leaked
name, e-mail address, sensitive data (e.g. medical history), ニックネーム

3. Cause
Under investigation.

4. Secondary damage, seen or feared
Under investigation.

5. Other useful facts
We are still investigating whether credit-card or bank-account data were involved, and will tell you as soon as we know.
Affected services: 架空の会員サービス「テストクラブ」
What we ask of you: パスワードを変更してください。
Where to ask: テストクラブ窓口 0120-000-000（平日10時〜17時）
"""

PPC_JA = """\
漏えい等報告（案）：会員情報の流出

個人情報保護委員会 御中

個人情報の保護に関する法律施行規則第8条に定める事項について、以下のとおり報告する。

1. 概要
2026年12月1日（火）00:30、本件が発覚した。
架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認された。

2. 漏えい等が発生し又は発生したおそれがある個人データの項目
氏名、メールアドレス、要配慮個人情報（病歴等）、ニックネーム
（要配慮個人情報を含む）

3. 本人の数
最大約1万2,000世帯（うち漏えいを確認したもの1世帯）
※上記は世帯数であり、本人の数は調査中である。

4. 原因
調査中

5. 二次被害又はそのおそれの有無及びその内容
調査中

6. 本人への対応の実施状況
本人へのお願い：パスワードを変更してください。
問い合わせ窓口：テストクラブ窓口 0120-000-000（平日10時〜17時）

7. 公表の実施状況
公表文案を作成済み（第3版）。公表の時期を検討中。

8. 再発防止のための措置
不正アクセス元を遮断し、外部の専門機関による調査を開始した。

9. その他参考となる事項
クレジットカード情報および銀行口座情報が含まれているかどうかについては、現在調査中です。判明次第お知らせいたします。
対象サービス：架空の会員サービス「テストクラブ」
故意によるものか：はい（攻撃・内部不正など）
報告対象となる事由：要配慮個人情報（該当）、財産的被害のおそれ（カード・口座情報）（該当の可能性あり（未確認））、不正の目的によるおそれ（該当）、1,000人超（該当）
"""

PPC_EN = """\
Draft report of a leak: 会員情報の流出

To the Personal Information Protection Commission

We report the matters set out in Article 8 of the Enforcement Rules of the Act on the Protection of Personal Information as follows.

1. Overview
We discovered this on Tue 1 Dec 2026, 00:30 JST.
架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認された。

2. Items of personal data that leaked or may have leaked
name, e-mail address, sensitive data (e.g. medical history), ニックネーム
(including sensitive data)

3. Number of people
Up to about 12,000 households (of which 1 household is confirmed to have leaked)
Note: these figures count households; the number of people is under investigation.

4. Cause
Under investigation.

5. Whether there is secondary damage or a risk of it, and what
Under investigation.

6. What has been done for the people affected
What we ask of them: パスワードを変更してください。
Where they can ask: テストクラブ窓口 0120-000-000（平日10時〜17時）

7. Publication
Whether and when to publish is being decided.

8. Measures to prevent a recurrence
不正アクセス元を遮断し、外部の専門機関による調査を開始した。

9. Other useful facts
We are still investigating whether credit-card or bank-account data were involved, and will tell you as soon as we know.
Affected services: 架空の会員サービス「テストクラブ」
Done with intent: yes (attack, insider theft, …)
Reasons for a mandatory report: Sensitive data (applies); Risk of financial loss (card or bank data) (may apply (not known yet)); Wrongful purpose (applies); More than 1,000 people (applies)
"""


@pytest.mark.parametrize(("doc", "lang", "public_version", "expected"), [
    ("notice", "ja", 3, NOTICE_JA), ("notice", "en", None, NOTICE_EN),
    ("ppc", "ja", 3, PPC_JA), ("ppc", "en", None, PPC_EN),
])
def test_golden(doc: str, lang: str, public_version: int | None, expected: str) -> None:
    assert render(ANSWERS, lang=lang, doc=doc, public_version=public_version) == expected


@pytest.mark.parametrize("doc", ["notice", "ppc"])
def test_every_card_bank_answer_has_its_own_sentence_in_every_document(doc: str) -> None:
    from bot.drafting import CARD_BANK_SENTENCES

    for lang in ("ja", "en"):
        for answer, sentence in CARD_BANK_SENTENCES[lang].items():
            text = render(ANSWERS | {"card_bank": answer}, lang=lang, doc=doc)
            assert sentence in text
            assert [other for other in CARD_BANK_SENTENCES[lang].values() if other != sentence and other in text] == []


def test_people_need_no_caveat_and_an_answered_cause_replaces_under_investigation() -> None:
    text = render(ANSWERS | {"count_unit": "人", "cause": "設定の誤り（架空）"}, lang="ja", doc="ppc")
    assert "本人の数は調査中" not in text and "最大約1万2,000人" in text
    assert "4. 原因\n設定の誤り（架空）" in text
