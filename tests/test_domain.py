"""The plain-Python domain: parsing modal state, the checklist rules, channel names, mrkdwn, messages
and the Block Kit builders, each tested without Slack.

Everything here is invented (people, services, numbers such as 0120-000-000).
"""

from __future__ import annotations

import re
import signal
import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import channels
from bot.answers import OTHER_SUFFIX, Answer, ValidationFailed, display, format_datetime
from bot.answers import parse_step as parse_values
from bot.checklist import (
    CHECKLIST_ITEMS,
    CHECKLIST_STEPS,
    INCIDENT_STEP,
    ITEMS,
    REQUIRED,
    STEP_BY_ID,
    STEPS,
    Kind,
    Progress,
    missing_required,
    next_step,
    open_items,
    open_steps,
    progress,
    step_of,
)
from bot.i18n import MESSAGES, t
from bot.ui.modals import new_incident_modal, step_modal
from bot.ui.mrkdwn import SECTION_LIMIT, chunks, escape, escaped_chunks, shorten
from bot.ui.posts import MAX_BLOCKS, checklist_blocks, draft_messages
from handlers.forms import raw_values

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 2026-11-26 10:00 JST
LANGS = ("ja", "en")


def parse_step(step: Any, state: dict[str, Any], *, lang: str, now: datetime) -> dict[str, Any]:
    """What a submitted modal gives: the Slack side flattens view.state.values, the domain parses them."""
    return parse_values(step, raw_values(state), lang=lang, now=now)


def test_the_domain_parses_plain_values_without_block_kit() -> None:
    values = parse_values(
        STEP_BY_ID["counts"],
        {"max_count": "約2,070万件", "confirmed_count": "7600000", "count_unit": None},
        lang="ja",
        now=NOW,
    )
    assert values["max_count"] == {"value": 20_700_000, "approx": True, "text": "約2,070万件"}
    assert values["confirmed_count"]["value"] == 7_600_000 and values["count_unit"] == "件"
    with pytest.raises(ValidationFailed) as failed:
        parse_values(STEP_BY_ID["counts"], {"max_count": "100", "confirmed_count": "200"}, lang="ja", now=NOW)
    assert set(failed.value.errors) == {"confirmed_count"}


# --- Slack's view.state.values, built by hand ------------------------------------------------------


def plain_text_input(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def _option(item_id: str, value: str) -> dict[str, Any]:
    choice = ITEMS[item_id].choice(value)
    label = choice.ja if choice else value
    return {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": value}


def checkboxes(item_id: str, *values: str) -> dict[str, Any]:
    return {"value": {"type": "checkboxes", "selected_options": [_option(item_id, v) for v in values]}}


def radio_buttons(item_id: str, value: str | None) -> dict[str, Any]:
    return {"value": {"type": "radio_buttons", "selected_option": _option(item_id, value) if value else None}}


def datetimepicker(when: datetime | int | None) -> dict[str, Any]:
    stamp = int(when.timestamp()) if isinstance(when, datetime) else when
    return {"value": {"type": "datetimepicker", "selected_date_time": stamp}}


def multi_users_select(*users: str) -> dict[str, Any]:
    return {"value": {"type": "multi_users_select", "selected_users": list(users)}}


def errors_of(step_id: str, state: dict[str, Any], lang: str = "ja") -> dict[str, str]:
    with pytest.raises(ValidationFailed) as raised:
        parse_step(STEP_BY_ID[step_id], state, lang=lang, now=NOW)
    return raised.value.errors


# --- parse_step: the new-incident modal ------------------------------------------------------------


def test_parse_incident_step_every_element_type() -> None:
    state = {
        "title": plain_text_input("  顧客DBの流出疑い  "),
        "discovered_at": datetimepicker(datetime(2026, 11, 26, 0, 30, tzinfo=UTC)),
        "summary": plain_text_input("架空のサービス「サンプル会員」のDBに不審なアクセスがありました。\n調査中です。"),
        "responders": multi_users_select("U0ALICE", "U0BOB", "U0ALICE", "W0CAROL"),
    }
    assert parse_step(INCIDENT_STEP, state, lang="ja", now=NOW) == {
        "title": "顧客DBの流出疑い",
        "discovered_at": "2026-11-26T00:30:00+00:00",
        "summary": "架空のサービス「サンプル会員」のDBに不審なアクセスがありました。\n調査中です。",
        "responders": ["U0ALICE", "U0BOB", "W0CAROL"],  # duplicates dropped, order kept
        "exercise": None,  # not a drill unless ticked
    }


def test_the_drill_checkbox_ticked_is_a_drill() -> None:
    state = {
        "title": plain_text_input("t"),
        "discovered_at": datetimepicker(NOW),
        "summary": plain_text_input("s"),
        "exercise": {"value": {"type": "checkboxes", "selected_options": [{"value": "drill"}]}},
    }
    assert parse_step(INCIDENT_STEP, state, lang="ja", now=NOW)["exercise"] is True
    state["exercise"] = {"value": {"type": "checkboxes", "selected_options": []}}
    assert parse_step(INCIDENT_STEP, state, lang="ja", now=NOW)["exercise"] is None


def test_parse_incident_step_optional_responders_may_be_empty_or_absent() -> None:
    state = {"title": plain_text_input("t"), "discovered_at": datetimepicker(NOW), "summary": plain_text_input("s")}
    assert parse_step(INCIDENT_STEP, state, lang="en", now=NOW)["responders"] is None
    state["responders"] = multi_users_select()
    assert parse_step(INCIDENT_STEP, state, lang="en", now=NOW)["responders"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_parse_incident_step_reports_every_missing_required_input_at_once(lang: str) -> None:
    state = {
        "title": plain_text_input("   "),
        "discovered_at": datetimepicker(None),
        "summary": plain_text_input(None),
        "responders": multi_users_select(),
    }
    assert errors_of("incident", state, lang) == dict.fromkeys(
        ["title", "discovered_at", "summary"], t("error.required", lang)
    )


def test_parse_discovery_time_in_the_future_is_refused_with_a_little_slack() -> None:
    base = {"title": plain_text_input("t"), "summary": plain_text_input("s")}
    ok = parse_step(
        INCIDENT_STEP, {**base, "discovered_at": datetimepicker(NOW + timedelta(minutes=9))}, lang="ja", now=NOW
    )
    assert ok["discovered_at"] == "2026-11-26T01:09:00+00:00"
    errors = errors_of("incident", {**base, "discovered_at": datetimepicker(NOW + timedelta(hours=1))})
    assert errors == {"discovered_at": t("error.future", "ja")}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (1_764_120_600, "2025-11-26T01:30:00+00:00"),
        ("1764120600", "2025-11-26T01:30:00+00:00"),
        ("2026-11-26T10:00", "2026-11-26T01:00:00+00:00"),  # no zone: Tokyo time
        ("2026/11/26 09:00+09:00", "2026-11-26T00:00:00+00:00"),
    ],
)
def test_parse_discovery_time_forms(raw: Any, stored: str) -> None:
    state = {"title": plain_text_input("t"), "summary": plain_text_input("s"), "discovered_at": datetimepicker(raw)}
    assert parse_step(INCIDENT_STEP, state, lang="ja", now=NOW)["discovered_at"] == stored


def test_parse_discovery_time_that_is_not_a_time() -> None:
    state = {
        "title": plain_text_input("t"),
        "summary": plain_text_input("s"),
        "discovered_at": datetimepicker("昨日の夜"),
    }
    assert errors_of("incident", state, "en") == {"discovered_at": t("error.datetime", "en")}


def test_parse_users_that_are_not_user_ids() -> None:
    state = {
        "title": plain_text_input("t"),
        "summary": plain_text_input("s"),
        "discovered_at": datetimepicker(NOW),
        "responders": multi_users_select("U0ALICE", "<!channel>"),
    }
    assert errors_of("incident", state) == {"responders": t("error.users", "ja")}


def test_parse_an_element_type_the_bot_does_not_know_gives_no_answer() -> None:
    state = {
        "title": {"value": {"type": "rich_text_input", "rich_text_value": {"type": "rich_text"}}},
        "summary": plain_text_input("s"),
        "discovered_at": datetimepicker(NOW),
    }
    assert errors_of("incident", state) == {"title": t("error.required", "ja")}


def test_parse_title_too_long() -> None:
    state = {
        "title": plain_text_input("題" * 151),
        "summary": plain_text_input("s"),
        "discovered_at": datetimepicker(NOW),
    }
    assert errors_of("incident", state, "en") == {"title": t("error.too_long", "en", limit=150, length=151)}


# --- parse_step: checkboxes and the "other" field ---------------------------------------------------


def test_parse_data_items_checkboxes_with_other_text() -> None:
    state = {
        "data_items": checkboxes("data_items", "email", "name", "phone"),
        "data_items_other": plain_text_input("  学校名  "),
    }
    assert parse_step(STEP_BY_ID["data_items"], state, lang="ja", now=NOW) == {
        "data_items": {"selected": ["name", "phone", "email"], "other": "学校名"},  # checklist order
    }


def test_parse_data_items_only_other_is_an_answer() -> None:
    state = {"data_items": checkboxes("data_items"), "data_items_other": plain_text_input("会員番号")}
    assert parse_step(STEP_BY_ID["data_items"], state, lang="ja", now=NOW) == {
        "data_items": {"selected": [], "other": "会員番号"}
    }


def test_parse_data_items_without_the_other_block() -> None:
    state = {"data_items": checkboxes("data_items", "gender")}
    assert parse_step(STEP_BY_ID["data_items"], state, lang="ja", now=NOW) == {
        "data_items": {"selected": ["gender"], "other": ""}
    }


@pytest.mark.parametrize("lang", LANGS)
def test_parse_data_items_nothing_chosen_is_an_error_on_the_checkboxes(lang: str) -> None:
    state = {"data_items": checkboxes("data_items"), "data_items_other": plain_text_input("   ")}
    assert errors_of("data_items", state, lang) == {"data_items": t("error.required", lang)}


def test_parse_data_items_other_too_long_is_an_error_on_the_other_block() -> None:
    state = {"data_items": checkboxes("data_items", "name"), "data_items_other": plain_text_input("x" * 3001)}
    assert errors_of("data_items", state) == {
        "data_items" + OTHER_SUFFIX: t("error.too_long", "ja", limit=3000, length=3001)
    }


def test_parse_data_items_unknown_option() -> None:
    state = {"data_items": checkboxes("data_items", "name", "blood_type")}
    assert errors_of("data_items", state) == {"data_items": t("error.choice", "ja")}


# --- parse_step: counts, radio buttons, optional text ------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "confirmed", "expected_max", "expected_confirmed"),
    [
        ("約2,070万件", "約760万件", (20_700_000, True), (7_600_000, True)),
        ("２０７０万", "7,600,000", (20_700_000, False), (7_600_000, False)),
        ("20700000", "760万", (20_700_000, False), (7_600_000, False)),
        ("100", "100", (100, False), (100, False)),
    ],
)
def test_parse_counts(maximum: str, confirmed: str, expected_max: tuple, expected_confirmed: tuple) -> None:
    state = {
        "max_count": plain_text_input(maximum),
        "confirmed_count": plain_text_input(confirmed),
        "count_unit": radio_buttons("count_unit", "人"),
    }
    values = parse_step(STEP_BY_ID["counts"], state, lang="ja", now=NOW)
    assert values == {
        "max_count": {"value": expected_max[0], "approx": expected_max[1], "text": maximum},
        "confirmed_count": {"value": expected_confirmed[0], "approx": expected_confirmed[1], "text": confirmed},
        "count_unit": "人",
    }


def test_parse_count_unit_left_empty_takes_its_default() -> None:
    state = {
        "max_count": plain_text_input("10"),
        "confirmed_count": plain_text_input("5"),
        "count_unit": radio_buttons("count_unit", None),
    }
    assert parse_step(STEP_BY_ID["counts"], state, lang="ja", now=NOW)["count_unit"] == "件"


@pytest.mark.parametrize("lang", LANGS)
def test_parse_confirmed_over_maximum_is_refused_on_the_confirmed_count(lang: str) -> None:
    state = {"max_count": plain_text_input("760万"), "confirmed_count": plain_text_input("2070万")}
    assert errors_of("counts", state, lang) == {"confirmed_count": t("error.count.over_max", lang)}


def test_parse_counts_that_are_not_counts() -> None:
    state = {
        "max_count": plain_text_input("たくさん"),
        "confirmed_count": plain_text_input("-5"),
        "count_unit": radio_buttons("count_unit", "件"),
    }
    assert errors_of("counts", state, "en") == {
        "max_count": t("error.count.not_a_number", "en"),
        "confirmed_count": t("error.count.negative", "en"),
    }


def test_parse_counts_missing_are_required() -> None:
    state = {"max_count": plain_text_input(None), "confirmed_count": plain_text_input("")}
    assert errors_of("counts", state) == dict.fromkeys(["max_count", "confirmed_count"], t("error.required", "ja"))


@pytest.mark.parametrize("value", ["none", "possible", "yes", "investigating"])
def test_parse_card_bank_radio_buttons(value: str) -> None:
    state = {"card_bank": radio_buttons("card_bank", value)}
    assert parse_step(STEP_BY_ID["card_bank"], state, lang="ja", now=NOW) == {"card_bank": value}


def test_parse_card_bank_nothing_chosen_or_unknown() -> None:
    assert errors_of("card_bank", {"card_bank": radio_buttons("card_bank", None)}) == {
        "card_bank": t("error.required", "ja")
    }
    assert errors_of("card_bank", {"card_bank": radio_buttons("card_bank", "maybe")}) == {
        "card_bank": t("error.choice", "ja")
    }


@pytest.mark.parametrize("step_id", ["malicious", "ppc_report"])
def test_parse_optional_radio_buttons_may_stay_empty(step_id: str) -> None:
    assert parse_step(STEP_BY_ID[step_id], {step_id: radio_buttons(step_id, None)}, lang="ja", now=NOW) == {
        step_id: None
    }


@pytest.mark.parametrize("step_id", ["cause", "secondary_damage", "measures"])
@pytest.mark.parametrize("raw", [None, "", "  \n "])
def test_parse_optional_text_left_empty_is_no_answer(step_id: str, raw: str | None) -> None:
    assert parse_step(STEP_BY_ID[step_id], {step_id: plain_text_input(raw)}, lang="ja", now=NOW) == {step_id: None}


@pytest.mark.parametrize("step_id", ["services", "customer_actions", "contact"])
def test_parse_required_multiline_text(step_id: str) -> None:
    text = "サンプル窓口\n電話：0120-000-000\n受付 9:00〜18:00"
    assert parse_step(STEP_BY_ID[step_id], {step_id: plain_text_input(text)}, lang="ja", now=NOW) == {step_id: text}
    assert errors_of(step_id, {step_id: plain_text_input("")}) == {step_id: t("error.required", "ja")}
    assert errors_of(step_id, {}) == {step_id: t("error.required", "ja")}


def test_parse_ignores_blocks_of_other_steps() -> None:
    state = {"cause": plain_text_input("設定ミス"), "title": plain_text_input("別の件名")}
    assert parse_step(STEP_BY_ID["cause"], state, lang="ja", now=NOW) == {"cause": "設定ミス"}


# --- display ----------------------------------------------------------------------------------------

DISPLAY_CASES = [
    ("exercise", True, "これは訓練です（実際の事案ではありません）", "This is a drill (not a real incident)"),
    ("title", "顧客DBの流出疑い", "顧客DBの流出疑い", "顧客DBの流出疑い"),
    ("summary", "一行目\n二行目 & <b>", "一行目\n二行目 & <b>", "一行目\n二行目 & <b>"),
    ("max_count", {"value": 20_700_000, "approx": True, "text": "約2070万"}, "約2,070万", "approximately 20.7 million"),
    ("confirmed_count", {"value": 7_600_000, "approx": False, "text": "7600000"}, "760万", "7,600,000"),
    ("confirmed_count", {"value": 440_027, "approx": False, "text": "44万27"}, "440,027", "440,027"),
    ("max_count", {"value": 7_600_000, "approx": False}, "760万", "7,600,000"),  # stored before the text was kept
    (
        "card_bank_detail",
        {"selected": ["card_number", "bank_account"], "other": "暗証番号"},
        "カード番号、口座番号、暗証番号",
        "card number, account number, 暗証番号",
    ),
    ("card_bank", "none", "含まれていない（確認済み）", "not involved (confirmed)"),
    ("count_unit", "世帯", "世帯", "households"),
    ("malicious", "unknown", "不明", "unknown"),
    ("ppc_report", "preliminary", "速報を提出済み", "preliminary report filed"),
    ("ppc_report", "withdrawn", "withdrawn", "withdrawn"),  # an unknown stored value is shown as it is
    (
        "data_items",
        {"selected": ["name", "email"], "other": "学校名"},
        "氏名、メールアドレス、学校名",
        "name, e-mail address, 学校名",
    ),
    ("data_items", {"selected": ["birth_date"], "other": ""}, "生年月日", "date of birth"),
    ("discovered_at", "2026-11-30T15:30:00+00:00", "2026年12月1日（火）00:30", "Tue 1 Dec 2026, 00:30 JST"),
    ("responders", ["U0ALICE", "U0BOB"], "<@U0ALICE>, <@U0BOB>", "<@U0ALICE>, <@U0BOB>"),
]


@pytest.mark.parametrize(("item_id", "value", "ja", "en"), DISPLAY_CASES)
def test_display_each_kind(item_id: str, value: Any, ja: str, en: str) -> None:
    assert display(item_id, value, "ja") == ja
    assert display(item_id, value, "en") == en


def test_display_covers_every_kind_and_no_answer_is_empty() -> None:
    assert {ITEMS[case[0]].kind for case in DISPLAY_CASES} == set(Kind)
    for item_id in ITEMS:
        assert display(item_id, None, "ja") == display(item_id, None, "en") == ""


def test_format_datetime_across_a_month_end() -> None:
    when = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert format_datetime(when, "ja") == "2026年12月1日（火）00:30"
    assert format_datetime(when, "en") == "Tue 1 Dec 2026, 00:30 JST"


# --- the checklist -------------------------------------------------------------------------------------

VALUES: dict[str, Any] = {
    "title": "会員DBの流出疑い",
    "discovered_at": "2026-11-26T00:30:00+00:00",
    "summary": "架空のサービスで不審なアクセス。",
    "responders": ["U0BOB"],
    "exercise": True,
    "data_items": {"selected": ["name", "email"], "other": ""},
    "max_count": {"value": 20_700_000, "approx": True, "text": "約2,070万件"},
    "confirmed_count": {"value": 7_600_000, "approx": True, "text": "約760万件"},
    "count_unit": "件",
    "services": "サンプルショップ",
    "card_bank": "possible",
    "card_bank_detail": {"selected": ["card_number", "card_expiry"], "other": ""},
    "customer_actions": "不審なメールにご注意ください。",
    "contact": "サンプル窓口 0120-000-000",
    "cause": "設定ミス",
    "malicious": "no",
    "secondary_damage": "確認されていません。",
    "measures": "パスワードをリセットしました。",
    "occurred_at": "2026年11月20日〜25日（推定）",
    "notification": "11月29日より書面にて順次通知",
    "publication": "11月29日10時 当社ウェブサイトに掲載",
    "authorities": "警視庁に相談済み",
    "ppc_report": "not_yet",
}
OPTIONAL_CHECKLIST = (
    "card_bank_detail",
    "count_unit",
    "cause",
    "malicious",
    "secondary_damage",
    "measures",
    "occurred_at",
    "notification",
    "publication",
    "authorities",
    "ppc_report",
)


def test_items_and_steps_are_those_of_the_contract() -> None:
    assert set(ITEMS) == set(VALUES)
    assert [i.id for i in CHECKLIST_ITEMS] == [i for i in VALUES if i not in ("responders", "exercise")]
    assert {i.id for i in CHECKLIST_ITEMS if not i.required} == set(OPTIONAL_CHECKLIST)
    assert set(INCIDENT_STEP.items) == {"title", "discovered_at", "summary", "responders", "exercise"}
    assert set(STEP_BY_ID["counts"].items) == {"max_count", "confirmed_count", "count_unit"}
    # every item is asked in exactly one step
    asked = [item_id for step in STEPS for item_id in step.items]
    assert sorted(asked) == sorted(ITEMS)
    for item_id in ITEMS:
        assert item_id in step_of(item_id).items
    assert STEPS[1:] == CHECKLIST_STEPS


def test_progress_nothing_answered() -> None:
    # count_unit has a default, which stands as its answer
    # card_bank_detail is not counted until card_bank says card or bank data are (or may be) involved
    assert progress({}) == Progress(0, 10, 1, 10)
    assert not progress({}).complete


def test_progress_counts_required_and_optional_apart() -> None:
    some = {k: VALUES[k] for k in ("title", "discovered_at", "summary", "responders", "cause", "malicious")}
    assert progress(some) == Progress(3, 10, 3, 10)
    required = {k: VALUES[k] for k in REQUIRED}
    assert progress(required) == Progress(10, 10, 1, 11)  # card_bank is "possible": its detail is asked
    assert progress(required).complete
    assert progress(VALUES) == Progress(10, 10, 11, 11)
    assert progress({**VALUES, "card_bank": "none"}) == Progress(10, 10, 10, 10)  # a stale detail is not counted


def test_missing_required_in_checklist_order() -> None:
    assert missing_required({}) == list(REQUIRED)
    assert missing_required(VALUES) == []
    partial = {k: v for k, v in VALUES.items() if k not in ("contact", "max_count", "title")}
    assert missing_required(partial) == ["title", "max_count", "contact"]


def test_next_step_asks_required_steps_in_order_then_optional_ones() -> None:
    answers: dict[str, Any] = {}
    asked = []
    while (step := next_step(answers)) is not None:
        asked.append(step.id)
        answers.update({item_id: VALUES[item_id] for item_id in step.items})
    assert asked == [
        "incident",
        "data_items",
        "counts",
        "services",
        "card_bank",
        "card_bank_detail",
        "customer_actions",
        "contact",
        "cause",
        "malicious",
        "secondary_damage",
        "measures",
        "occurred_at",
        "notification",
        "publication",
        "authorities",
        "ppc_report",
    ]


def test_next_step_is_required_first_even_when_optional_ones_are_answered() -> None:
    answers = {k: VALUES[k] for k in (*INCIDENT_STEP.items, *OPTIONAL_CHECKLIST)}
    assert next_step(answers) is STEP_BY_ID["data_items"]
    answers = {k: v for k, v in VALUES.items() if k not in ("confirmed_count", "cause", "measures")}
    assert next_step(answers) is STEP_BY_ID["counts"]  # only one of its counts is open
    answers["confirmed_count"] = VALUES["confirmed_count"]  # nothing required is open any more
    assert next_step(answers) is STEP_BY_ID["cause"]


def test_open_steps_required_and_optional() -> None:
    assert [s.id for s in open_steps({}, required=True)] == [
        "incident",
        "data_items",
        "counts",
        "services",
        "card_bank",
        "customer_actions",
        "contact",
    ]
    # the counts step holds count_unit, which has a default: it is never open by itself
    assert [s.id for s in open_steps({}, required=False)] == [
        "cause",
        "malicious",
        "secondary_damage",
        "measures",
        "occurred_at",
        "notification",
        "publication",
        "authorities",
        "ppc_report",
    ]
    answers = {k: v for k, v in VALUES.items() if k not in ("services", "malicious", "ppc_report")}
    assert [s.id for s in open_steps(answers, required=True)] == ["services"]
    assert [s.id for s in open_steps(answers, required=False)] == ["malicious", "ppc_report"]
    assert open_steps(VALUES, required=True) == open_steps(VALUES, required=False) == []
    assert open_items(VALUES) == []
    assert next_step(VALUES) is None


# --- channel names --------------------------------------------------------------------------------------

DAY = date(2026, 11, 26)
_VALID_NAME = re.compile(r"[\w-]+")


def assert_valid_channel_name(name: str) -> None:
    assert 1 <= len(name) <= channels.MAX_NAME == 80, name
    assert _VALID_NAME.fullmatch(name), name
    assert name == name.lower(), name
    assert not name.startswith(("-", "_")) and not name.endswith("-"), name


def test_japanese_title_keeps_kana_and_kanji_and_lowercases_ascii() -> None:
    assert channels.slug("顧客DBの流出疑い") == "顧客dbの流出疑い"
    names = list(channels.readable_names("顧客DBの流出疑い", DAY))
    assert names[0] == "leak-20261126-顧客dbの流出疑い"
    assert names[1:] == [f"leak-20261126-顧客dbの流出疑い-{n}" for n in range(2, 10)]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Customer DB leak", "customer-db-leak"),
        ("Customer   DB:  leak?!", "customer-db-leak"),
        ("会員情報　流出（速報）", "会員情報-流出-速報"),  # full-width space and brackets
        ("ＡＢＣ社　ｘｙｚ", "abc社-xyz"),  # full-width ASCII is folded, then lowercased
        ("  「サンプル」会員・ポイント  ", "サンプル-会員-ポイント"),
        ("api_key leak", "api_key-leak"),
    ],
)
def test_punctuation_and_spaces_become_single_hyphens(title: str, expected: str) -> None:
    assert channels.slug(title) == expected
    assert next(channels.readable_names(title, DAY)) == f"leak-20261126-{expected}"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("顧客DB - 流出", "顧客db-流出"),
        ("A-!B", "a-b"),
        ("会員DB -- 流出", "会員db-流出"),
    ],
)
def test_hyphens_next_to_punctuation_collapse_to_one(title: str, expected: str) -> None:
    assert channels.slug(title) == expected


@pytest.mark.parametrize("title", ["", "   ", "!!!", "「」・、。", "---", "___", "🙂🙂"])
def test_empty_or_punctuation_only_title_still_gives_a_valid_name(title: str) -> None:
    names = list(channels.readable_names(title, DAY))
    assert names == ["leak-20261126"] + [f"leak-20261126-{n}" for n in range(2, 10)]
    for name in names:
        assert_valid_channel_name(name)


@pytest.mark.parametrize(
    "title",
    [
        "顧" * 150,
        "a" * 150,
        "ab-" * 50,  # a cut right after a hyphen
        ("会員DB " * 30),
    ],
)
def test_names_never_exceed_80_characters_even_with_the_last_suffix(title: str) -> None:
    names = list(channels.readable_names(title, DAY))
    assert len(names) == channels.SUFFIXES == 9
    assert len(set(names)) == 9
    assert names[-1].endswith("-9")
    for name in names:
        assert_valid_channel_name(name)
        assert "--" not in name


def test_fallback_names() -> None:
    names = list(channels.fallback_names(DAY, 42))
    assert names == ["leak-20261126-42"] + [f"leak-20261126-42-{n}" for n in range(2, 10)]
    for name in names:
        assert_valid_channel_name(name)
        assert name.isascii()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_readable_names_are_always_valid_and_distinct(title: str, day: date) -> None:
    names = list(channels.readable_names(title, day))
    assert len(set(names)) == len(names) == 9
    for name in names:
        assert_valid_channel_name(name)
        assert name.startswith(f"leak-{day:%Y%m%d}")


# --- mrkdwn -----------------------------------------------------------------------------------------------


class TookTooLong(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turns a hang into an exception (the code under test may loop for ever)."""

    def stop(signum: int, frame: Any) -> None:
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def check_escaped_pieces(text: str, pieces: list[str], limit: int = SECTION_LIMIT) -> None:
    """Each piece fits, is escaped whole (no entity cut in two), and together they give the text back."""
    assert all(0 < len(piece) <= limit for piece in pieces)
    for piece in pieces:
        assert escape(unescape(piece)) == piece
        assert "<" not in piece and ">" not in piece
    # a cut only ever drops the line breaks it was made at
    assert "".join(pieces).replace("\n", "") == escape(text).replace("\n", "")


def test_escape() -> None:
    assert escape("A&B <@U0BOB> <!channel> <https://example.com|here>") == (
        "A&amp;B &lt;@U0BOB&gt; &lt;!channel&gt; &lt;https://example.com|here&gt;"
    )
    assert escape("&amp;") == "&amp;amp;"  # typed text is shown as typed
    assert escape("顧客情報 *太字* _斜体_") == "顧客情報 *太字* _斜体_"


def test_shorten() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert len(shorten("x" * 5000, 3000)) == 3000


def test_chunks_short_and_empty() -> None:
    assert chunks("") == []
    assert chunks("\n\n") == []
    assert chunks("一行だけ") == ["一行だけ"]
    assert chunks("\n前後の改行\n") == ["前後の改行"]


def test_chunks_cut_at_line_ends_when_possible() -> None:
    paragraph = "あ" * 60
    text = "\n\n".join([paragraph] * 10)
    pieces = chunks(text, 200)
    assert all(len(p) <= 200 for p in pieces)
    assert all(p == "\n\n".join([paragraph] * (len(p) // 62 + 1)) for p in pieces)  # whole paragraphs only
    assert "\n\n".join(pieces) == text


def test_chunks_hard_cut_when_there_is_no_line_end() -> None:
    text = "x" * 7000
    assert [len(p) for p in chunks(text, 2900)] == [2900, 2900, 1200]
    assert "".join(chunks(text, 2900)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab あ\n", max_size=400), st.integers(min_value=1, max_value=120))
def test_chunks_property(text: str, limit: int) -> None:
    pieces = chunks(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_escaped_chunks_of_a_long_ordinary_text() -> None:
    line = "顧客情報 & <!channel> <@U0BOB> <https://example.com|こちら> 0120-000-000\n"
    text = (line * 400)[:20_000]
    with time_limit(5):
        pieces = escaped_chunks(text)
    assert len(pieces) > 6
    check_escaped_pieces(text, pieces)


# Escaping makes "&" five characters long: pieces must shrink until they fit (once, they never stopped shrinking
# and chunks() was asked for a negative size, which looped for ever).
@pytest.mark.parametrize("unit", ["a&b<c>d ", "&", "<>", '<tag attr="x">&amp;</tag>'])
def test_escaped_chunks_of_20000_characters_with_many_entities(unit: str) -> None:
    text = (unit * 20_000)[:20_000]
    with time_limit(2):
        pieces = escaped_chunks(text)
    check_escaped_pieces(text, pieces)
    assert "".join(pieces) == escape(text)  # no line breaks to lose here


# Prose: at most one of & < > for every five characters, which escaping makes at most 1.8 times longer.
_prose = st.lists(
    st.tuples(st.text(alphabet="abc xyz顧客情報\n", min_size=4, max_size=30), st.sampled_from(["&", "<", ">", ""])),
    max_size=60,
).map(lambda parts: "".join(text + special for text, special in parts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_prose, st.integers(min_value=1, max_value=400))
def test_escaped_chunks_property_on_prose(unit: str, repeat: int) -> None:
    text = unit * repeat
    with time_limit(5):
        pieces = escaped_chunks(text)
    check_escaped_pieces(text, pieces)


@settings(max_examples=100, deadline=None)
@example(unit="&", repeat=3000)
@given(st.text(alphabet="&<>a\n", min_size=1, max_size=50), st.integers(min_value=1, max_value=1000))
def test_escaped_chunks_property_on_any_text(unit: str, repeat: int) -> None:
    text = unit * repeat
    with time_limit(1):
        pieces = escaped_chunks(text)
    check_escaped_pieces(text, pieces)


def test_draft_messages_with_a_pasted_markup_snippet_fit_and_lose_nothing() -> None:
    body = "下書き\n" + "概要 & <b>\n" * 500 + "<a><b>&</b></a>" * 300
    with time_limit(5):
        messages = draft_messages(body=body, heading="公表文の下書き（第3版）", lang="ja")
    sections = []
    for blocks in messages:
        assert 0 < len(blocks) <= MAX_BLOCKS
        sections += [b["text"]["text"] for b in blocks if b["type"] == "section"]
    check_escaped_pieces(body, sections)


# --- messages ---------------------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    message = MESSAGES[key]
    assert set(message) == {"ja", "en"}
    assert message["ja"].strip() and message["en"].strip()
    assert placeholders(message["ja"]) == placeholders(message["en"])
    # and both fill in without error
    values = dict.fromkeys(placeholders(message["ja"]), "x")
    assert t(key, "ja", **values) and t(key, "en", **values)


# --- modals -------------------------------------------------------------------------------------------------

AT = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)
ANSWERS = {item_id: Answer(item_id, value, "U0ALICE", AT, revisions=2) for item_id, value in VALUES.items()}
PLACEHOLDER_TEXTS = {
    text for item in ITEMS.values() for lang in LANGS for text in (item.hint(lang), item.label(lang))
} | {
    t(key, lang) for key in ("step.other_hint", "step.other", "step.other_hint.card_bank_detail") for lang in LANGS
} - {""}
_INITIAL_KEYS = (
    "initial_value",
    "initial_option",
    "initial_options",
    "initial_users",
    "initial_date_time",
    "initial_date",
    "initial_time",
    "initial_user",
)


def all_modals() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(name, lang, view, the answers it was built with) for every modal the bot can open."""
    for lang in LANGS:
        yield "new_incident-empty", lang, new_incident_modal(title="", now=NOW, lang=lang), {}
        yield (
            "new_incident-titled",
            lang,
            new_incident_modal(title=" 顧客DBの流出疑い ", now=NOW, lang=lang),
            {"title": "顧客DBの流出疑い"},
        )
        for step in STEPS:
            yield f"{step.id}-empty", lang, step_modal(step, incident_id=7, answers={}, lang=lang), {}
            answered = {i: ANSWERS[i] for i in step.items}
            yield f"{step.id}-answered", lang, step_modal(step, incident_id=7, answers=answered, lang=lang), answered


MODALS = list(all_modals())


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b["type"] == "input"]


@pytest.mark.parametrize(("name", "lang", "view", "answers"), MODALS, ids=[f"{m[0]}-{m[1]}" for m in MODALS])
def test_every_modal_keeps_slack_limits_and_names_its_inputs_by_item(
    name: str, lang: str, view: dict, answers: dict
) -> None:
    assert view["type"] == "modal"
    assert 0 < len(view["title"]["text"]) <= 24
    assert "…" not in view["title"]["text"]  # the title fits, it is not cut
    for button in ("submit", "close"):
        assert 0 < len(view[button]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    block_ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    step = INCIDENT_STEP if name.startswith("new_incident") else STEP_BY_ID[name.rsplit("-", 1)[0]]
    expected_ids = [
        i
        for item_id in step.items
        for i in ([item_id, item_id + OTHER_SUFFIX] if ITEMS[item_id].kind is Kind.CHECKBOXES else [item_id])
    ]
    assert [b["block_id"] for b in input_blocks(view)] == expected_ids
    for block in input_blocks(view):
        item_id = block["block_id"].removesuffix(OTHER_SUFFIX)
        assert item_id in ITEMS
        assert block["block_id"] == item_id or ITEMS[item_id].kind is Kind.CHECKBOXES
        assert len(block["label"]["text"]) <= 2000
        element = block["element"]
        assert element["action_id"]
        if element["type"] == "plain_text_input":
            assert 0 < element["max_length"] <= 3000
        for option in element.get("options", []):
            assert len(option["text"]["text"]) <= 75


@pytest.mark.parametrize(("name", "lang", "view", "answers"), MODALS, ids=[f"{m[0]}-{m[1]}" for m in MODALS])
def test_the_only_initial_values_are_real_answers(name: str, lang: str, view: dict, answers: dict) -> None:
    for block in input_blocks(view):
        block_id = block["block_id"]
        item = ITEMS[block_id.removesuffix(OTHER_SUFFIX)]
        element = block["element"]
        initial = {k: element[k] for k in _INITIAL_KEYS if k in element}
        if "initial_value" in element:
            assert element["initial_value"] not in PLACEHOLDER_TEXTS
            assert element["initial_value"].strip() == element["initial_value"] != ""
        answer = answers.get(item.id)
        value = answer.value if isinstance(answer, Answer) else answer
        if block_id == "discovered_at" and name.startswith("new_incident"):
            assert initial == {"initial_date_time": int(NOW.timestamp())}  # the discovery time defaults to now
        elif value is None:
            # nothing answered: only a choice with a default may be preselected, with that default
            expected = (
                {
                    "initial_option": {
                        "text": {"type": "plain_text", "text": item.choice(item.default).label(lang), "emoji": True},
                        "value": item.default,
                    }
                }
                if item.default
                else {}
            )
            assert initial == expected, block_id
        elif block_id.endswith(OTHER_SUFFIX):
            assert initial == ({"initial_value": value["other"]} if value["other"] else {})
        elif item.kind is Kind.CHECKBOXES:
            assert [o["value"] for o in initial["initial_options"]] == value["selected"]
        elif item.kind is Kind.CHOICE:
            assert initial["initial_option"]["value"] == value
        elif item.kind is Kind.COUNT:
            assert initial == {"initial_value": value["text"]}
        elif item.kind is Kind.DATETIME:
            assert initial == {"initial_date_time": int(datetime.fromisoformat(value).timestamp())}
        elif item.kind is Kind.USERS:
            assert initial == {"initial_users": value}
        elif item.kind is Kind.FLAG:
            assert [o["value"] for o in initial["initial_options"]] == ["drill"]
        else:
            assert initial == {"initial_value": value}


def untouched_state(view: dict[str, Any]) -> dict[str, Any]:
    """view.state.values as Slack sends it when the user submits without touching anything."""
    state: dict[str, Any] = {}
    for block in input_blocks(view):
        element = block["element"]
        kind = element["type"]
        if kind == "plain_text_input":
            entry = {"value": element.get("initial_value")}
        elif kind == "checkboxes":
            entry = {"selected_options": element.get("initial_options", [])}
        elif kind == "radio_buttons":
            entry = {"selected_option": element.get("initial_option")}
        elif kind == "datetimepicker":
            entry = {"selected_date_time": element.get("initial_date_time")}
        else:
            assert kind == "multi_users_select"
            entry = {"selected_users": element.get("initial_users", [])}
        state[block["block_id"]] = {element["action_id"]: {"type": kind, **entry}}
    return state


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
@pytest.mark.parametrize("lang", LANGS)
def test_a_modal_submitted_untouched_gives_back_exactly_its_answers(step: Any, lang: str) -> None:
    answered = {i: ANSWERS[i] for i in step.items}
    view = step_modal(step, incident_id=7, answers=answered, lang=lang)
    assert parse_step(step, untouched_state(view), lang=lang, now=NOW) == {i: VALUES[i] for i in step.items}


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_an_empty_modal_submitted_untouched_answers_nothing_required(step: Any) -> None:
    view = step_modal(step, incident_id=7, answers={}, lang="ja")
    required = [i for i in step.items if ITEMS[i].required]
    if required:
        with pytest.raises(ValidationFailed) as raised:
            parse_step(step, untouched_state(view), lang="ja", now=NOW)
        assert sorted(raised.value.errors) == sorted(required)
    else:
        values = parse_step(step, untouched_state(view), lang="ja", now=NOW)
        assert values == {i: ITEMS[i].default for i in step.items}


def test_new_incident_modal_untouched_keeps_only_the_typed_title_and_now() -> None:
    view = new_incident_modal(title="顧客DBの流出疑い", now=NOW, lang="ja")
    with pytest.raises(ValidationFailed) as raised:
        parse_step(INCIDENT_STEP, untouched_state(view), lang="ja", now=NOW)
    assert list(raised.value.errors) == ["summary"]
    empty = new_incident_modal(title="", now=NOW, lang="en")
    with pytest.raises(ValidationFailed) as raised:
        parse_step(INCIDENT_STEP, untouched_state(empty), lang="en", now=NOW)
    assert sorted(raised.value.errors) == ["summary", "title"]


def test_step_titles_fit_without_being_cut() -> None:
    for step in STEPS:
        for lang in LANGS:
            assert 0 < len(step.title(lang)) <= 24, (step.id, lang)


# --- the checklist message with the longest possible answers -------------------------------------------


def longest(limit: int) -> str:
    return ("顧客情報 & <!channel> <@U0BOB> *太字* " * 200)[:limit]


def longest_answers() -> dict[str, Answer]:
    values: dict[str, Any] = {}
    for item in ITEMS.values():
        if item.kind in (Kind.TEXT, Kind.MULTILINE):
            values[item.id] = longest(item.max_length)
        elif item.kind is Kind.COUNT:
            values[item.id] = {"value": 9_999_999_999_999, "approx": True, "text": longest(item.max_length)}
        elif item.kind is Kind.CHOICE:
            values[item.id] = max(item.choices, key=lambda c: len(c.en)).value
        elif item.kind is Kind.CHECKBOXES:
            values[item.id] = {"selected": [c.value for c in item.choices], "other": longest(item.max_length)}
        elif item.kind is Kind.DATETIME:
            values[item.id] = "2026-11-30T15:30:00+00:00"
        elif item.kind is Kind.FLAG:
            values[item.id] = True
        else:
            values[item.id] = [f"U{n:010d}" for n in range(100)]
    values["card_bank"] = "yes"  # so that its follow-up, card_bank_detail, is on the checklist too
    return {k: Answer(k, v, "U0ALICE", AT, revisions=999) for k, v in values.items()}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("closed_line", ["", "クローズ済み：2026年12月1日（火）00:30、<@U0ALICE>"])
def test_checklist_blocks_with_the_longest_answers_fit(lang: str, closed_line: str) -> None:
    answers = longest_answers()
    blocks = checklist_blocks(title=longest(150), answers=answers, lang=lang, closed_line=closed_line)
    assert len(blocks) <= 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) == len(CHECKLIST_ITEMS)  # every item is there
    for text in sections:
        assert len(text) <= 3000
        assert "<!channel>" not in text  # typed text is escaped
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in block["elements"])


@pytest.mark.parametrize("lang", LANGS)
def test_step_modals_with_the_longest_answers_fit(lang: str) -> None:
    answers = longest_answers()
    for step in STEPS:
        view = step_modal(step, incident_id=7, answers={i: answers[i] for i in step.items}, lang=lang)
        assert len(view["blocks"]) <= 100
        for block in input_blocks(view):
            element = block["element"]
            if "initial_value" in element:
                assert len(element["initial_value"]) <= element["max_length"]
        for block in view["blocks"]:
            if block["type"] in ("section", "context"):
                texts = (
                    [block["text"]["text"]] if block["type"] == "section" else [e["text"] for e in block["elements"]]
                )
                assert all(len(text) <= 3000 for text in texts)
