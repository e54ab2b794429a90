"""How the documents word the answers: data items, counts, card and bank data, services, unknowns.

Documents never show a checklist's option labels (「要配慮個人情報（病歴等）」, 「はい（攻撃・内部不正など）」):
each choice has its document wording here. Two registers in Japanese: です・ます for the public release,
the notice and the contact desk (`polite`), である for the report to the Commission (`plain`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from bot.answers import count_is_unknown
from bot.checklist import DATA_ITEM_CHOICES
from bot.counts import Count, publish_en, publish_ja

# --- titles -----------------------------------------------------------------------------------------
# Titles as people type them end in お知らせとお詫び, お知らせ, について…, or start with 【重要】: each document
# composes its own title around the subject, so those are taken off first (the typed title is kept as typed).

_TITLE_CONNECTIVE = r"(?:に関する|に関しての|についての|に係る|に関わる|の)?"
_TITLE_NOTICE = (
    r"(?:お詫びとお知らせ|お知らせとお詫び|お詫び(?:および|及び|並びに)お知らせ|お知らせ(?:および|及び|並びに)お詫び"
    r"|お詫びとご報告|ご報告とお詫び|お知らせ|お詫び|ご報告)"
)
_TITLE_ENDING = re.compile(
    rf"(?:{_TITLE_CONNECTIVE}{_TITLE_NOTICE}|について|に関して|に関する件|の件)[\s。．.！!、,・:：]*$"
    r"|[\s。．、・:：]+$"
    r"|\s*[-–—:]?\s*\b(?:notice(?: and apology)?|apology(?: and notice)?)\.?$",
    re.IGNORECASE,
)
_TITLE_LEADING = re.compile(
    r"^(?:[【\[［(（]\s*(?:重要(?:な?お知らせ)?|お詫び|お知らせ|お詫びとお知らせ|important|notice|apology)\s*[】\]］)）]"
    r"|(?:important|urgent)\s*[:：-]"
    r"|(?:(?:notice|apology|notification|announcement)(?:\s+(?:and|&)\s+(?:notice|apology))?"
    r"\s+(?:of|regarding|concerning|about|on|for|in relation to)\b)"
    r"|(?:we apologi[sz]e for|our apologies for)\b"
    r")[\s:：-]*",
    re.IGNORECASE,
)
TITLE_FALLBACK = {"ja": "個人情報の漏えい等", "en": "a personal-data incident"}


def title_subject(title: str, lang: str) -> str:
    """What an incident's title is about, without the endings and marks a document adds itself.

    「【重要】お客様情報の漏えいに関するお知らせとお詫び」 -> 「お客様情報の漏えい」; 「…流出について」 -> 「…流出」;
    "Notice of unauthorised access to our shop" -> "unauthorised access to our shop". Idempotent; a title
    that is nothing but such words gives TITLE_FALLBACK, never an empty subject.
    """
    subject = " ".join((title or "").split())
    while True:
        shorter = _TITLE_ENDING.sub("", _TITLE_LEADING.sub("", subject, count=1), count=1).strip()
        if shorter == subject:
            break
        subject = shorter
    return subject or TITLE_FALLBACK[lang]


# --- data items ------------------------------------------------------------------------------------

DATA_ITEMS = {
    "ja": {
        "name": "氏名",
        "address": "住所",
        "phone": "電話番号",
        "birth_date": "生年月日",
        "gender": "性別",
        "email": "メールアドレス",
        "family": "ご家族の情報（お子様の氏名等）",
        "account": "会員IDおよびログイン情報",
        "history": "購入履歴および利用履歴",
        "sensitive": "要配慮個人情報",
    },
    "en": {
        "name": "name",
        "address": "postal address",
        "phone": "phone number",
        "birth_date": "date of birth",
        "gender": "gender",
        "email": "e-mail address",
        "family": "family members' data (such as children's names)",
        "account": "member ID and login data",
        "history": "purchase and usage history",
        "sensitive": "sensitive personal data",
    },
}
# Typed "other" items that mean a choice: メール is the e-mail address.
_ALIASES = {
    "name": ("名前", "お名前", "氏名", "姓名", "full name"),
    "address": ("住所", "ご住所", "address"),
    "phone": ("電話", "電話番号", "携帯番号", "携帯電話番号", "phone", "telephone", "phone number"),
    "birth_date": ("生年月日", "誕生日", "birthday", "birth date", "date of birth"),
    "gender": ("性別", "sex", "gender"),
    "email": (
        "メール",
        "メアド",
        "eメール",
        "eメールアドレス",
        "email",
        "e-mail",
        "mail",
        "mail address",
        "email address",
    ),
    "account": ("会員id", "id", "ログインid", "ユーザーid", "member id", "login id"),
    "history": ("購入履歴", "利用履歴", "購買履歴", "purchase history"),
}
_SPLIT = re.compile(r"\s*(?:[、,，;；\n]|および|及び|\band\b)\s*")

CARD_FIELDS = ("card_number", "card_expiry", "card_cvc", "card_holder")
BANK_FIELDS = ("bank_name", "bank_branch", "bank_account", "bank_holder")
FIELDS = {  # in a sentence, after 「クレジットカード情報（…）」
    "ja": {
        "card_number": "カード番号",
        "card_expiry": "有効期限",
        "card_cvc": "セキュリティコード",
        "card_holder": "カード名義",
        "bank_name": "金融機関名",
        "bank_branch": "支店名",
        "bank_account": "口座番号",
        "bank_holder": "口座名義",
    },
    "en": {
        "card_number": "card number",
        "card_expiry": "expiry date",
        "card_cvc": "security code",
        "card_holder": "cardholder name",
        "bank_name": "bank name",
        "bank_branch": "branch",
        "bank_account": "account number",
        "bank_holder": "account holder",
    },
}
FIELD_ITEMS = {  # in the list of data items
    "ja": {
        "card_number": "クレジットカード番号",
        "card_expiry": "クレジットカードの有効期限",
        "card_cvc": "クレジットカードのセキュリティコード",
        "card_holder": "クレジットカードの名義",
        "bank_name": "金融機関名",
        "bank_branch": "支店名",
        "bank_account": "口座番号",
        "bank_holder": "口座名義",
    },
    "en": {
        "card_number": "credit-card number",
        "card_expiry": "card expiry date",
        "card_cvc": "card security code",
        "card_holder": "cardholder name",
        "bank_name": "bank name",
        "bank_branch": "bank branch",
        "bank_account": "bank account number",
        "bank_holder": "account holder name",
    },
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def split_typed(text: str) -> list[str]:
    """Typed items split at 、 , ; / and new lines, blanks dropped, duplicates once."""
    return list(dict.fromkeys(part.strip() for part in _SPLIT.split(text or "") if part.strip()))


def typed_choice(text: str) -> str | None:
    """The data-item choice a typed item means (メール -> email), if any."""
    folded = _fold(text)
    for choice in DATA_ITEM_CHOICES:
        names = {choice.value, choice.ja, choice.en, *_ALIASES.get(choice.value, ())}
        if folded in {_fold(name) for name in names}:
            return choice.value
    return None


def data_item_list(
    value: Mapping[str, Any] | None, detail: Mapping[str, Any] | None, card_bank: str | None, lang: str
) -> list[str]:
    """The data items in document wording, typed items mapped to choices, card/bank fields that (may have) leaked last."""
    value = value or {}
    chosen = list(value.get("selected") or [])
    others: list[str] = []
    for typed in split_typed(value.get("other") or ""):
        choice = typed_choice(typed)
        if choice is not None and choice not in chosen:
            chosen.append(choice)
        elif choice is None:
            others.append(typed)
    ordered = [c.value for c in DATA_ITEM_CHOICES if c.value in chosen]
    items = [DATA_ITEMS[lang][c] for c in ordered] + others
    if card_bank in ("yes", "possible"):
        items += [FIELD_ITEMS[lang][f] for f in detail_fields(detail)]
        items += [t for t in split_typed((detail or {}).get("other") or "") if t not in items]
    return list(dict.fromkeys(items))


def detail_fields(detail: Mapping[str, Any] | None) -> list[str]:
    """The card and bank fields chosen in card_bank_detail, in their order."""
    selected = (detail or {}).get("selected") or []
    return [f for f in (*CARD_FIELDS, *BANK_FIELDS) if f in selected]


# --- counts ------------------------------------------------------------------------------------------

UNIT_HEADINGS = {
    "ja": {"件": "件数", "人": "人数", "世帯": "世帯数"},
    "en": {"件": "Number of records", "人": "Number of people", "世帯": "Number of households"},
}
_NOUNS_EN = {"件": ("record", "records"), "人": ("customer", "customers"), "世帯": ("household", "households")}
_NOUNS_EN_PLAIN = {"件": ("record", "records"), "人": ("person", "people"), "世帯": ("household", "households")}
UNIT_CAVEATS = {
    "ja": {
        "件": "※上記は件数（レコード数）であり、本人の数は調査中である。",
        "世帯": "※上記は世帯数であり、本人の数は調査中である。",
    },
    "en": {
        "件": "Note: these figures count records; the number of people is under investigation.",
        "世帯": "Note: these figures count households; the number of people is under investigation.",
    },
}


def stored_count(value: Mapping[str, Any]) -> tuple[Count, str | None]:
    """A stored count and the text it was typed as (None for values stored before the text was kept).

    Only for a count with a number: an unknown one (bot.answers.count_is_unknown) is worded by count_lines.
    """
    typed = value.get("text")
    return Count(int(value["value"]), bool(value.get("approx"))), typed if isinstance(typed, str) else None


def published(value: Mapping[str, Any], lang: str) -> str:
    """A stored count as published: the typed notation in Japanese, rounded words for 約 figures in English."""
    count, typed = stored_count(value)
    return publish_ja(count, typed) if lang == "ja" else publish_en(count, typed)


def count_lines(
    maximum: Mapping[str, Any], confirmed: Mapping[str, Any], unit: str, lang: str, *, plain: bool = False
) -> list[str]:
    """The counts, maximum first: one figure when they are equal, and a sentence of its own when none is confirmed.

    A count typed as 調査中 is said to be under investigation, never left out and never a number.
    """
    if count_is_unknown(maximum) or count_is_unknown(confirmed):
        return _unknown_count_lines(maximum, confirmed, unit, lang, plain)
    top, sure = int(maximum["value"]), int(confirmed["value"])
    if lang == "en":
        return _count_lines_en(published(maximum, lang), top, published(confirmed, lang), sure, unit, plain)
    most, known = published(maximum, lang) + unit, published(confirmed, lang) + unit
    if sure == 0:
        return [_none_yet_ja(plain)] if top == 0 else [f"最大{most}", _none_yet_ja(plain)]
    if sure == top:
        return [f"{known}（漏えいを確認）"]
    return [f"最大{most}（うち漏えいを確認したもの{known}）"]


def _none_yet_ja(plain: bool) -> str:
    return (
        "現時点で、実際に外部へ流出したことは確認されていない。"
        if plain
        else "現時点で、実際に外部へ流出したことは確認されておりません。"
    )


def _none_yet_en(plain: bool) -> str:
    return ("So far it has not been confirmed" if plain else "So far we have not confirmed") + (
        " that any data have actually leaked."
    )


def _unknown_count_lines(
    maximum: Mapping[str, Any], confirmed: Mapping[str, Any], unit: str, lang: str, plain: bool
) -> list[str]:
    """Counts of which one or both are under investigation: 「対象となる件数については、現在調査中です。…」."""
    top_known, sure_known = not count_is_unknown(maximum), not count_is_unknown(confirmed)
    if lang == "en":
        return _unknown_count_lines_en(maximum, confirmed, unit, plain)
    heading = UNIT_HEADINGS["ja"][unit]
    unknown = (
        "調査中である。" if plain else f"対象となる{heading}については、現在調査中です。判明次第お知らせいたします。"
    )
    if top_known:  # how many of them leaked is what is not known
        most = published(maximum, lang) + unit
        if plain:
            return [f"最大{most}。うち漏えいを確認したものの数は調査中である。"]
        return [
            f"最大{most}",
            "このうち実際に漏えいしたものの数については、現在調査中です。判明次第お知らせいたします。",
        ]
    if not sure_known:
        return [unknown]
    if int(confirmed["value"]) == 0:
        return [unknown, _none_yet_ja(plain)]
    known = published(confirmed, lang) + unit
    if plain:
        return [f"調査中である（うち漏えいを確認したもの{known}）。"]
    return [unknown, f"なお、現時点で漏えいを確認したものは{known}です。"]


def _unknown_count_lines_en(
    maximum: Mapping[str, Any], confirmed: Mapping[str, Any], unit: str, plain: bool
) -> list[str]:
    """English: "The number of records affected is under investigation; we will report it as soon as we know."."""
    one, many = (_NOUNS_EN_PLAIN if plain else _NOUNS_EN)[unit]
    later = "" if plain else "; we will report it as soon as we know"
    if not count_is_unknown(maximum):
        top = int(maximum["value"])
        most = published(maximum, "en")
        noun = one if top == 1 else many
        affected = (
            f"up to {most} {noun} may be affected" if unit == "件" else f"data of up to {most} {noun} may be affected"
        )
        return [_capital(f"{affected}."), f"How many have actually leaked is under investigation{later}."]
    unknown = f"The number of {many} affected is under investigation{later}."
    if count_is_unknown(confirmed):
        return [unknown]
    sure = int(confirmed["value"])
    if sure == 0:
        return [unknown, _none_yet_en(plain)]
    known = published(confirmed, "en")
    we = "it has been confirmed" if plain else "we have confirmed"
    if unit == "件":
        leaked = f"{known} {one if sure == 1 else many} {'has' if sure == 1 else 'have'} leaked"
    else:
        leaked = f"data of {known} {one if sure == 1 else many} have leaked"
    return [unknown, f"So far {we} that {leaked}."]


def _count_lines_en(most: str, top: int, known: str, sure: int, unit: str, plain: bool) -> list[str]:
    """English: data leak, people do not ("data of up to … customers may be affected")."""
    one, many = (_NOUNS_EN_PLAIN if plain else _NOUNS_EN)[unit]
    we = "it has been confirmed" if plain else "we have confirmed"
    if unit == "件":
        affected = f"up to {most} {one if top == 1 else many} may be affected"
        leaked = f"{known} {'has' if sure == 1 else 'have'} leaked"
        equal = f"{known} {one if sure == 1 else many} {'has' if sure == 1 else 'have'} leaked"
    else:
        affected = f"data of up to {most} {one if top == 1 else many} may be affected"
        leaked = f"data of {known}{' ' + one if sure == 1 else ''} have leaked"
        equal = f"data of {known} {one if sure == 1 else many} have leaked"
    none_yet = _none_yet_en(plain)
    if sure == 0:
        return [none_yet] if top == 0 else [_capital(affected) + ".", none_yet]
    if sure == top:
        return [_capital(f"{we} that {equal}.")]
    return [_capital(f"{affected}; {we} that {leaked}.")]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- services ------------------------------------------------------------------------------------------

_UNKNOWN_SCOPE = re.compile(
    r"調査中|確認中|未確定|特定中|不明|investigat|unknown|to be confirmed|\bTBD\b", re.IGNORECASE
)
_ALL_SCOPE = re.compile(
    r"全サービス|全て|すべて|全部|全ての|全社|all (?:of (?:our|the) )?services|every service", re.IGNORECASE
)
_BARE_UNKNOWN = re.compile(
    r"^(?:調査中|確認中|不明|未確定)(?:です|である)?[。.]?$|^under investigation\.?$|^unknown\.?$", re.IGNORECASE
)


def services_scope(text: str) -> str:
    """ "unknown" (still being worked out), "all" (every service), or "concrete" (a list of services)."""
    if _UNKNOWN_SCOPE.search(text):
        return "unknown"
    if _ALL_SCOPE.search(text):
        return "all"
    return "concrete"


def is_bare_unknown(text: str) -> bool:
    """True when a typed answer says only "under investigation" (調査中): the document says it in a sentence."""
    return bool(_BARE_UNKNOWN.match(unicodedata.normalize("NFKC", text or "").strip()))


# --- lists ------------------------------------------------------------------------------------------------

BULLET = {"ja": "・", "en": "• "}


def bullets(items: Sequence[str], lang: str) -> list[str]:
    """Items as list lines (・ in Japanese, • in English)."""
    return [BULLET[lang] + item for item in items]


def join_words(words: Sequence[str], lang: str) -> str:
    """Words joined for a sentence: A、B、C (ja); A, B and C (en)."""
    if lang == "ja":
        return "、".join(words)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- card and bank data -------------------------------------------------------------------------------


def card_bank_lines(answer: str, detail: Mapping[str, Any] | None, lang: str, *, plain: bool = False) -> list[str]:
    """The sentence on card and bank data, naming the fields, and for yes / possibly what customers should do."""
    fields = detail_fields(detail)
    other = (detail or {}).get("other") or ""
    named = _fields_phrase(fields, other, lang)
    lines = [_card_sentence_en(answer, named, plain)] if lang == "en" else [_card_sentence_ja(answer, named, plain)]
    if named and answer in ("yes", "possible") and fields_under_investigation(detail):
        lines[0] += ("" if lang == "ja" else " ") + _more_fields_sentence(fields, lang, plain)
    if answer in ("yes", "possible") and not plain:
        lines += _card_advice(fields, lang)
    return lines


def fields_under_investigation(detail: Mapping[str, Any] | None) -> bool:
    """True when card_bank_detail says that which fields are involved is still under investigation."""
    return "investigating" in ((detail or {}).get("selected") or [])


def _more_fields_sentence(fields: Sequence[str], lang: str, plain: bool) -> str:
    """「有効期限その他の項目が含まれるかについては、現在調査中です。」: the fields not named are said to be open.

    The first field of the same kind (card, else bank) not named yet is given as the example.
    """
    family = CARD_FIELDS if any(f in CARD_FIELDS for f in fields) or not fields else BANK_FIELDS
    missing = [f for f in family if f not in fields]
    if lang == "en":
        example = f"the {FIELDS['en'][missing[0]]} or " if missing else ""
        return f"Whether {example}other fields are also involved is under investigation."
    example = FIELDS["ja"][missing[0]] if missing else ""
    if plain:
        return f"{example}その他の項目が含まれるかは調査中である。"
    return f"{example}その他の項目が含まれるかについては、現在調査中です。"


def _fields_phrase(fields: Sequence[str], other: str, lang: str) -> str | None:
    """「クレジットカード情報（カード番号、有効期限）および金融機関の口座情報（口座番号）」, or None when not known."""
    card = [FIELDS[lang][f] for f in fields if f in CARD_FIELDS]
    bank = [FIELDS[lang][f] for f in fields if f in BANK_FIELDS]
    extra = split_typed(other)
    if lang == "ja":
        parts = (
            ([f"クレジットカード情報（{'、'.join(card)}）"] if card else [])
            + ([f"金融機関の口座情報（{'、'.join(bank)}）"] if bank else [])
            + extra
        )
        return "および".join(parts) if parts else None
    parts = (
        ([f"credit-card data ({join_words(card, lang)})"] if card else [])
        + ([f"bank-account details ({join_words(bank, lang)})"] if bank else [])
        + extra
    )
    return join_words(parts, lang) if parts else None


def _card_sentence_ja(answer: str, named: str | None, plain: bool) -> str:
    if answer == "none":
        return (
            "クレジットカード番号及び有効期限、金融機関の口座情報は含まれていない。"
            if plain
            else "クレジットカード番号および有効期限、金融機関の口座情報は含まれておりません。"
        )
    what = named or "クレジットカード情報または金融機関の口座情報"
    unnamed = "" if named else ("該当する項目は調査中である。" if plain else "該当する項目については、現在調査中です。")
    if answer == "yes":
        return (
            f"{what}が含まれていることを確認している。" if plain else f"漏えいした情報には、{what}が含まれております。"
        ) + unnamed
    if answer == "possible":
        return (
            f"{what}が含まれている可能性がある。"
            if plain
            else f"漏えいしたおそれのある情報に、{what}が含まれている可能性があります。"
        ) + unnamed
    what = named or "クレジットカード情報および金融機関の口座情報"
    return (
        f"{what}が含まれているかどうかは調査中である。"
        if plain
        else f"{what}が含まれているかどうかについては、現在調査中です。判明次第お知らせいたします。"
    )


def _card_sentence_en(answer: str, named: str | None, plain: bool) -> str:
    if answer == "none":
        return "The data involved include no credit-card numbers or expiry dates and no bank-account details."
    what = named or "credit-card or bank-account data"
    unnamed = "" if named else " Which fields are involved is under investigation."
    if answer == "yes":
        return f"The data that leaked include {what}.{unnamed}"
    if answer == "possible":
        return f"The data involved may include {what}.{unnamed}"
    what = named or "credit-card or bank-account data"
    if plain:
        return f"Whether {what} were involved is under investigation."
    return f"We are still investigating whether {what} were involved, and will tell you as soon as we know."


def _card_advice(fields: Sequence[str], lang: str) -> list[str]:
    """What customers should do: check statements, call the card company or bank; a card reissued at our expense."""
    card = not fields or any(f in CARD_FIELDS for f in fields)
    bank = not fields or any(f in BANK_FIELDS for f in fields)
    reissue = not fields or "card_number" in fields
    ja, en = [], []
    if card:
        ja.append(
            "お手数ですが、クレジットカードのご利用明細に身に覚えのないご請求がないかご確認ください。"
            "不審なご請求がある場合は、カード裏面に記載のカード会社の窓口へご連絡ください。"
        )
        en.append(
            "Please check your card statements for any charge you do not recognise; if you find one, "
            "contact your card company (the number is on the back of your card)."
        )
    if reissue:
        ja.append("カードの再発行をご希望の場合、再発行にかかる手数料は当社が負担いたします。")
        en.append("If you would like your card reissued, we will bear the reissue fee.")
    if bank:
        ja.append(
            "金融機関の口座のお取引明細に身に覚えのないお取引がないかご確認いただき、"
            "不審なお取引がある場合は、お取引の金融機関へご連絡ください。"
        )
        en.append(
            "Please check your bank statements for any transaction you do not recognise; if you find one, "
            "contact your bank."
        )
    return ja if lang == "ja" else en
