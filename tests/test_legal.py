"""Tests for bot.legal: the APPI duty to report a leak to the PPC, and its deadlines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest

from bot.clock import JST
from bot.legal import (
    FINAL,
    PRELIMINARY,
    Assessment,
    Deadline,
    Duty,
    Status,
    Trigger,
    assess,
    describe,
    end_of_day_after,
)

# 2026-11-26 10:00 JST, a Thursday
DISCOVERED = "2026-11-26T01:00:00+00:00"

# Answers under which no trigger applies.
QUIET: dict[str, Any] = {
    "discovered_at": DISCOVERED,
    "data_items": {"selected": ["name", "email"], "other": ""},
    "max_count": {"value": 500, "approx": False, "text": "500"},
    "count_unit": "人",
    "card_bank": "none",
    "malicious": "no",
}

# One answer that makes each trigger apply.
FIRES: dict[Trigger, dict[str, Any]] = {
    Trigger.SENSITIVE: {"data_items": {"selected": ["name", "sensitive"], "other": ""}},
    Trigger.FINANCIAL: {"card_bank": "yes"},
    Trigger.WRONGFUL: {"malicious": "yes"},
    Trigger.OVER_1000: {"max_count": {"value": 1001, "approx": False, "text": "1001"}},
}

SUBSETS = [frozenset(c) for n in range(5) for c in combinations(list(Trigger), n)]


def jst_end(year: int, month: int, day: int) -> datetime:
    """The end of a day in Asia/Tokyo."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=JST)


def answers(*triggers: Trigger, **overrides: Any) -> dict[str, Any]:
    values = dict(QUIET)
    for trigger in triggers:
        values.update(FIRES[trigger])
    values.update(overrides)
    return values


def deadline(assessment: Assessment, kind: str) -> Deadline:
    return next(d for d in assessment.deadlines if d.kind == kind)


def statuses(assessment: Assessment) -> dict[Trigger, Status]:
    return {finding.trigger: finding.status for finding in assessment.findings}


# --- triggers --------------------------------------------------------------------------------


@pytest.mark.parametrize("fired", SUBSETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_every_combination_of_triggers(fired: frozenset[Trigger]) -> None:
    assessment = assess(answers(*fired))
    assert [f.trigger for f in assessment.findings] == list(Trigger)
    assert statuses(assessment) == {t: Status.APPLIES if t in fired else Status.NOT_APPLICABLE for t in Trigger}
    if not fired:
        assert assessment.duty is Duty.NOT_MANDATORY
        assert assessment.deadlines == ()
        return
    assert assessment.duty is Duty.MANDATORY
    assert [d.kind for d in assessment.deadlines] == [PRELIMINARY, FINAL]
    final_day = jst_end(2027, 1, 25) if Trigger.WRONGFUL in fired else jst_end(2026, 12, 26)
    assert deadline(assessment, FINAL).due == final_day
    assert deadline(assessment, PRELIMINARY).due == jst_end(2026, 11, 29)


def test_possible_card_data_is_a_risk_of_financial_loss() -> None:
    finding = assess(answers(card_bank="possible")).finding(Trigger.FINANCIAL)
    assert finding.status is Status.APPLIES
    assert "財産的被害のおそれ" in finding.reason_ja
    assert "financial loss" in finding.reason_en


@pytest.mark.parametrize(
    ("value", "status"),
    [(999, Status.NOT_APPLICABLE), (1000, Status.NOT_APPLICABLE), (1001, Status.APPLIES), (20_700_000, Status.APPLIES)],
)
def test_more_than_1000_people(value: int, status: Status) -> None:
    values = answers(max_count={"value": value, "approx": False, "text": str(value)})
    assert assess(values).finding(Trigger.OVER_1000).status is status


def test_reasons_are_given_in_both_languages() -> None:
    assessment = assess(answers(*Trigger))
    assert "要配慮個人情報" in assessment.finding(Trigger.SENSITIVE).reason_ja
    assert "sensitive data" in assessment.finding(Trigger.SENSITIVE).reason_en.lower()
    assert "不正の目的" in assessment.finding(Trigger.WRONGFUL).reason_ja
    assert "60" in assessment.finding(Trigger.WRONGFUL).reason_en
    assert "1,001人" in assessment.finding(Trigger.OVER_1000).reason_ja
    assert "1,001 people" in assessment.finding(Trigger.OVER_1000).reason_en
    for finding in assessment.findings:
        assert finding.reason("ja") == finding.reason_ja and finding.reason("en") == finding.reason_en


def test_other_data_items_are_to_be_checked_for_sensitive_data() -> None:
    finding = assess(answers(data_items={"selected": [], "other": "学校名"})).finding(Trigger.SENSITIVE)
    assert finding.status is Status.NOT_APPLICABLE
    assert "学校名" in finding.reason_ja and "学校名" in finding.reason_en


# --- unknown answers -------------------------------------------------------------------------

UNKNOWN = [
    (Trigger.SENSITIVE, {"data_items": None}),
    (Trigger.FINANCIAL, {"card_bank": None}),
    (Trigger.FINANCIAL, {"card_bank": "investigating"}),
    (Trigger.WRONGFUL, {"malicious": None}),
    (Trigger.WRONGFUL, {"malicious": "unknown"}),
    (Trigger.OVER_1000, {"max_count": None}),
]


@pytest.mark.parametrize(("trigger", "change"), UNKNOWN)
@pytest.mark.parametrize("absent", [False, True], ids=["none", "absent"])
def test_unknown_answers_may_apply(trigger: Trigger, change: dict[str, Any], absent: bool) -> None:
    values = answers(**change)
    if absent:
        values = {k: v for k, v in values.items() if v is not None}
    assessment = assess(values)
    assert statuses(assessment) == {t: Status.MAY_APPLY if t is trigger else Status.NOT_APPLICABLE for t in Trigger}
    assert assessment.duty is Duty.MAY_BE_MANDATORY
    assert [d.kind for d in assessment.deadlines] == [PRELIMINARY, FINAL]  # a possible duty keeps its clocks


def test_unknown_wording() -> None:
    assessment = assess(answers(card_bank="investigating", malicious="unknown"))
    assert "調査中" in assessment.finding(Trigger.FINANCIAL).reason_ja
    assert "under investigation" in assessment.finding(Trigger.FINANCIAL).reason_en
    assert "不明" in assessment.finding(Trigger.WRONGFUL).reason_ja
    assert "unknown" in assessment.finding(Trigger.WRONGFUL).reason_en


def test_one_trigger_applying_outweighs_unknowns() -> None:
    assessment = assess(answers(Trigger.SENSITIVE, card_bank="investigating", malicious="unknown"))
    assert assessment.duty is Duty.MANDATORY


def test_nothing_answered() -> None:
    assessment = assess({})
    assert set(statuses(assessment).values()) == {Status.MAY_APPLY}
    assert assessment.duty is Duty.MAY_BE_MANDATORY
    assert assessment.deadlines == ()  # no discovery time, no clock
    assert assessment.ppc_report is None and not assessment.decided_not_required


# --- the unit of the counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "ja", "en"),
    [(None, "件（レコード数）", "records"), ("件", "件（レコード数）", "records"), ("世帯", "世帯", "households")],
)
@pytest.mark.parametrize("value", [1001, 800])
def test_unit_caveat_when_the_count_is_not_of_people(unit: str | None, ja: str, en: str, value: int) -> None:
    values = answers(max_count={"value": value, "approx": False, "text": str(value)}, count_unit=unit)
    if unit is None:
        del values["count_unit"]
    finding = assess(values).finding(Trigger.OVER_1000)
    assert finding.status is (Status.APPLIES if value > 1000 else Status.NOT_APPLICABLE)  # the number is compared
    assert f"単位が{ja}" in finding.reason_ja and "人数" in finding.reason_ja
    assert f"The unit is {en}" in finding.reason_en and "number of people" in finding.reason_en


def test_no_unit_caveat_for_people() -> None:
    finding = assess(answers(Trigger.OVER_1000)).finding(Trigger.OVER_1000)
    assert "単位" not in finding.reason_ja and "unit" not in finding.reason_en


def test_approximate_count_at_the_threshold_is_to_be_checked() -> None:
    finding = assess(answers(max_count={"value": 1000, "approx": True, "text": "約1000"})).finding(Trigger.OVER_1000)
    assert finding.status is Status.NOT_APPLICABLE
    assert "約1,000人" in finding.reason_ja and "概数" in finding.reason_ja
    assert "approximate" in finding.reason_en


# --- deadlines ---------------------------------------------------------------------------------

DEADLINES = [
    # discovered (ISO), preliminary, outer limit, final (30 days), final (60 days): JST dates
    ("2026-11-26T10:00:00+09:00", (2026, 11, 29), (2026, 12, 1), (2026, 12, 26), (2027, 1, 25)),
    # across a month end, late in the day
    ("2026-11-29T23:30:00+09:00", (2026, 12, 2), (2026, 12, 4), (2026, 12, 29), (2027, 1, 28)),
    # across a year end
    ("2026-12-31T22:00:00+09:00", (2027, 1, 3), (2027, 1, 5), (2027, 1, 30), (2027, 3, 1)),
    # after midnight JST but before it in UTC: counted from the JST date (1 Dec), not the UTC one (30 Nov)
    ("2026-11-30T15:30:00+00:00", (2026, 12, 4), (2026, 12, 6), (2026, 12, 31), (2027, 1, 30)),
    # one minute before midnight JST
    ("2026-11-30T14:59:00+00:00", (2026, 12, 3), (2026, 12, 5), (2026, 12, 30), (2027, 1, 29)),
    # a leap year
    ("2028-02-27T10:00:00+09:00", (2028, 3, 1), (2028, 3, 3), (2028, 3, 28), (2028, 4, 27)),
]


@pytest.mark.parametrize(("discovered", "preliminary", "outer", "final30", "final60"), DEADLINES)
def test_deadlines(discovered: str, preliminary: tuple, outer: tuple, final30: tuple, final60: tuple) -> None:
    plain = assess(answers(Trigger.SENSITIVE, discovered_at=discovered))
    first, final = deadline(plain, PRELIMINARY), deadline(plain, FINAL)
    assert first.due == jst_end(*preliminary) and first.outer_limit == jst_end(*outer)
    assert final.due == jst_end(*final30) and final.outer_limit is None
    assert first.due.utcoffset() == timedelta(0) and first.due.tzinfo is UTC
    wrongful = deadline(assess(answers(Trigger.WRONGFUL, discovered_at=discovered)), FINAL)
    assert wrongful.due == jst_end(*final60) and wrongful.outer_limit is None


def test_deadline_is_the_last_second_of_the_day_in_tokyo() -> None:
    due = deadline(assess(answers(Trigger.SENSITIVE)), PRELIMINARY).due
    assert due == datetime(2026, 11, 29, 14, 59, 59, tzinfo=UTC)
    assert end_of_day_after(datetime(2026, 11, 26, 1, 0, tzinfo=UTC), 0) == jst_end(2026, 11, 26)


def test_final_deadline_while_the_wrongful_purpose_is_unknown() -> None:
    final = deadline(assess(answers(Trigger.SENSITIVE, malicious="unknown")), FINAL)
    assert final.due == jst_end(2026, 12, 26)  # the safe date
    assert final.outer_limit == jst_end(2027, 1, 25)  # only if the wrongful purpose is confirmed


def test_no_deadlines_when_not_mandatory_or_not_discovered() -> None:
    assert assess(answers()).deadlines == ()
    values = answers(Trigger.SENSITIVE)
    del values["discovered_at"]
    assert assess(values).deadlines == ()
    assert assess(answers(Trigger.SENSITIVE, discovered_at="not a date")).deadlines == ()


def test_discovery_time_without_zone_is_tokyo_time() -> None:
    naive = assess(answers(Trigger.SENSITIVE, discovered_at="2026-12-01T00:30:00"))
    assert deadline(naive, PRELIMINARY).due == jst_end(2026, 12, 4)
    as_datetime = assess(answers(Trigger.SENSITIVE, discovered_at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC)))
    assert deadline(as_datetime, PRELIMINARY).due == jst_end(2026, 12, 4)


@pytest.mark.parametrize(
    ("report", "preliminary_done", "final_done"),
    [
        (None, False, False),
        ("not_yet", False, False),
        ("preliminary", True, False),
        ("final", True, True),
        ("not_required", True, True),
    ],
)
def test_ppc_report_stops_clocks(report: str | None, preliminary_done: bool, final_done: bool) -> None:
    assessment = assess(answers(Trigger.FINANCIAL, ppc_report=report))
    assert deadline(assessment, PRELIMINARY).done is preliminary_done
    assert deadline(assessment, FINAL).done is final_done
    assert [d.kind for d in assessment.open_deadlines()] == [
        kind for kind, done in ((PRELIMINARY, preliminary_done), (FINAL, final_done)) if not done
    ]
    assert assessment.decided_not_required is (report == "not_required")
    assert assessment.duty is Duty.MANDATORY  # the duty is the law's, whatever was filed


def test_time_left_and_within() -> None:
    first = deadline(assess(answers(Trigger.SENSITIVE)), PRELIMINARY)  # due 2026-11-29 23:59:59 JST
    now = datetime(2026, 11, 27, 18, 59, 59, tzinfo=JST)
    assert first.time_left(now) == timedelta(days=2, hours=5)
    assert first.within(now, 53) and not first.within(now, 52.9)
    overdue = datetime(2026, 11, 30, 9, 0, tzinfo=JST)
    assert first.time_left(overdue) < timedelta(0)
    assert first.within(overdue, 0) and first.within(overdue, 24)
    assert not dataclasses.replace(first, done=True).within(overdue, 24)


def test_results_are_frozen() -> None:
    assessment = assess(answers(Trigger.SENSITIVE))
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment.duty = Duty.NOT_MANDATORY  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment.deadlines[0].done = True  # type: ignore[misc]


# --- describe ----------------------------------------------------------------------------------

# 2 days 5 hours (and a little) before the preliminary deadline
NOW = datetime(2026, 11, 27, 18, 30, tzinfo=JST)


def test_describe_in_japanese() -> None:
    lines = describe(assess(answers(Trigger.SENSITIVE, Trigger.OVER_1000, malicious="unknown")), now=NOW, lang="ja")
    text = "\n".join(lines)
    assert lines[0].startswith("個人情報保護委員会への報告：義務あり")
    assert "・要配慮個人情報：該当。" in text
    assert "・財産的被害のおそれ（カード・口座情報）：非該当。" in text
    assert "・不正の目的によるおそれ：該当の可能性あり（未確認）。" in text
    assert "・1,000人超：該当。" in text
    assert "速報の期限：2026年11月29日（日）23:59まで（あと2日5時間）。遅くとも2026年12月1日（火）23:59まで" in text
    assert "確報の期限：2026年12月26日（土）23:59まで（あと29日5時間）" in text
    assert "不正の目的によるおそれが確認された場合に限り、2027年1月25日（月）23:59まで（60日以内）" in text


def test_describe_in_english() -> None:
    lines = describe(assess(answers(Trigger.SENSITIVE, Trigger.OVER_1000, malicious="unknown")), now=NOW, lang="en")
    text = "\n".join(lines)
    assert lines[0].endswith("(PPC): mandatory")
    assert "• Sensitive data: applies." in text
    assert "• Risk of financial loss (card or bank data): does not apply." in text
    assert "• Wrongful purpose: may apply (not known yet)." in text
    assert "• More than 1,000 people: applies." in text
    assert "Preliminary report due Sun 29 Nov 2026, 23:59 JST (2 days 5 hours left); outer limit Tue 1 Dec 2026" in text
    assert "Final report due Sat 26 Dec 2026, 23:59 JST (29 days 5 hours left)" in text
    assert "only if the wrongful purpose is confirmed: Mon 25 Jan 2027, 23:59 JST (60 days)" in text


@pytest.mark.parametrize(
    ("now", "ja", "en"),
    [
        (datetime(2026, 11, 28, 22, 59, 59, tzinfo=JST), "あと1日1時間", "1 day 1 hour left"),
        (datetime(2026, 11, 27, 23, 59, 59, tzinfo=JST), "あと2日", "2 days left"),
        (datetime(2026, 11, 29, 23, 29, 59, tzinfo=JST), "あと30分", "30 minutes left"),
        (datetime(2026, 11, 29, 23, 59, 30, tzinfo=JST), "あと1分未満", "less than a minute left"),
        (datetime(2026, 11, 30, 2, 59, 59, tzinfo=JST), "期限超過（3時間経過）", "overdue by 3 hours"),
    ],
)
def test_describe_time_left(now: datetime, ja: str, en: str) -> None:
    assessment = assess(answers(Trigger.SENSITIVE))
    assert f"（{ja}）" in describe(assessment, now=now, lang="ja")[-2]
    assert f"({en})" in describe(assessment, now=now, lang="en")[-2]


def test_describe_filed_reports() -> None:
    assessment = assess(answers(Trigger.SENSITIVE, ppc_report="preliminary"))
    ja, en = describe(assessment, now=NOW, lang="ja"), describe(assessment, now=NOW, lang="en")
    assert "速報：提出済み" in ja and any(line.startswith("確報の期限：") for line in ja)
    assert "Preliminary report: filed" in en and any(line.startswith("Final report due") for line in en)
    final = assess(answers(Trigger.SENSITIVE, ppc_report="final"))
    assert describe(final, now=NOW, lang="ja")[-2:] == ["速報：提出済み", "確報：提出済み"]
    assert describe(final, now=NOW, lang="en")[-2:] == ["Preliminary report: filed", "Final report: filed"]


def test_describe_decided_not_required() -> None:
    against_law = assess(answers(Trigger.WRONGFUL, ppc_report="not_required"))
    ja, en = describe(against_law, now=NOW, lang="ja"), describe(against_law, now=NOW, lang="en")
    assert "「報告不要」と判断済み" in ja[1] and "見直して" in ja[1]
    assert "decided that no report is required" in en[1] and "review" in en[1]
    assert ja[-2:] == ["速報：報告不要と判断済み", "確報：報告不要と判断済み"]
    assert en[-2:] == ["Preliminary report: decided not required", "Final report: decided not required"]
    agreed = describe(assess(answers(ppc_report="not_required")), now=NOW, lang="ja")
    assert "「報告不要」と判断済み" in agreed[1] and "見直して" not in agreed[1]


def test_describe_not_mandatory_and_missing_discovery_time() -> None:
    quiet = describe(assess(answers()), now=NOW, lang="ja")
    assert quiet[0].startswith("個人情報保護委員会への報告：現在の回答では義務なし")
    assert len(quiet) == 1 + len(Trigger)  # no deadline lines
    unknown = describe(assess({}), now=NOW, lang="en")
    assert "may be mandatory" in unknown[0]
    assert unknown[-1] == "The discovery time is not answered yet, so the deadlines cannot be worked out."
    assert describe(assess({}), now=NOW, lang="ja")[-1].startswith("発覚日時が未回答のため")
