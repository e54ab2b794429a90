"""Unknown is a value (issue 20, 2 and 5): counts typed as 調査中, and card or bank fields still under investigation.

Domain only: the parser, the stored shape, the confirmed <= maximum rule, the documents' sentences, rule 7's
1,000-person trigger, the Benesse hold and the offline YAML. The Slack path is in test_unknown_counts_in_slack.py.
Every incident here is invented.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import legal
from bot.answers import ValidationFailed, count_is_unknown, display, parse_step
from bot.checklist import STEPS, missing_required
from bot.counts import CountError, format_count_ja, is_unknown, parse_count
from bot.documents import plain_text
from bot.drafting import DraftMeta, render
from bot.i18n import t
from bot.offline import OfflineError, load_answers
from bot.usecases.drafts import grows_published_max
from bot.wording import count_lines
from storage.records import Draft
from tests.test_offline import leakbot

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
COUNTS = next(step for step in STEPS if step.id == "counts")
UNKNOWN = {"value": None, "approx": False, "text": "調査中", "unknown": True}

VALUES: dict[str, Any] = {
    "title": "会員情報の流出について",
    "discovered_at": "2026-11-26T01:05:00+00:00",
    "summary": "架空の会員サイトで不正アクセスが確認されました。",
    "data_items": {"selected": ["name", "email"], "other": ""},
    "max_count": UNKNOWN,
    "confirmed_count": {**UNKNOWN, "text": "不明"},
    "services": "架空の会員サービス「テストクラブ」",
    "card_bank": "none",
    "customer_actions": "パスワードを変更してください。",
    "contact": "テストクラブ窓口 0120-000-000",
}


def counts(max_count: str, confirmed_count: str, lang: str = "ja") -> dict[str, Any]:
    return parse_step(COUNTS, {"max_count": max_count, "confirmed_count": confirmed_count}, lang=lang, now=NOW)


def known(value: int, text: str | None = None) -> dict[str, Any]:
    return {"value": value, "approx": False, "text": text or f"{value:,}"}


# --- the parser and the stored shape --------------------------------------------------------------------

UNKNOWN_TYPED = [
    "調査中",
    "不明",
    "現在調査中です。",
    "確認中",
    "　調査中　",
    "unknown",
    "Under investigation",
    "UNKNOWN",
]


@pytest.mark.parametrize("typed", UNKNOWN_TYPED)
def test_an_unknown_count_is_an_answer_with_no_number(typed: str) -> None:
    values = counts(typed, typed)
    for item_id in ("max_count", "confirmed_count"):
        assert values[item_id] == {"value": None, "approx": False, "text": typed.strip(), "unknown": True}
        assert count_is_unknown(values[item_id])
    assert "max_count" not in missing_required({**VALUES, **values})  # it counts as answered


@pytest.mark.parametrize("typed", ["調査中かも", "約調査中", "調査中1000", "不明件", "unknownish", "たくさん"])
def test_what_only_looks_unknown_is_still_refused_as_not_a_count(typed: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        counts(typed, "調査中")
    assert failed.value.errors == {"max_count": t("error.count.not_a_number", "ja")}
    assert "調査中" in t("error.count.not_a_number", "ja") and "under investigation" in t(
        "error.count.not_a_number", "en"
    )


@pytest.mark.parametrize(
    ("maximum", "confirmed"),
    [("調査中", "約760万件"), ("約2,070万件", "不明"), ("調査中", "0"), ("0", "調査中"), ("unknown", "unknown")],
)
def test_an_unknown_count_on_either_side_bounds_nothing(maximum: str, confirmed: str) -> None:
    values = counts(maximum, confirmed)
    assert count_is_unknown(values["max_count"]) or count_is_unknown(values["confirmed_count"])


def test_two_known_counts_still_keep_confirmed_within_the_maximum() -> None:
    with pytest.raises(ValidationFailed) as failed:
        counts("760万", "2,070万")
    assert failed.value.errors == {"confirmed_count": t("error.count.over_max", "ja")}


def test_the_checklist_shows_an_unknown_count_as_under_investigation() -> None:
    assert display("max_count", UNKNOWN, "ja") == "調査中"
    assert display("confirmed_count", UNKNOWN, "en") == "under investigation"
    assert display("max_count", known(20_700_000), "ja") == "2,070万"


@given(st.integers(min_value=0, max_value=10**13), st.booleans())
def test_a_count_is_never_taken_for_unknown(value: int, approx: bool) -> None:
    for text in (str(value), f"{value:,}", format_count_ja(value), ("約" if approx else "") + f"{value:,}件"):
        assert not is_unknown(text)
        assert parse_count(text).value == value


@given(
    st.sampled_from(["調査中", "不明", "確認中", "unknown", "under investigation"]),
    st.sampled_from(["", " ", "　", "\n"]),
    st.sampled_from(["", "。", "."]),
)
def test_unknown_is_unknown_however_spaced_and_is_never_a_count(word: str, space: str, stop: str) -> None:
    text = f"{space}{word}{stop}{space}"
    assert is_unknown(text)
    with pytest.raises(CountError):
        parse_count(text)


# --- the documents ------------------------------------------------------------------------------------------


def test_both_unknown_in_each_document() -> None:
    public = plain_text(render(VALUES, lang="ja"))
    assert "対象となる件数については、現在調査中です。判明次第お知らせいたします。" in public
    assert "漏えいしたおそれがあること" in public and "0件" not in public and "None" not in public
    ppc = plain_text(render(VALUES, lang="ja", doc="ppc"))
    section = ppc.split("本人の数\n", 1)[1].split("\n")[0]
    assert section == "調査中である。"
    assert "規則第7条第4号（本人の数が1,000人を超える個人データの漏えい等）：該当するおそれ" in ppc
    en = plain_text(render(VALUES, lang="en"))
    assert "The number of records affected is under investigation; we will report it as soon as we know." in en
    assert "Rule 7(iv) (more than 1,000 people): may apply" in plain_text(render(VALUES, lang="en", doc="ppc"))
    people = plain_text(render({**VALUES, "count_unit": "人"}, lang="ja"))
    assert "対象となる人数については、現在調査中です。" in people


@pytest.mark.parametrize(
    ("maximum", "confirmed", "unit", "lang", "plain", "lines"),
    [
        (
            UNKNOWN,
            UNKNOWN,
            "件",
            "ja",
            False,
            ["対象となる件数については、現在調査中です。判明次第お知らせいたします。"],
        ),
        (UNKNOWN, UNKNOWN, "件", "ja", True, ["調査中である。"]),
        (
            UNKNOWN,
            {"value": 7_600_000, "approx": True, "text": "約760万"},
            "件",
            "ja",
            False,
            [
                "対象となる件数については、現在調査中です。判明次第お知らせいたします。",
                "なお、現時点で漏えいを確認したものは約760万件です。",
            ],
        ),
        (UNKNOWN, known(1_200), "人", "ja", True, ["調査中である（うち漏えいを確認したもの1,200人）。"]),
        (
            UNKNOWN,
            known(0),
            "世帯",
            "ja",
            False,
            [
                "対象となる世帯数については、現在調査中です。判明次第お知らせいたします。",
                "現時点で、実際に外部へ流出したことは確認されておりません。",
            ],
        ),
        (
            known(5_000),
            UNKNOWN,
            "件",
            "ja",
            False,
            ["最大5,000件", "このうち実際に漏えいしたものの数については、現在調査中です。判明次第お知らせいたします。"],
        ),
        (known(5_000), UNKNOWN, "件", "ja", True, ["最大5,000件。うち漏えいを確認したものの数は調査中である。"]),
        (
            UNKNOWN,
            UNKNOWN,
            "人",
            "en",
            False,
            ["The number of customers affected is under investigation; we will report it as soon as we know."],
        ),
        (UNKNOWN, UNKNOWN, "人", "en", True, ["The number of people affected is under investigation."]),
        (
            UNKNOWN,
            known(1_200),
            "件",
            "en",
            False,
            [
                "The number of records affected is under investigation; we will report it as soon as we know.",
                "So far we have confirmed that 1,200 records have leaked.",
            ],
        ),
        (
            known(5_000),
            UNKNOWN,
            "人",
            "en",
            False,
            [
                "Data of up to 5,000 customers may be affected.",
                "How many have actually leaked is under investigation; we will report it as soon as we know.",
            ],
        ),
    ],
)
def test_count_lines_with_an_unknown(
    maximum: dict[str, Any], confirmed: dict[str, Any], unit: str, lang: str, plain: bool, lines: list[str]
) -> None:
    assert count_lines(maximum, confirmed, unit, lang, plain=plain) == lines


@given(
    st.one_of(st.just(UNKNOWN), st.integers(0, 10**9).map(known)),
    st.one_of(st.just(UNKNOWN), st.integers(0, 10**9).map(known)),
    st.sampled_from(["件", "人", "世帯"]),
    st.sampled_from(["ja", "en"]),
    st.booleans(),
)
def test_count_wording_says_every_unknown_and_never_a_number_for_it(
    maximum: dict[str, Any], confirmed: dict[str, Any], unit: str, lang: str, plain: bool
) -> None:
    if not count_is_unknown(maximum) and not count_is_unknown(confirmed) and confirmed["value"] > maximum["value"]:
        return  # refused at the modal (test_two_known_counts_still_keep_confirmed_within_the_maximum)
    text = " ".join(count_lines(maximum, confirmed, unit, lang, plain=plain))
    unknown_said = "調査中" if lang == "ja" else "under investigation"
    assert (unknown_said in text) is (count_is_unknown(maximum) or count_is_unknown(confirmed))
    assert "None" not in text


def test_rule_7_over_1000_with_an_unknown_maximum() -> None:
    def finding(confirmed: dict[str, Any]) -> legal.TriggerFinding:
        findings = legal.assess({**VALUES, "confirmed_count": confirmed}).findings
        return next(f for f in findings if f.trigger is legal.Trigger.OVER_1000)

    assert finding(UNKNOWN).status is legal.Status.MAY_APPLY
    assert "最大件数が調査中" in finding(UNKNOWN).reason_ja
    assert finding(known(900)).status is legal.Status.MAY_APPLY  # the maximum may still cross the line
    crossed = finding(known(1_200))  # the confirmed count alone crosses it
    assert crossed.status is legal.Status.APPLIES and crossed.reason_ja.startswith("確認済みのものだけで1,200件で")
    assert crossed.reason_en.startswith("Confirmed alone 1,200 records: more than 1,000.")


def test_the_final_report_lists_an_unknown_count_among_the_open_items() -> None:
    final = plain_text(render({**VALUES, "count_unit": "人", "ppc_report": "preliminary"}, lang="ja", doc="ppc"))
    still = final.split("確報の時点でなお調査中の事項", 1)[1]
    assert "・本人の数" in still


def test_a_number_after_under_investigation_is_not_a_growing_maximum() -> None:
    def posted(n: int, maximum: dict[str, Any]) -> Draft:
        return Draft(
            id=n, incident_id=1, doc="public", version=n, body="", at=NOW, user_id=None, values={"max_count": maximum}
        )

    assert not grows_published_max({"max_count": known(20_700_000)}, [posted(1, UNKNOWN)])
    assert not grows_published_max({"max_count": UNKNOWN}, [posted(1, known(100))])
    assert grows_published_max({"max_count": known(200)}, [posted(1, UNKNOWN), posted(2, known(100))])


# --- card and bank fields still under investigation (issue 20, 5) -------------------------------------------

CARD = {
    **VALUES,
    "max_count": known(302_569),
    "confirmed_count": known(302_569),
    "card_bank": "yes",
    "card_bank_detail": {"selected": ["card_number", "investigating"], "other": ""},
}


def test_a_field_under_investigation_is_said_not_dropped() -> None:
    public = plain_text(render(CARD, lang="ja"))
    assert (
        "漏えいした情報には、クレジットカード情報（カード番号）が含まれております。"
        "有効期限その他の項目が含まれるかについては、現在調査中です。"
    ) in public
    ppc = plain_text(render(CARD, lang="ja", doc="ppc"))
    assert "有効期限その他の項目が含まれるかは調査中である。" in ppc
    en = plain_text(render(CARD, lang="en"))
    assert "Whether the expiry date or other fields are also involved is under investigation." in en
    bank = {**CARD, "card_bank": "possible", "card_bank_detail": {"selected": ["bank_account", "investigating"]}}
    assert "口座情報（口座番号）が含まれている可能性があります。金融機関名その他の項目が含まれるかについては" in (
        plain_text(render(bank, lang="ja"))
    )
    without = {**CARD, "card_bank_detail": {"selected": ["card_number"], "other": ""}}
    assert "その他の項目が含まれるか" not in plain_text(render(without, lang="ja"))


def test_the_final_report_lists_the_fields_under_investigation() -> None:
    final = plain_text(render({**CARD, "ppc_report": "preliminary"}, lang="ja", doc="ppc"))
    assert "・クレジットカード情報及び金融機関の口座情報のうち含まれる項目" in final.split("確報の時点で", 1)[1]
    final_en = plain_text(render({**CARD, "ppc_report": "preliminary"}, lang="en", doc="ppc"))
    assert "• which card and bank-account fields are involved" in final_en.split("Still under investigation", 1)[1]
    settled = {**CARD, "ppc_report": "preliminary", "card_bank_detail": {"selected": ["card_number"], "other": ""}}
    assert "含まれる項目" not in plain_text(render(settled, lang="ja", doc="ppc")).split("確報の時点で", 1)[1]


# --- offline YAML ------------------------------------------------------------------------------------------------


def test_leakbot_draft_yaml_takes_under_investigation(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "title: 会員情報の流出について\n"
        "discovered_at: 2026-11-26 10:05\n"
        "summary: 架空の会員サイトで不正アクセスが確認されました。\n"
        "data_items: [氏名, メールアドレス]\n"
        "max_count: 調査中\n"
        "confirmed_count: unknown\n"
        "services: 架空の会員サービス「テストクラブ」\n"
        "card_bank: none\n"
        "customer_actions: パスワードを変更してください。\n"
        "contact: テストクラブ窓口 0120-000-000\n",
        encoding="utf-8",
    )
    values = load_answers(path)
    assert values["max_count"] == UNKNOWN and values["confirmed_count"] == {**UNKNOWN, "text": "unknown"}
    assert "現在調査中です" in plain_text(render(values, lang="ja", meta=DraftMeta()))
    for lang in ("ja", "en"):  # and `leakbot draft` as a process prints the same
        printed = leakbot(tmp_path, "draft", str(path), "--lang", lang, "--doc", "ppc")
        assert printed.returncode == 0, printed.stderr
        assert printed.stdout == plain_text(render(values, lang=lang, doc="ppc"))


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ({"value": None, "unknown": True, "text": "調査中"}, None),
        ({"value": None, "unknown": True}, None),
        ({"value": 5, "unknown": True, "text": "5"}, "no value"),
        ({"value": None, "unknown": True, "text": "5"}, "is a count"),
        ({"value": None, "unknown": "yes", "text": "調査中"}, "no value"),
    ],
)
def test_a_stored_unknown_count_in_an_export(tmp_path: Path, stored: dict[str, Any], words: str | None) -> None:
    import yaml

    path = tmp_path / "export.yaml"
    answers = {**VALUES, "discovered_at": "2026-11-26T01:05:00+00:00", "max_count": stored}
    answers.pop("confirmed_count")
    path.write_text(yaml.safe_dump({"answers": answers}, allow_unicode=True), encoding="utf-8")
    if words is None:
        assert load_answers(path)["max_count"] == UNKNOWN
    else:
        with pytest.raises(OfflineError, match=words):
            load_answers(path)
