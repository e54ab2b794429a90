"""Whether a leak must be reported to the Personal Information Protection Commission, and by when.

Japan's APPI (個人情報保護法 第26条, 施行規則 第7条・第8条) makes a report to the Personal Information
Protection Commission (個人情報保護委員会, PPC) mandatory when a leak, or a possible leak, is one of:

- SENSITIVE: sensitive data (要配慮個人情報) are involved (規則7条1号), whatever the number;
- FINANCIAL: data whose misuse may cause financial loss (財産的被害のおそれ) — here card or bank data,
  `card_bank` "yes" or "possible" (2号), whatever the number;
- WRONGFUL: it may have been done with a wrongful purpose (不正の目的によるおそれ), `malicious` "yes"
  (3号), whatever the number;
- OVER_1000: more than 1,000 people may be affected (4号). The largest count, `max_count`, is compared
  with 1,000. When `count_unit` is not 人 (records 件, the default, or households 世帯) the number is
  still compared as it is, but the reason says that the number of people must be checked. A maximum typed
  as 調査中 (unknown) may cross the line: 該当するおそれ, unless the confirmed count alone is above it.

Each trigger APPLIES, MAY_APPLY (its answer is unknown: not answered yet, card data "under
investigation", intent "unknown") or is NOT_APPLICABLE. The duty is MANDATORY when any trigger applies,
MAY_BE_MANDATORY when none applies but one may, NOT_MANDATORY otherwise. A possible duty is handled as
a duty: its deadlines run, so that nobody misses them while the facts are being checked.

Deadlines (規則8条): the preliminary report (速報) is due "promptly" (速やかに); the PPC guidance reads
that as about 3 to 5 days, so it is shown as due after 3 days with 5 days as the outer limit. The final
report (確報) is due within 30 days, or 60 days when WRONGFUL applies. While WRONGFUL only may apply,
the final report is shown as due after 30 days (the safe date) with the 60 days as its outer limit,
which holds only once the wrongful purpose is confirmed. So `Deadline.due` is always the date to aim
for, and `outer_limit` the latest date that can be lawful under some reading or condition.

Counting days: the PPC guidance does not count the day of discovery (初日不算入). A deadline of N days
is therefore the END of the Nth day after the discovery date, 23:59:59 Asia/Tokyo, and the discovery
date is the date in Asia/Tokyo (not in UTC). Discovered 2026-11-26 10:00 JST: preliminary report due
2026-11-29 23:59:59 JST (outer limit 2026-12-01), final report 2026-12-26 (30 days) or 2027-01-25
(60 days). The guidance moves a final deadline falling on a weekend, holiday or 29 Dec–3 Jan to the
next working day; this module does not, which is the earlier and so the safe date.

The `ppc_report` answer stops clocks: "preliminary" marks the preliminary report done, "final" both.
"not_required" marks both done too, and the assessment keeps that someone decided the report is not
required, so that `describe` can say so (and warn when the triggers say otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.answers import count_is_unknown, format_datetime
from bot.clock import JST
from bot.counts import Count, format_count_en, format_count_ja

PRELIMINARY = "preliminary"
FINAL = "final"
PRELIMINARY_DAYS = 3
PRELIMINARY_OUTER_DAYS = 5
FINAL_DAYS = 30
FINAL_WRONGFUL_DAYS = 60
PEOPLE_THRESHOLD = 1000
# The PPC's page on reporting a leak (漏えい等の対応とお役立ち資料): the forms and the online report.
PPC_REPORT_URL = "https://www.ppc.go.jp/personalinfo/legal/leakAction/"
_END_OF_DAY = time(23, 59, 59)


class Trigger(StrEnum):
    SENSITIVE = "sensitive"
    FINANCIAL = "financial"
    WRONGFUL = "wrongful"
    OVER_1000 = "over_1000"


class Status(StrEnum):
    APPLIES = "applies"
    MAY_APPLY = "may_apply"
    NOT_APPLICABLE = "not_applicable"


class Duty(StrEnum):
    MANDATORY = "mandatory"
    MAY_BE_MANDATORY = "may_be_mandatory"
    NOT_MANDATORY = "not_mandatory"


@dataclass(frozen=True)
class TriggerFinding:
    """One trigger of the reporting duty, whether it applies, and why."""

    trigger: Trigger
    status: Status
    reason_ja: str
    reason_en: str

    def reason(self, lang: str) -> str:
        """Returns the reason in the given language."""
        return self.reason_ja if lang == "ja" else self.reason_en


@dataclass(frozen=True)
class Deadline:
    """When a report is due (aware, UTC); `outer_limit` is the latest lawful date, if later."""

    kind: str  # PRELIMINARY or FINAL
    due: datetime
    outer_limit: datetime | None = None
    done: bool = False

    def time_left(self, now: datetime) -> timedelta:
        """Returns the time until `due`, negative once it has passed."""
        return self.due - now

    def within(self, now: datetime, hours: float) -> bool:
        """True when the report is still open and due within that many hours, or overdue."""
        return not self.done and self.time_left(now) <= timedelta(hours=hours)


@dataclass(frozen=True)
class Assessment:
    """The reporting duty, the finding for every trigger, and the deadlines that follow."""

    duty: Duty
    findings: tuple[TriggerFinding, ...]
    deadlines: tuple[Deadline, ...] = ()
    ppc_report: str | None = None  # the `ppc_report` answer, None when not answered

    @property
    def decided_not_required(self) -> bool:
        """True when someone answered that no report is required."""
        return self.ppc_report == "not_required"

    def open_deadlines(self) -> list[Deadline]:
        """Returns the deadlines of reports not filed yet."""
        return [deadline for deadline in self.deadlines if not deadline.done]

    def finding(self, trigger: Trigger) -> TriggerFinding:
        """Returns the finding for one trigger."""
        return next(finding for finding in self.findings if finding.trigger is trigger)


# --- assessing ------------------------------------------------------------------------------


def assess(values: Mapping[str, Any]) -> Assessment:
    """Returns the duty, findings and deadlines for the answers given so far ({item_id: value})."""
    findings = (_sensitive(values), _financial(values), _wrongful(values), _over_1000(values))
    duty = _duty(findings)
    ppc_report = values.get("ppc_report")
    discovered = _discovered(values.get("discovered_at"))
    deadlines: tuple[Deadline, ...] = ()
    if discovered is not None and duty is not Duty.NOT_MANDATORY:
        deadlines = _deadlines(discovered, findings[2].status, ppc_report)
    return Assessment(duty, findings, deadlines, ppc_report)


def _duty(findings: tuple[TriggerFinding, ...]) -> Duty:
    statuses = {finding.status for finding in findings}
    if Status.APPLIES in statuses:
        return Duty.MANDATORY
    if Status.MAY_APPLY in statuses:
        return Duty.MAY_BE_MANDATORY
    return Duty.NOT_MANDATORY


def _finding(trigger: Trigger, status: Status, ja: str, en: str) -> TriggerFinding:
    return TriggerFinding(trigger, status, ja, en)


def _sensitive(values: Mapping[str, Any]) -> TriggerFinding:
    items = values.get("data_items")
    if not isinstance(items, Mapping):
        return _finding(
            Trigger.SENSITIVE,
            Status.MAY_APPLY,
            "漏えいした項目が未回答のため、要配慮個人情報が含まれるか分かりません。",
            "The data items are not answered yet, so it is not known whether sensitive data are involved.",
        )
    if "sensitive" in (items.get("selected") or []):
        return _finding(
            Trigger.SENSITIVE,
            Status.APPLIES,
            "漏えいした（おそれのある）項目に要配慮個人情報が含まれています。件数にかかわらず報告対象です。",
            "Sensitive data (要配慮個人情報) are among the items leaked or possibly leaked; "
            "this must be reported whatever the number.",
        )
    ja, en = "漏えいした項目に要配慮個人情報は含まれていません。", "No sensitive data are among the data items."
    if items.get("other"):
        ja += f"「その他」の項目（{items['other']}）に病歴・犯罪歴などの要配慮個人情報がないか確認してください。"
        en += f" Check that the other items ({items['other']}) hold no sensitive data such as medical or criminal records."
    return _finding(Trigger.SENSITIVE, Status.NOT_APPLICABLE, ja, en)


def _financial(values: Mapping[str, Any]) -> TriggerFinding:
    answer = values.get("card_bank")
    if answer in ("yes", "possible"):
        ja = "漏えいした" if answer == "yes" else "漏えいしたおそれのある"
        en = "leaked" if answer == "yes" else "possibly leaked"
        return _finding(
            Trigger.FINANCIAL,
            Status.APPLIES,
            f"{ja}情報にクレジットカード・銀行口座情報が含まれ、不正利用による財産的被害のおそれがあります。"
            "件数にかかわらず報告対象です。",
            f"Card or bank-account data are among the data {en}: a risk of financial loss "
            "(財産的被害のおそれ); this must be reported whatever the number.",
        )
    if answer == "none":
        return _finding(
            Trigger.FINANCIAL,
            Status.NOT_APPLICABLE,
            "クレジットカード・銀行口座情報は含まれていないことを確認済みです。",
            "Card and bank-account data are confirmed not to be involved.",
        )
    if answer == "investigating":
        return _finding(
            Trigger.FINANCIAL,
            Status.MAY_APPLY,
            "クレジットカード・銀行口座情報が含まれるか調査中です。含まれていれば報告対象です。",
            "Whether card or bank-account data are involved is under investigation; if they are, this must be reported.",
        )
    return _finding(
        Trigger.FINANCIAL,
        Status.MAY_APPLY,
        "クレジットカード・銀行口座情報が含まれるかが未回答です。含まれていれば報告対象です。",
        "Whether card or bank-account data are involved is not answered yet; if they are, this must be reported.",
    )


def _wrongful(values: Mapping[str, Any]) -> TriggerFinding:
    answer = values.get("malicious")
    if answer == "yes":
        return _finding(
            Trigger.WRONGFUL,
            Status.APPLIES,
            "攻撃や内部不正など、不正の目的によるおそれがあります。件数にかかわらず報告対象で、確報の期限は60日です。",
            "It may have been done with a wrongful purpose (attack, insider theft; 不正の目的によるおそれ); "
            "this must be reported whatever the number, and the final report is due within 60 days.",
        )
    if answer == "no":
        return _finding(
            Trigger.WRONGFUL,
            Status.NOT_APPLICABLE,
            "故意によるものではないと回答されています。",
            "It is answered that it was not done with intent.",
        )
    state_ja, state_en = ("不明です", "unknown") if answer == "unknown" else ("未回答です", "not answered yet")
    return _finding(
        Trigger.WRONGFUL,
        Status.MAY_APPLY,
        f"攻撃や内部不正など故意によるものかが{state_ja}。不正アクセスなどであれば報告対象です。",
        f"Whether it was done with intent is {state_en}; an attack or insider theft must be reported.",
    )


_UNITS_EN = {"件": "records", "人": "people", "世帯": "households"}


def _over_1000(values: Mapping[str, Any]) -> TriggerFinding:
    if count_is_unknown(values.get("max_count")):
        confirmed = _max_count(values.get("confirmed_count"))
        if confirmed is None or confirmed.value <= PEOPLE_THRESHOLD:
            return _finding(
                Trigger.OVER_1000,
                Status.MAY_APPLY,
                "最大件数が調査中のため、1,000人を超えるおそれがあります（該当するおそれ）。判明次第、確認してください。",
                "The maximum count is under investigation, so more than 1,000 people may be affected (it may apply). "
                "Check again once it is known.",
            )
        values = {**values, "max_count": values["confirmed_count"]}  # the confirmed count alone crosses the line
        most_ja, most_en = "確認済みのものだけで", "Confirmed alone"
    else:
        most_ja, most_en = "最大", "At most"
    count = _max_count(values.get("max_count"))
    if count is None:
        return _finding(
            Trigger.OVER_1000,
            Status.MAY_APPLY,
            "最大件数が未回答のため、1,000人を超えるか分かりません。",
            "The maximum count is not answered yet, so it is not known whether more than 1,000 people are affected.",
        )
    unit = values.get("count_unit") or "件"
    over = count.value > PEOPLE_THRESHOLD
    number_ja, number_en = f"{format_count_ja(count)}{unit}", f"{format_count_en(count)} {_UNITS_EN.get(unit, unit)}"
    if over:
        ja, en = f"{most_ja}{number_ja}で、1,000を超えています。", f"{most_en} {number_en}: more than 1,000."
    else:
        ja, en = f"{most_ja}{number_ja}で、1,000以下です。", f"{most_en} {number_en}: not more than 1,000."
    if count.approx and not over:
        ja += "概数のため、実際の数が1,000を超えないか確認してください。"
        en += " The number is approximate: check that the real one is not above 1,000."
    if unit != "人":
        caveat_ja, caveat_en = _unit_caveat(unit, over)
        ja, en = ja + caveat_ja, f"{en} {caveat_en}"
    return _finding(Trigger.OVER_1000, Status.APPLIES if over else Status.NOT_APPLICABLE, ja, en)


def _unit_caveat(unit: str, over: bool) -> tuple[str, str]:
    unit_ja = "件（レコード数）" if unit == "件" else unit
    unit_en = _UNITS_EN.get(unit, unit)
    if over:
        return (
            f"単位が{unit_ja}のため、本人の数（人数）を確認してください。確認できるまでは1,000人超として扱います。",
            f"The unit is {unit_en}, not people: check the number of people. Until then it is treated as more than 1,000 people.",
        )
    return (
        f"単位が{unit_ja}のため、本人の数（人数）が1,000人を超えないか確認してください。",
        f"The unit is {unit_en}, not people: check that the number of people is not above 1,000.",
    )


def _max_count(value: Any) -> Count | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Count(int(value["value"]), bool(value.get("approx")))
    except (KeyError, TypeError, ValueError):
        return None


def _discovered(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=JST)


def end_of_day_after(discovered: datetime, days: int) -> datetime:
    """Returns the end (23:59:59 JST, as UTC) of the `days`th day after the JST discovery date."""
    day: date = discovered.astimezone(JST).date() + timedelta(days=days)
    return datetime.combine(day, _END_OF_DAY, tzinfo=JST).astimezone(UTC)


def _deadlines(discovered: datetime, wrongful: Status, ppc_report: Any) -> tuple[Deadline, ...]:
    preliminary_done = ppc_report in ("preliminary", "final", "not_required")
    final_done = ppc_report in ("final", "not_required")
    preliminary = Deadline(
        PRELIMINARY,
        end_of_day_after(discovered, PRELIMINARY_DAYS),
        end_of_day_after(discovered, PRELIMINARY_OUTER_DAYS),
        preliminary_done,
    )
    if wrongful is Status.APPLIES:
        final = Deadline(FINAL, end_of_day_after(discovered, FINAL_WRONGFUL_DAYS), None, final_done)
    else:
        outer = end_of_day_after(discovered, FINAL_WRONGFUL_DAYS) if wrongful is Status.MAY_APPLY else None
        final = Deadline(FINAL, end_of_day_after(discovered, FINAL_DAYS), outer, final_done)
    return (preliminary, final)


# --- describing -----------------------------------------------------------------------------

_DUTY = {
    Duty.MANDATORY: (
        "個人情報保護委員会への報告：義務あり（報告対象の事態に該当します）",
        "Report to the Personal Information Protection Commission (PPC): mandatory",
    ),
    Duty.MAY_BE_MANDATORY: (
        "個人情報保護委員会への報告：義務となる可能性あり（未確認の項目があります。確認できるまでは報告対象として期限を管理します）",
        (
            "Report to the Personal Information Protection Commission (PPC): may be mandatory "
            "(some answers are not known yet; the deadlines are tracked until they are)"
        ),
    ),
    Duty.NOT_MANDATORY: (
        "個人情報保護委員会への報告：現在の回答では義務なし（回答が変われば判定し直します）",
        "Report to the Personal Information Protection Commission (PPC): not mandatory on the current answers",
    ),
}
_TRIGGER = {
    Trigger.SENSITIVE: ("要配慮個人情報", "Sensitive data"),
    Trigger.FINANCIAL: ("財産的被害のおそれ（カード・口座情報）", "Risk of financial loss (card or bank data)"),
    Trigger.WRONGFUL: ("不正の目的によるおそれ", "Wrongful purpose"),
    Trigger.OVER_1000: ("1,000人超", "More than 1,000 people"),
}
_STATUS = {
    Status.APPLIES: ("該当", "applies"),
    Status.MAY_APPLY: ("該当の可能性あり（未確認）", "may apply (not known yet)"),
    Status.NOT_APPLICABLE: ("非該当", "does not apply"),
}
_KIND = {PRELIMINARY: ("速報", "Preliminary report"), FINAL: ("確報", "Final report")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ja" else pair[1]


def trigger_names(findings: Iterable[TriggerFinding], lang: str) -> list[str]:
    """Each finding as "name (status)", e.g. 1,000人超（該当）."""
    if lang == "ja":
        return [f"{_pick(_TRIGGER[f.trigger], lang)}（{_pick(_STATUS[f.status], lang)}）" for f in findings]
    return [f"{_pick(_TRIGGER[f.trigger], lang)} ({_pick(_STATUS[f.status], lang)})" for f in findings]


def describe(assessment: Assessment, *, now: datetime, lang: str) -> list[str]:
    """Returns lines for people: the duty, every trigger with its reason, and every deadline."""
    lines = [_pick(_DUTY[assessment.duty], lang)]
    if assessment.decided_not_required:
        lines.append(_not_required_line(assessment.duty, lang))
    for finding in assessment.findings:
        name, status = _pick(_TRIGGER[finding.trigger], lang), _pick(_STATUS[finding.status], lang)
        separator = "：" if lang == "ja" else ": "
        bullet = "・" if lang == "ja" else "• "
        lines.append(f"{bullet}{name}{separator}{status}{'。' if lang == 'ja' else '. '}{finding.reason(lang)}")
    for deadline in assessment.deadlines:
        lines.append(_deadline_line(deadline, now=now, lang=lang, not_required=assessment.decided_not_required))
    if not assessment.deadlines and assessment.duty is not Duty.NOT_MANDATORY:
        lines.append(
            _pick(
                (
                    "発覚日時が未回答のため、報告期限を計算できません。",
                    "The discovery time is not answered yet, so the deadlines cannot be worked out.",
                ),
                lang,
            )
        )
    return lines


def describe_deadline(deadline: Deadline, *, now: datetime, lang: str) -> str:
    """One deadline for people: its kind, date with weekday and the time left (for nudges)."""
    return _deadline_line(deadline, now=now, lang=lang, not_required=False)


def _not_required_line(duty: Duty, lang: str) -> str:
    line = _pick(
        (
            "「報告不要」と判断済みです（個人情報保護委員会への報告の回答）。",
            "Someone decided that no report is required (the PPC report answer).",
        ),
        lang,
    )
    if duty is Duty.MANDATORY:
        line += _pick(
            (
                "ただし、下記のとおり報告対象の事態に該当します。判断を見直してください。",
                " But a trigger below applies: please review that decision.",
            ),
            lang,
        )
    elif duty is Duty.MAY_BE_MANDATORY:
        line += _pick(
            (
                "ただし、未確認の項目によっては報告対象となります。確認してください。",
                " But depending on the answers still unknown a report may be required: please check.",
            ),
            lang,
        )
    return line


def _deadline_line(deadline: Deadline, *, now: datetime, lang: str, not_required: bool) -> str:
    kind = _pick(_KIND[deadline.kind], lang)
    if deadline.done:
        state = _pick(("報告不要と判断済み", "decided not required") if not_required else ("提出済み", "filed"), lang)
        return f"{kind}：{state}" if lang == "ja" else f"{kind}: {state}"
    due, left = format_datetime(deadline.due, lang), _time_left_text(deadline.time_left(now), lang)
    line = f"{kind}の期限：{due}まで（{left}）" if lang == "ja" else f"{kind} due {due} ({left})"
    if deadline.outer_limit is not None:
        line += _outer_text(deadline, deadline.outer_limit, lang)
    return line


def _outer_text(deadline: Deadline, outer_limit: datetime, lang: str) -> str:
    outer = format_datetime(outer_limit, lang)
    if deadline.kind == PRELIMINARY:
        return _pick(
            (
                f"。遅くとも{outer}まで（{PRELIMINARY_OUTER_DAYS}日以内）",
                f"; outer limit {outer} ({PRELIMINARY_OUTER_DAYS} days)",
            ),
            lang,
        )
    return _pick(
        (
            f"。不正の目的によるおそれが確認された場合に限り、{outer}まで（{FINAL_WRONGFUL_DAYS}日以内）",
            f"; only if the wrongful purpose is confirmed: {outer} ({FINAL_WRONGFUL_DAYS} days)",
        ),
        lang,
    )


def _time_left_text(left: timedelta, lang: str) -> str:
    """Returns "あと2日5時間" / "2 days 5 hours left", or overdue by how much."""
    if left <= timedelta(0):
        span = span_text(-left, lang)
        return f"期限超過（{span}経過）" if lang == "ja" else f"overdue by {span}"
    span = span_text(left, lang)
    return f"あと{span}" if lang == "ja" else f"{span} left"


def span_text(delta: timedelta, lang: str) -> str:
    """A length of time for people: "2日5時間" / "2 days 5 hours" (minutes only when under an hour)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if lang == "ja":
        parts = [f"{days}日"] * bool(days) + [f"{hours}時間"] * bool(hours)
        return "".join(parts) or (f"{minutes}分" if minutes else "1分未満")
    parts = [_plural(days, "day")] * bool(days) + [_plural(hours, "hour")] * bool(hours)
    return " ".join(parts) or (_plural(minutes, "minute") if minutes else "less than a minute")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
