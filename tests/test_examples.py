"""The files a newcomer starts from: .env.example, and the example answers `leakbot draft` reads.

`leakbot draft` runs as a process once (as the README has it typed); every other document and language is
drafted in-process through bot.cli.main, the same code after the argument parsing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot import cli
from bot.checklist import ITEMS
from bot.config import ConfigError, Settings, load_settings
from bot.drafting import DOCS
from bot.offline import OfflineError, load_answers
from tests.contract import CONTRACT_VARIABLES
from tests.processes import CONFIG_VARS, ROOT, clean_env

ENV_EXAMPLE = ROOT / ".env.example"
EXAMPLES = {"ja": ROOT / "examples" / "answers.ja.yaml", "en": ROOT / "examples" / "answers.en.yaml"}
# The configuration table of the contract (shared/CONTRACT.md), every variable of it.
# What an operator pastes over the placeholders (invented, in the shapes Slack gives).
FILLED = {
    "xoxb-your-bot-token": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "your-signing-secret": "8f14e45fceea167a5a36dedd4bea2543",
    "xapp-your-app-token": "xapp-1-A0123ABCDEF-1234567890-0123456789abcdef",
    "a-long-random-string": "3f2b9c0d5e6a7b8c9d0e1f2a3b4c5d6e",
}
ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", re.MULTILINE)
# names a file the operator provides: left commented when every other line is uncommented
OPERATOR_FILE = ("LEAKBOT_DOCX_TEMPLATE",)


# --- .env.example ------------------------------------------------------------------------------------------


def example_env() -> str:
    return ENV_EXAMPLE.read_text(encoding="utf-8")


def filled(text: str) -> str:
    for placeholder, value in FILLED.items():
        text = text.replace(placeholder, value)
    return text


@pytest.fixture
def no_settings_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Only the file under test is read: no leakbot variable from this process, no .env of the checkout."""
    for name in (*CONFIG_VARS, *CONTRACT_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_env_example_names_every_variable_of_the_contract_with_a_comment() -> None:
    text = example_env()
    named = [match[1] for match in ASSIGNMENT.findall(text)]
    assert set(CONTRACT_VARIABLES) <= set(named), sorted(set(CONTRACT_VARIABLES) - set(named))
    assert {name.upper() for name in Settings.model_fields} <= set(named)  # and every setting the code reads
    lines = text.splitlines()
    for name in CONTRACT_VARIABLES:  # a comment right above it, or above the lines of its group
        above = next(i for i, line in enumerate(lines) if (m := ASSIGNMENT.match(line)) and m[2] == name) - 1
        while ASSIGNMENT.match(lines[above]):
            above -= 1
        assert lines[above].startswith("# ") and lines[above][2:].strip(), f"{name} has no comment above it"


def test_env_example_sets_only_the_required_values_and_tokens_are_placeholders() -> None:
    values = dotenv_values(ENV_EXAMPLE)
    # Socket Mode, the README's default: the two tokens; HTTP mode's signing secret waits behind a #
    assert values == {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_APP_TOKEN": "xapp-your-app-token"}
    for placeholder in FILLED:
        assert placeholder in example_env()


def test_env_example_loads_once_the_placeholders_are_replaced(no_settings_in_environment: Path) -> None:
    (no_settings_in_environment / ".env").write_text(filled(example_env()), encoding="utf-8")
    settings = load_settings()  # .env in the working directory, as leakbot reads it
    assert settings.slack_bot_token == FILLED["xoxb-your-bot-token"]
    assert settings.slack_app_token == FILLED["xapp-your-app-token"]
    assert settings.socket_mode
    assert settings == Settings(  # every commented default is the default
        slack_bot_token=FILLED["xoxb-your-bot-token"],
        slack_app_token=FILLED["xapp-your-app-token"],
        _env_file=None,
    )


def test_env_example_turned_to_http_mode_as_its_comments_say(no_settings_in_environment: Path) -> None:
    """A # before SLACK_APP_TOKEN and none before SLACK_SIGNING_SECRET: HTTP mode."""
    text = (
        example_env()
        .replace("\nSLACK_APP_TOKEN=", "\n# SLACK_APP_TOKEN=")
        .replace("\n# SLACK_SIGNING_SECRET=", "\nSLACK_SIGNING_SECRET=")
    )
    (no_settings_in_environment / ".env").write_text(filled(text), encoding="utf-8")
    settings = load_settings()
    assert not settings.socket_mode
    assert settings.slack_signing_secret == FILLED["your-signing-secret"]


def test_env_example_copied_and_not_filled_in_is_refused_in_one_line(no_settings_in_environment: Path) -> None:
    (no_settings_in_environment / ".env").write_text(example_env(), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith("SLACK_BOT_TOKEN is still the placeholder of .env.example")


def test_env_example_loads_with_every_optional_line_uncommented(no_settings_in_environment: Path) -> None:
    """Each commented example is a valid value (the last of two alternatives wins, as in any .env)."""
    uncommented = re.sub(
        r"^#\s*(?!" + "|".join(OPERATOR_FILE) + r")([A-Z][A-Z0-9_]*=)", r"\1", example_env(), flags=re.MULTILINE
    )
    (no_settings_in_environment / ".env").write_text(filled(uncommented), encoding="utf-8")
    settings = load_settings()
    assert settings.socket_mode and settings.slack_app_token == FILLED["xapp-your-app-token"]
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.leakbot_company == "Hoshizora Greens Co., Ltd."
    assert settings.leakbot_ops_token is not None


# --- the example answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_example_answers_every_required_item_and_most_optional_ones(lang: str) -> None:
    values = load_answers(EXAMPLES[lang], lang=lang)
    required = {item.id for item in ITEMS.values() if item.required}
    optional = {item.id for item in ITEMS.values() if not item.required}
    assert required <= set(values), sorted(required - set(values))
    assert len(optional & set(values)) > len(optional) / 2, sorted(optional - set(values))
    assert values["max_count"]["value"] == 12_400 and values["confirmed_count"]["value"] == 8_150
    assert values["card_bank"] == "possible" and values["card_bank_detail"]["selected"] == [
        "card_expiry",
        "card_holder",
    ]
    assert values["services"].count("\n") == 1  # the YAML list, one service a line


def test_both_examples_tell_the_same_incident() -> None:
    ja, en = (load_answers(EXAMPLES[lang], lang=lang) for lang in ("ja", "en"))
    assert set(ja) == set(en)
    same = ("discovered_at", "data_items", "max_count", "confirmed_count", "card_bank", "card_bank_detail")
    for item_id in same:
        if item_id == "data_items":
            assert ja[item_id]["selected"] == en[item_id]["selected"]
        else:
            assert ja[item_id] == en[item_id] or ja[item_id]["value"] == en[item_id]["value"], item_id
    for item_id in ("malicious", "ppc_report", "count_unit"):
        assert ja[item_id] == en[item_id]


def test_leakbot_draft_of_the_japanese_example_as_typed(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "draft", str(EXAMPLES["ja"])],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "最大12,400件（うち漏えいを確認したもの8,150件）" in done.stdout
    assert "クレジットカード情報（有効期限、カード名義）が含まれている可能性があります" in done.stdout
    for fact in ("会員データベースへの不正アクセス", "「ほしぞら定期便」", "0120-000-000", "配送先の備考欄"):
        assert fact in done.stdout


def draft(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = cli.main(["draft", *args])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    return out


CARD_BANK = {
    "ja": "クレジットカード情報（有効期限、カード名義）",
    "en": "credit-card data (expiry date and cardholder name)",
}


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_document_drafts_from_its_example(
    capsys: pytest.CaptureFixture[str], no_settings_in_environment: Path, doc: str, lang: str
) -> None:
    text = draft(capsys, str(EXAMPLES[lang]), "--doc", doc, "--lang", lang)
    if doc != "notice":  # the letter to each person affected gives no totals
        assert "12,400" in text and "8,150" in text
        assert (
            text.index("12,400") < text.index("8,150") < text.index("12,400") + 60
        )  # the maximum, the confirmed beside
    assert CARD_BANK[lang] in text
    assert "0120-000-000" in text and "hoshizora-greens.example/support/2026-11" in text


def test_the_english_public_draft_states_the_facts(
    capsys: pytest.CaptureFixture[str], no_settings_in_environment: Path
) -> None:
    text = draft(capsys, str(EXAMPLES["en"]), "--lang", "en")
    assert "Up to 12,400 records may be affected; we have confirmed that 8,150 have leaked." in text
    assert "The data involved may include credit-card data (expiry date and cardholder name)." in text
    assert "Members of Hoshizora Teikibin, our weekly vegetable box\nCustomers who ordered" in text


# --- a list for a multi-line item, and what is not text ------------------------------------------------------


def test_a_yaml_list_for_a_multi_line_item_is_one_entry_a_line(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "services:\n  - ほしぞら定期便\n  -\n  - ほしぞらマルシェ\n  - 2024\ncustomer_actions: [不審なメールに注意]\n",
        encoding="utf-8",
    )
    values = load_answers(answers)
    assert values == {"services": "ほしぞら定期便\nほしぞらマルシェ\n2024", "customer_actions": "不審なメールに注意"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("services:\n  定期便: 会員\n", "services: expected text or a list of lines, got a mapping"),
        ("services: [定期便, {アプリ: 会員}]\n", "services: each line of the list must be text, not a mapping"),
        ("title: [会員DB, 流出]\n", "title: expected one line of text, got a list"),
    ],
)
def test_what_is_not_text_is_one_line_and_exit_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, words: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(text, encoding="utf-8")
    with pytest.raises(OfflineError, match=re.escape(words)):
        load_answers(answers)
    assert cli.main(["draft", str(answers)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"leakbot: {answers}: {words} (quote it if it is meant as text)\n"
