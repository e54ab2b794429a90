"""Golden texts of the four documents (public, notice, ppc, faq) in both languages, for three invented cases.

Each golden file holds a document as rendered, with its line marks made visible: `[T]` the title, `[H]`
a heading, `[R]` a right-aligned line. Any change of wording shows here, to be read and accepted:
`LEAKBOT_UPDATE_GOLDEN=1 pytest tests/test_documents_golden.py` rewrites the files, then read the diff.

The cases (every name, service and number is invented):
- `benesse`: a large leak typed with 約 and 万, card and bank data confirmed absent, every item answered,
  a second version with a dated timeline, the preliminary report filed (so the PPC report is the 確報);
- `households`: counted in households, one confirmed, card data under investigation, intent confirmed,
  sensitive data, nothing optional answered (everything unknown says 調査中), no issuer or date;
- `card`: card data confirmed with their fields, counts typed in digits and equal, services still being
  worked out, a fire drill;
- `unknown` (issue 20): a title typed with 【重要】 and お知らせとお詫び, both counts (in people) under
  investigation, card numbers leaked with the other card fields under investigation, the preliminary report
  filed (so the 確報 lists the open items);
- `unknown-max`: a title ending in について, the maximum under investigation, 1,200 confirmed (rule 7(iv)
  applies on the confirmed count alone);
- `unknown-confirmed`: a title ending in に関するお知らせ, a maximum of 5,000 records, how many leaked unknown.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.documents import HEADING, RIGHT, TITLE
from bot.drafting import DOCS, DraftMeta, TimelineEntry, render

GOLDEN = Path(__file__).parent / "golden"
VISIBLE = {TITLE: "[T]", HEADING: "[H]", RIGHT: "[R]"}
JST_NOON = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 2026-11-27 12:00 in Tokyo

BENESSE: dict[str, Any] = {
    "title": "会員情報の漏えい",
    "discovered_at": "2026-11-26T01:05:00+00:00",
    "summary": "お客様からの「身に覚えのないダイレクトメールが届いた」とのお問い合わせを受けて社内調査を行ったところ、"
    "業務委託先の従業員が会員データベースから顧客情報を不正に持ち出していたことが判明しました。",
    "data_items": {"selected": ["name", "address", "phone", "birth_date", "gender", "family"], "other": "メール"},
    "max_count": {"value": 20_700_000, "approx": True, "text": "約2,070万件"},
    "confirmed_count": {"value": 7_600_000, "approx": True, "text": "約760万件"},
    "count_unit": "件",
    "services": "通信教育サービス「テストゼミ」、幼児向け教材「テストキッズ」",
    "card_bank": "none",
    "customer_actions": "当社を装った不審な電話やダイレクトメールにご注意ください。",
    "contact": "テストゼミ 個人情報お問い合わせ窓口\n電話：0120-000-000（受付時間 9:00〜21:00、土日祝日も受付）",
    "cause": "業務委託先の従業員が、私物のスマートフォンを業務用端末に接続し、顧客情報を複製して持ち出しました。",
    "malicious": "yes",
    "secondary_damage": "現時点で、本件に起因する金銭的な被害は確認されておりません。",
    "measures": "私物端末の接続を技術的に遮断し、データベースへのアクセス権限を全面的に見直しました。",
    "occurred_at": "2026年5月頃から11月25日まで（推定）",
    "notification": "11月30日より、対象のお客様へ書面にて順次お知らせいたします。",
    "publication": "11月27日12時、当社ウェブサイトに掲載。同日、記者会見を実施。",
    "authorities": "警視庁に被害を相談し、経済産業省に報告いたしました。",
    "ppc_report": "preliminary",
}
BENESSE_PRELIMINARY = {
    **BENESSE,
    "ppc_report": "not_yet",
    "measures": None,
    "publication": None,
    "max_count": {"value": 7_600_000, "approx": True, "text": "約760万件"},
}
BENESSE_META = DraftMeta(
    company="株式会社テストコーポレーション",
    version=2,
    dated=JST_NOON,
    previous={k: v for k, v in BENESSE_PRELIMINARY.items() if v is not None},
    previous_dated=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    timeline=(
        TimelineEntry(
            datetime(2026, 11, 26, 1, 5, tzinfo=UTC),
            "お客様窓口にお問い合わせが集中していることを確認",
            "U0ALICE",
        ),
        TimelineEntry(
            datetime(2026, 11, 25, 23, 0, tzinfo=UTC),
            "お客様から不審なダイレクトメールについての最初のお問い合わせ",
        ),
        TimelineEntry(datetime(2026, 11, 26, 6, 30, tzinfo=UTC), "委託先の従業員による持ち出しを特定"),
    ),
    public_version=1,
)

HOUSEHOLDS: dict[str, Any] = {
    "title": "会員情報の流出",
    "discovered_at": "2026-11-30T15:30:00+00:00",
    "summary": "架空の会員サイトで、外部から会員データベースへの不正なアクセスが確認されました。",
    "data_items": {"selected": ["name", "email", "sensitive"], "other": "ニックネーム"},
    "max_count": {"value": 12_000, "approx": True, "text": "約1万2000世帯"},
    "confirmed_count": {"value": 1, "approx": False, "text": "1"},
    "count_unit": "世帯",
    "services": "架空の会員サービス「テストクラブ」",
    "card_bank": "investigating",
    "customer_actions": "パスワードを変更してください。",
    "contact": "テストクラブ窓口 0120-000-000（平日10時〜17時）",
    "malicious": "yes",
}

CARD: dict[str, Any] = {
    "title": "オンラインストアの決済情報流出に関するお詫びとお知らせ",
    "discovered_at": "2026-11-20T06:00:00+00:00",
    "summary": "決済画面が改ざんされ、入力されたカード情報が外部に送信されていたことが判明しました。",
    "data_items": {"selected": ["name", "email"], "other": "電話、配送先住所"},
    "max_count": {"value": 302_569, "approx": False, "text": "302569"},
    "confirmed_count": {"value": 302_569, "approx": False, "text": "302,569"},
    "count_unit": "人",
    "services": "調査中",
    "card_bank": "yes",
    "card_bank_detail": {"selected": ["card_number", "card_expiry", "card_cvc", "card_holder"], "other": ""},
    "customer_actions": "1. カードのご利用明細をご確認ください。\n2. 不審なメールのリンクは開かないでください。",
    "contact": "テストストア 特設窓口 0120-000-000",
}

UNKNOWN: dict[str, Any] = {
    "title": "【重要】お客様情報の漏えいに関するお知らせとお詫び",
    "discovered_at": "2026-12-01T02:00:00+00:00",
    "summary": "架空の通販サイト「テストマート」の決済システムに、外部からの不正なアクセスが確認されました。",
    "data_items": {"selected": ["name", "address", "email"], "other": ""},
    "max_count": {"value": None, "approx": False, "text": "調査中", "unknown": True},
    "confirmed_count": {"value": None, "approx": False, "text": "調査中", "unknown": True},
    "count_unit": "人",
    "services": "通販サイト「テストマート」",
    "card_bank": "yes",
    "card_bank_detail": {"selected": ["card_number", "investigating"], "other": ""},
    "customer_actions": "カードのご利用明細に身に覚えのないご請求がないかご確認ください。",
    "contact": "テストマート 特設窓口 0120-000-000（受付時間 10:00〜18:00）",
    "malicious": "yes",
    "ppc_report": "preliminary",
}
UNKNOWN_MAX: dict[str, Any] = {
    **HOUSEHOLDS,
    "title": "会員情報の流出について",
    "data_items": {"selected": ["name", "email"], "other": ""},
    "max_count": {"value": None, "approx": False, "text": "不明", "unknown": True},
    "confirmed_count": {"value": 1_200, "approx": False, "text": "1,200"},
    "count_unit": "件",
    "card_bank": "none",
    "malicious": "unknown",
}
UNKNOWN_CONFIRMED: dict[str, Any] = {
    **UNKNOWN_MAX,
    "title": "顧客情報漏洩に関するお知らせ",
    "max_count": {"value": 5_000, "approx": False, "text": "5000"},
    "confirmed_count": {"value": None, "approx": False, "text": "調査中", "unknown": True},
}

CASES: dict[str, tuple[dict[str, Any], DraftMeta | None]] = {
    "benesse": (BENESSE, BENESSE_META),
    "benesse-preliminary": (
        {k: v for k, v in BENESSE_PRELIMINARY.items() if v is not None},
        DraftMeta(company="株式会社テストコーポレーション", dated=datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
    ),
    "households": (HOUSEHOLDS, None),
    "card": (CARD, DraftMeta(company="テストストア株式会社", dated=JST_NOON, exercise=True)),
    "unknown": (UNKNOWN, DraftMeta(company="テストマート株式会社", dated=JST_NOON)),
    "unknown-max": (UNKNOWN_MAX, None),
    "unknown-confirmed": (UNKNOWN_CONFIRMED, None),
}
RENDERS = [
    (case, doc, lang)
    for case in CASES
    for doc in DOCS
    for lang in ("ja", "en")
    if case != "benesse-preliminary" or doc == "ppc"
]


def visible(body: str) -> str:
    """The body with its line marks shown as [T], [H] and [R]."""
    for mark, shown in VISIBLE.items():
        body = body.replace(mark, shown)
    return body


@pytest.mark.parametrize(("case", "doc", "lang"), RENDERS, ids=["-".join(r) for r in RENDERS])
def test_golden(case: str, doc: str, lang: str) -> None:
    values, meta = CASES[case]
    body = visible(render(values, lang=lang, doc=doc, meta=meta))
    path = GOLDEN / f"{case}.{doc}.{lang}.txt"
    if os.environ.get("LEAKBOT_UPDATE_GOLDEN") == "1":
        path.write_text(body, encoding="utf-8")
    assert body == path.read_text(encoding="utf-8")


def test_every_golden_file_is_used() -> None:
    expected = {f"{case}.{doc}.{lang}.txt" for case, doc, lang in RENDERS}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected
