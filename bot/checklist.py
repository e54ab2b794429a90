"""The checklist as data: every item of the contract, the order it is asked in, and progress rules.

Adding an item is one `Item` entry here plus its place in `STEPS`; wording lives beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]


class Kind(StrEnum):
    TEXT = "text"  # one line
    MULTILINE = "multiline"
    COUNT = "count"  # a record count in Japanese or plain notation
    CHOICE = "choice"  # radio buttons
    CHECKBOXES = "checkboxes"  # several choices plus an "other" text
    DATETIME = "datetime"
    USERS = "users"
    FLAG = "flag"  # one checkbox: True when ticked, no answer otherwise


@dataclass(frozen=True)
class Choice:
    value: str
    ja: str
    en: str

    def label(self, lang: str) -> str:
        """Returns the label in the given language."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Item:
    id: str
    kind: Kind
    required: bool
    ja: str  # the label
    en: str
    hint_ja: str = ""
    hint_en: str = ""
    choices: tuple[Choice, ...] = ()
    max_length: int = 3000
    default: str | None = None  # a choice value that stands as the answer until one is given
    # When set, the item is asked (and counted, and shown as open) only while this holds for the answers.
    ask_when: Predicate | None = field(default=None, compare=False)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """True when the item is to be asked for these answers (always, unless `ask_when` says otherwise)."""
        return self.ask_when is None or bool(self.ask_when(answers))

    def label(self, lang: str) -> str:
        """Returns the label in the given language."""
        return self.ja if lang == "ja" else self.en

    def hint(self, lang: str) -> str:
        """Returns the help text in the given language."""
        return self.hint_ja if lang == "ja" else self.hint_en

    def choice(self, value: str) -> Choice | None:
        """Returns the choice with this value, if any."""
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Step:
    """One question: one modal, holding one or more related items."""

    id: str
    items: tuple[str, ...]
    ja: str  # modal title: at most 24 characters
    en: str
    question_ja: str = ""
    question_en: str = ""
    # A follow-up: asked right after the step before it, among the required questions, though optional.
    follow_up: bool = False

    def title(self, lang: str) -> str:
        """Returns the modal title in the given language."""
        return self.ja if lang == "ja" else self.en

    def question(self, lang: str) -> str:
        """Returns the question posted in the channel."""
        return self.question_ja if lang == "ja" else self.question_en


DATA_ITEM_CHOICES = (
    Choice("name", "氏名", "name"),
    Choice("address", "住所", "postal address"),
    Choice("phone", "電話番号", "phone number"),
    Choice("birth_date", "生年月日", "date of birth"),
    Choice("gender", "性別", "gender"),
    Choice("email", "メールアドレス", "e-mail address"),
    Choice("family", "家族の情報（お子様の氏名等）", "family members' data (e.g. children's names)"),
    Choice("account", "会員ID・ログイン情報", "member ID and login data"),
    Choice("history", "購入・利用履歴", "purchase and usage history"),
    Choice("sensitive", "要配慮個人情報（病歴等）", "sensitive data (e.g. medical history)"),
)

CARD_BANK_CHOICES = (
    Choice("none", "含まれていない（確認済み）", "not involved (confirmed)"),
    Choice("possible", "含まれている可能性がある", "possibly involved"),
    Choice("yes", "含まれている", "involved"),
    Choice("investigating", "調査中", "under investigation"),
)

CARD_BANK_DETAIL_CHOICES = (
    Choice("card_number", "カード番号", "card number"),
    Choice("card_expiry", "有効期限", "expiry date"),
    Choice("card_cvc", "セキュリティコード", "security code"),
    Choice("card_holder", "カード名義", "cardholder name"),
    Choice("bank_name", "金融機関名", "bank name"),
    Choice("bank_branch", "支店名", "branch"),
    Choice("bank_account", "口座番号", "account number"),
    Choice("bank_holder", "口座名義", "account holder"),
    Choice("investigating", "どの項目かは調査中", "which fields is under investigation"),
)
CARD_BANK_INVOLVED = ("yes", "possible", "investigating")


def card_bank_involved(answers: Mapping[str, Any]) -> bool:
    """True when card or bank data are, may be, or are being checked to be involved: then ask which fields."""
    return answers.get("card_bank") in CARD_BANK_INVOLVED


UNIT_CHOICES = (
    Choice("件", "件（レコード数）", "records"),
    Choice("人", "人", "people"),
    Choice("世帯", "世帯", "households"),
)

MALICIOUS_CHOICES = (
    Choice("yes", "はい（攻撃・内部不正など）", "yes (attack, insider theft, …)"),
    Choice("no", "いいえ", "no"),
    Choice("unknown", "不明", "unknown"),
)

PPC_CHOICES = (
    Choice("not_yet", "未報告", "not yet filed"),
    Choice("preliminary", "速報を提出済み", "preliminary report filed"),
    Choice("final", "確報を提出済み", "final report filed"),
    Choice("not_required", "報告不要", "not required"),
)

_ITEMS = (
    Item(
        "title",
        Kind.TEXT,
        True,
        "件名",
        "Title",
        "例：顧客DBの流出疑い",
        "e.g. Customer DB leak suspected",
        max_length=150,
    ),
    Item(
        "discovered_at",
        Kind.DATETIME,
        True,
        "発覚日時",
        "Discovered at",
        "漏えいが発覚した日時",
        "When the leak was discovered",
    ),
    Item("summary", Kind.MULTILINE, True, "現時点で分かっていること", "What is known so far"),
    Item(
        "responders",
        Kind.USERS,
        False,
        "対応メンバー",
        "Responders",
        "チャンネルに招待する人",
        "People to invite to the channel",
    ),
    Item(
        "exercise",
        Kind.FLAG,
        False,
        "訓練",
        "Exercise",
        "訓練ではチャンネル名が drill- で始まり、すべての投稿と文書に「訓練」と記されます。",
        "A drill's channel starts with drill-, and every message and document is marked EXERCISE.",
        choices=(
            Choice("drill", "これは訓練です（実際の事案ではありません）", "This is a drill (not a real incident)"),
        ),
    ),
    Item(
        "data_items",
        Kind.CHECKBOXES,
        True,
        "漏えいした（おそれのある）項目",
        "Data items leaked (or possibly)",
        choices=DATA_ITEM_CHOICES,
    ),
    Item(
        "max_count",
        Kind.COUNT,
        True,
        "最大件数",
        "Maximum count",
        "漏えいした可能性のある最大の件数（例：約2,070万件。まだ分からなければ「調査中」）",
        "The largest number that may have leaked (e.g. about 20,700,000; if not known yet, under investigation)",
        max_length=50,
    ),
    Item(
        "confirmed_count",
        Kind.COUNT,
        True,
        "確認済み件数",
        "Confirmed count",
        "漏えいが確認された件数（例：約760万件。まだ分からなければ「調査中」）",
        "The number confirmed leaked (e.g. 7,600,000; if not known yet, under investigation)",
        max_length=50,
    ),
    Item("count_unit", Kind.CHOICE, False, "件数の単位", "Unit of the counts", choices=UNIT_CHOICES, default="件"),
    Item(
        "services",
        Kind.MULTILINE,
        True,
        "対象サービス",
        "Affected services",
        "どのサービスのお客様が対象か",
        "Which services' customers are affected",
    ),
    Item(
        "card_bank",
        Kind.CHOICE,
        True,
        "クレジットカード・銀行口座情報",
        "Card or bank-account data",
        choices=CARD_BANK_CHOICES,
    ),
    Item(
        "card_bank_detail",
        Kind.CHECKBOXES,
        False,
        "カード・口座情報の項目",
        "Card or bank fields",
        "漏えいした（おそれのある）カード・口座情報の項目",
        "Which card or bank fields leaked, or may have",
        choices=CARD_BANK_DETAIL_CHOICES,
        ask_when=card_bank_involved,
    ),
    Item(
        "customer_actions",
        Kind.MULTILINE,
        True,
        "お客様へのお願い",
        "What customers should do",
        "お客様にしていただきたいこと、注意していただきたいこと",
        "What customers should do and watch for",
    ),
    Item(
        "contact",
        Kind.MULTILINE,
        True,
        "お問い合わせ窓口",
        "Where to ask",
        "窓口名・電話番号・受付時間・Webページ",
        "Desk name, phone, hours, web page",
    ),
    Item("cause", Kind.MULTILINE, False, "原因", "Cause", "現時点で分かっている範囲で", "As far as known"),
    Item("malicious", Kind.CHOICE, False, "故意によるものか", "Done with intent?", choices=MALICIOUS_CHOICES),
    Item(
        "secondary_damage",
        Kind.MULTILINE,
        False,
        "二次被害",
        "Secondary damage",
        "確認された、または懸念される悪用",
        "Misuse seen or feared",
    ),
    Item(
        "measures",
        Kind.MULTILINE,
        False,
        "対応・再発防止策",
        "Measures",
        "被害拡大の防止と再発防止のために行っていること",
        "What is done to stop it and prevent a recurrence",
    ),
    Item(
        "occurred_at",
        Kind.TEXT,
        False,
        "発生日時・期間",
        "When it happened",
        "例：2026年11月20日〜25日（推定）",
        "e.g. 20-25 November 2026 (estimated)",
        max_length=200,
    ),
    Item(
        "notification",
        Kind.MULTILINE,
        False,
        "本人への通知",
        "Notifying the people affected",
        "いつ・どの方法で本人に知らせるか（例：11月29日より書面にて順次通知）",
        "How and when the people affected are told (e.g. by letter from 29 November)",
    ),
    Item(
        "publication",
        Kind.MULTILINE,
        False,
        "公表",
        "Publication",
        "いつ・どの方法で公表するか（例：11月29日10時 当社ウェブサイトに掲載）",
        "When and how the public is told (e.g. on our website, 29 November 10:00)",
    ),
    Item(
        "authorities",
        Kind.MULTILINE,
        False,
        "関係機関への報告・相談",
        "Authorities",
        "警察・所管官庁・その他の規制当局など",
        "Police, ministries, other regulators consulted",
    ),
    Item("ppc_report", Kind.CHOICE, False, "個人情報保護委員会への報告", "Report to the PPC", choices=PPC_CHOICES),
)
ITEMS: dict[str, Item] = {item.id: item for item in _ITEMS}

INCIDENT_STEP = Step(
    "incident",
    ("title", "discovered_at", "summary", "responders", "exercise"),
    "漏えい対応を開始",
    "Open a leak incident",
)

STEPS: tuple[Step, ...] = (
    INCIDENT_STEP,
    Step(
        "data_items",
        ("data_items",),
        "漏えいした項目",
        "Data items",
        "どの個人情報の項目が漏えいした（またはそのおそれがある）か教えてください。",
        "Which personal-data items leaked, or may have?",
    ),
    Step(
        "counts",
        ("max_count", "confirmed_count", "count_unit"),
        "件数",
        "Counts",
        "件数を教えてください。まず最大の件数、次に確認済みの件数です（公表する数字を後から増やさないために）。",
        "How many? First the largest possible count, then the confirmed one, so the published number never has to grow.",
    ),
    Step(
        "services",
        ("services",),
        "対象サービス",
        "Affected services",
        "どのサービスのお客様が対象ですか。対象外のお客様が安心できるように具体的に。",
        "Which services' customers are affected? Be specific, so everyone else can stop worrying.",
    ),
    Step(
        "card_bank",
        ("card_bank",),
        "カード・口座情報",
        "Card and bank data",
        "クレジットカード情報や銀行口座情報は含まれていますか。聞かれなくても必ず明記します。",
        "Were credit-card or bank-account data involved? The disclosure always says so, asked or not.",
    ),
    Step(
        "card_bank_detail",
        ("card_bank_detail",),
        "カード・口座情報の項目",
        "Card and bank fields",
        "どのカード・口座情報の項目ですか。公表文にはその項目を明記します。",
        "Which card or bank fields? The disclosure names them.",
        follow_up=True,
    ),
    Step(
        "customer_actions",
        ("customer_actions",),
        "お客様へのお願い",
        "Customer actions",
        "お客様に何をしていただきたいですか。注意していただきたいことは何ですか。",
        "What should customers do, and what should they watch for?",
    ),
    Step(
        "contact",
        ("contact",),
        "お問い合わせ窓口",
        "Contact",
        "お客様はどこに問い合わせればよいですか（窓口名・電話番号・受付時間・Webページ）。",
        "Where can customers ask (desk, phone, hours, web page)?",
    ),
    Step(
        "cause",
        ("cause",),
        "原因",
        "Cause",
        "原因について分かっていることを教えてください（任意）。",
        "What is known about the cause? (optional)",
    ),
    Step(
        "malicious",
        ("malicious",),
        "故意によるものか",
        "Intent",
        "攻撃や内部不正など、故意によるものですか（任意）。",
        "Was it done with intent, such as an attack or insider theft? (optional)",
    ),
    Step(
        "secondary_damage",
        ("secondary_damage",),
        "二次被害",
        "Secondary damage",
        "二次被害（悪用）は確認されていますか、懸念されていますか（任意）。",
        "Has misuse been seen, or is it feared? (optional)",
    ),
    Step(
        "measures",
        ("measures",),
        "対応・再発防止策",
        "Measures",
        "被害拡大の防止と再発防止のために何をしていますか（任意）。",
        "What is being done to stop it and prevent a recurrence? (optional)",
    ),
    Step(
        "occurred_at",
        ("occurred_at",),
        "発生日時・期間",
        "When it happened",
        "本件はいつ発生しましたか（日時または期間、任意）。",
        "When did it happen (a time or a period)? (optional)",
    ),
    Step(
        "notification",
        ("notification",),
        "本人への通知",
        "Notifying people",
        "対象の方へ、いつ・どの方法で知らせますか（任意）。",
        "How and when are the people affected told? (optional)",
    ),
    Step(
        "publication",
        ("publication",),
        "公表",
        "Publication",
        "いつ・どの方法で公表しますか（任意）。",
        "When and how is the public told? (optional)",
    ),
    Step(
        "authorities",
        ("authorities",),
        "関係機関",
        "Authorities",
        "警察・所管官庁など、報告・相談した関係機関は（任意）。",
        "Which police, ministries or regulators were consulted? (optional)",
    ),
    Step(
        "ppc_report",
        ("ppc_report",),
        "個人情報保護委員会",
        "PPC report",
        "個人情報保護委員会への報告の状況は（任意）。",
        "Where does the report to the PPC stand? (optional)",
    ),
)
STEP_BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
CHECKLIST_STEPS: tuple[Step, ...] = STEPS[1:]
# Items shown on the checklist: everything but the people list, which is not a fact of the leak.
CHECKLIST_ITEMS: tuple[Item, ...] = tuple(item for item in _ITEMS if item.id not in ("responders", "exercise"))
REQUIRED: tuple[str, ...] = tuple(item.id for item in _ITEMS if item.required)


def step_of(item_id: str) -> Step:
    """Returns the step whose modal asks this item."""
    return next(step for step in STEPS if item_id in step.items)


def is_answered(item_id: str, answers: Mapping[str, Any]) -> bool:
    """True when the item has an answer (a default counts for optional items only)."""
    return item_id in answers


def missing_required(answers: Mapping[str, Any]) -> list[str]:
    """Returns the ids of required items without an answer, in checklist order."""
    return [item_id for item_id in REQUIRED if not is_answered(item_id, answers)]


def asked_items(answers: Mapping[str, Any]) -> list[Item]:
    """Returns the checklist items that apply to these answers (a follow-up only when its condition holds)."""
    return [item for item in CHECKLIST_ITEMS if item.applies(answers)]


def open_items(answers: Mapping[str, Any]) -> list[Item]:
    """Returns the checklist items that apply and have no answer, in checklist order."""
    return [item for item in asked_items(answers) if not is_answered(item.id, answers) and item.default is None]


def open_steps(answers: Mapping[str, Any], *, required: bool) -> list[Step]:
    """Returns the steps with an open item of that kind (required or optional), in order."""
    wanted = {item.id for item in open_items(answers) if item.required == required}
    return [step for step in STEPS if wanted & set(step.items)]


def next_step(answers: Mapping[str, Any], left_empty: Sequence[str] = ()) -> Step | None:
    """Returns the next step to ask: required items first (an open follow-up in its place), then optional ones.

    `left_empty`: the items whose question was submitted empty, the one left empty longest ago first. Such an
    item stays open, but counts as asked: a follow-up left empty no longer holds up the required questions,
    and among the optional questions those never left empty come first, then the others, least recently
    left empty first (so leaving one empty again always moves on).
    """
    opened = {item.id for item in open_items(answers)}
    skipped = set(left_empty)
    first_pass = [
        step
        for step in STEPS
        if opened & set(step.items)
        and (
            any(ITEMS[i].required for i in step.items if i in opened)
            or (step.follow_up and bool(opened & set(step.items) - skipped))
        )
    ]
    if any(ITEMS[i].required for step in first_pass for i in step.items if i in opened):
        return first_pass[0]
    steps = open_steps(answers, required=False)
    fresh = [step for step in steps if (opened & set(step.items)) - skipped]
    if fresh:
        return fresh[0]
    order = {item_id: n for n, item_id in enumerate(left_empty)}
    return min(steps, key=lambda step: max(order.get(i, -1) for i in step.items if i in opened), default=None)


@dataclass(frozen=True)
class Progress:
    required_done: int
    required_total: int
    optional_done: int
    optional_total: int
    complete: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "complete", self.required_done == self.required_total)


def progress(answers: Mapping[str, Any]) -> Progress:
    """Counts the answered items, required and optional, of the checklist (those that apply)."""
    asked = asked_items(answers)
    still_open = open_items(answers)
    required = sum(i.required for i in asked)
    optional = len(asked) - required
    open_required = sum(i.required for i in still_open)
    return Progress(required - open_required, required, optional - (len(still_open) - open_required), optional)


def is_drill(answers: Mapping[str, Any]) -> bool:
    """True for a fire drill (the new-incident form's `exercise` ticked)."""
    return answers.get("exercise") is True
