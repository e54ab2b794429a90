"""The conditional follow-up `card_bank_detail`: asked right after `card_bank` when card or bank data are,
may be, or are being checked to be involved; never when they are confirmed absent.

Every value here is invented.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.checklist import (
    CHECKLIST_ITEMS,
    ITEMS,
    REQUIRED,
    STEP_BY_ID,
    asked_items,
    next_step,
    open_items,
    open_steps,
    progress,
)
from tests.test_domain import VALUES

DETAIL = {"selected": ["card_number"], "other": ""}


def asked_in_order(card_bank: str) -> list[str]:
    """The steps the bot asks, one after another, answering each as it comes."""
    answers: dict[str, Any] = {}
    asked = []
    while (step := next_step(answers)) is not None:
        asked.append(step.id)
        for item_id in step.items:
            if item_id == "card_bank":
                answers[item_id] = card_bank
            elif item_id == "card_bank_detail":
                answers[item_id] = DETAIL
            else:
                answers[item_id] = VALUES[item_id]
    return asked


@pytest.mark.parametrize("card_bank", ["yes", "possible", "investigating"])
def test_detail_is_asked_right_after_card_bank_when_data_may_be_involved(card_bank: str) -> None:
    asked = asked_in_order(card_bank)
    assert asked[asked.index("card_bank") + 1] == "card_bank_detail"
    assert asked.index("card_bank_detail") < asked.index("customer_actions")  # before the required ones that follow
    assert asked.count("card_bank_detail") == 1


def test_detail_is_never_asked_when_card_and_bank_data_are_confirmed_absent() -> None:
    asked = asked_in_order("none")
    assert "card_bank_detail" not in asked
    assert asked[asked.index("card_bank") + 1] == "customer_actions"


def test_detail_is_not_asked_before_card_bank_is_answered() -> None:
    answers = {
        k: VALUES[k]
        for k in ("title", "discovered_at", "summary", "data_items", "max_count", "confirmed_count", "services")
    }
    assert next_step(answers) is STEP_BY_ID["card_bank"]
    assert "card_bank_detail" not in {item.id for item in open_items(answers)}


@pytest.mark.parametrize(
    ("card_bank", "applies"),
    [("yes", True), ("possible", True), ("investigating", True), ("none", False), (None, False)],
)
def test_open_items_steps_and_progress_honour_the_condition(card_bank: str | None, applies: bool) -> None:
    answers = {k: v for k, v in VALUES.items() if k != "card_bank_detail"}
    if card_bank is None:
        del answers["card_bank"]
    else:
        answers["card_bank"] = card_bank
    assert ("card_bank_detail" in {i.id for i in open_items(answers)}) is applies
    assert ("card_bank_detail" in {s.id for s in open_steps(answers, required=False)}) is applies
    assert ("card_bank_detail" in {i.id for i in asked_items(answers)}) is applies
    done = progress(answers)
    assert done.optional_total == len(CHECKLIST_ITEMS) - len(REQUIRED) - (0 if applies else 1)


def test_the_follow_up_is_optional_so_it_never_holds_up_the_required_questions() -> None:
    answers = {k: VALUES[k] for k in REQUIRED}
    answers["card_bank"] = "yes"
    assert not ITEMS["card_bank_detail"].required
    assert open_steps(answers, required=True) == []
    # every required item answered: the detail comes first among the optional questions
    assert next_step(answers) is STEP_BY_ID["card_bank_detail"]


def test_a_required_question_still_open_comes_after_the_follow_up_only_in_checklist_order() -> None:
    answers = {k: VALUES[k] for k in REQUIRED if k not in ("data_items", "contact")}
    answers["card_bank"] = "investigating"
    # data_items comes before card_bank: it is asked first; then the follow-up; then contact
    assert next_step(answers) is STEP_BY_ID["data_items"]
    answers["data_items"] = VALUES["data_items"]
    assert next_step(answers) is STEP_BY_ID["card_bank_detail"]
    answers["card_bank_detail"] = DETAIL
    assert next_step(answers) is STEP_BY_ID["contact"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_follow_up_modal_has_its_checkboxes_and_its_own_other_field(lang: str) -> None:
    from bot.i18n import t
    from bot.ui.modals import step_modal

    view = step_modal(STEP_BY_ID["card_bank_detail"], incident_id=1, answers={}, lang=lang)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["card_bank_detail", "card_bank_detail_other"]
    options = [o["value"] for o in inputs["card_bank_detail"]["element"]["options"]]
    assert options == [
        "card_number",
        "card_expiry",
        "card_cvc",
        "card_holder",
        "bank_name",
        "bank_branch",
        "bank_account",
        "bank_holder",
        "investigating",
    ]
    placeholder = inputs["card_bank_detail_other"]["element"]["placeholder"]["text"]
    assert placeholder == t("step.other_hint.card_bank_detail", lang) != t("step.other_hint", lang)
    data_view = step_modal(STEP_BY_ID["data_items"], incident_id=1, answers={}, lang=lang)
    other = next(b for b in data_view["blocks"] if b.get("block_id") == "data_items_other")
    assert other["element"]["placeholder"]["text"] == t("step.other_hint", lang)


# --- a question submitted empty counts as asked (issue 18, item 9) -------------------------------------


def test_the_follow_up_left_empty_no_longer_holds_up_the_required_questions() -> None:
    answers = {k: VALUES[k] for k in REQUIRED if k not in ("customer_actions", "contact")}
    answers["card_bank"] = "yes"
    assert next_step(answers) is STEP_BY_ID["card_bank_detail"]
    assert next_step(answers, ["card_bank_detail"]) is STEP_BY_ID["customer_actions"]
    answers["customer_actions"] = VALUES["customer_actions"]
    assert next_step(answers, ["card_bank_detail"]) is STEP_BY_ID["contact"]
    # still open: listed among the optional steps, counted as open
    assert "card_bank_detail" in {step.id for step in open_steps(answers, required=False)}


def test_among_the_optional_questions_those_never_left_empty_come_first() -> None:
    answers = {k: VALUES[k] for k in REQUIRED}
    answers["card_bank"] = "possible"
    assert next_step(answers, ["card_bank_detail"]) is STEP_BY_ID["cause"]
    assert next_step(answers, ["card_bank_detail", "cause"]) is STEP_BY_ID["malicious"]


def test_once_every_open_question_was_left_empty_the_one_left_empty_longest_ago_comes_first() -> None:
    answers = {k: VALUES[k] for k in REQUIRED}
    answers["card_bank"] = "yes"
    optional = [step.id for step in open_steps(answers, required=False)]
    assert next_step(answers, optional) is STEP_BY_ID[optional[0]]
    # leaving that one empty again moves it last: the next question always moves on
    again = [*optional[1:], optional[0]]
    assert next_step(answers, again) is STEP_BY_ID[optional[1]]


def test_an_answered_item_left_empty_before_changes_nothing() -> None:
    answers = {k: VALUES[k] for k in REQUIRED}
    answers["card_bank"], answers["card_bank_detail"] = "yes", DETAIL
    assert next_step(answers, ["card_bank_detail"]) is STEP_BY_ID["cause"]
    assert next_step({k: v for k, v in answers.items() if k != "contact"}, ["contact"]) is STEP_BY_ID["contact"]
