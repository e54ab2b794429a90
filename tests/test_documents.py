"""The draft as files (bot.documents): Markdown, and a Word document read back with python-docx.

Only the lines a template marks become a title, headings or right-aligned lines; typed text stays a
paragraph whatever it looks like (`1. …`, `# …`). Every incident here is invented: the company, its
services and the phone number (0120-000-000) do not exist.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from bot.documents import BODY_FONT, HEADING, RIGHT, TITLE, docx_text, plain_text, to_docx, to_markdown
from bot.drafting import DOCS, DraftMeta, render

JA: dict[str, Any] = {
    "title": "架空会員サイトの流出疑い",
    "discovered_at": "2026-11-26T01:05:00+00:00",
    "summary": "架空の書店サービス「ブックスサンプル」の会員データベースに、不正アクセスの痕跡が見つかりました。\n"
    "1. 最初に気づいたのはサポート担当です。\n# これも見出しではありません",
    "data_items": {"selected": ["name", "email", "history"], "other": "お気に入りの作家"},
    "max_count": {"value": 120_000, "approx": True, "text": "約12万件"},
    "confirmed_count": {"value": 3_400, "approx": False, "text": "３４００件"},
    "services": "ブックスサンプル（電子書籍ストア）",
    "card_bank": "possible",
    "card_bank_detail": {"selected": ["card_number", "card_expiry"], "other": ""},
    "customer_actions": "当社を装った不審なメールにご注意ください。\n- パスワードの変更をお願いいたします。",
    "contact": "ブックスサンプル サポート窓口\n電話：０１２０－０００－０００（全角の番号も、そのまま）\nhttps://example.com/help",
    "secondary_damage": "現時点で不正利用は確認されておりません。",
    "measures": "全会員のパスワードをリセットいたしました。",
}
EN: dict[str, Any] = {
    "title": "Invented bookshop leak suspected",
    "discovered_at": "2026-11-30T15:30:00+00:00",
    "summary": "Signs of unauthorised access were found at Books Example, an invented shop.\n1. Typed, not a heading.",
    "data_items": {"selected": ["name", "birth_date"], "other": "favourite author"},
    "max_count": {"value": 1, "approx": False, "text": "1"},
    "confirmed_count": {"value": 1, "approx": False, "text": "1"},
    "count_unit": "人",
    "services": "Books Example e-book store",
    "card_bank": "none",
    "customer_actions": "Please change your password.",
    "contact": "Books Example help desk\nPhone: 0120-000-000 (9:00-18:00, weekdays)",
}
META = DraftMeta(company="株式会社ブックスサンプル", version=3, dated=datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
BODIES = {"ja": render(JA, lang="ja", meta=META), "en": render(EN, lang="en", meta=META)}
TYPED = ("1. 最初に気づいたのはサポート担当です。", "# これも見出しではありません", "1. Typed, not a heading.")


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


# --- Markdown ------------------------------------------------------------------------------------------------


def test_markdown_headings_come_only_from_the_marks() -> None:
    body = (
        f"{TITLE}お知らせ\n{RIGHT}2026年11月27日\n\n前文です。\n\n{HEADING}1. 発生した事案\n本文、全角：０１２０\n"
        "2. typed\n# typed\n> quoted\n---\n・一つ目\n・二つ目\n\n" + f"{RIGHT}以上\n"
    )
    assert to_markdown(body) == (
        "# お知らせ\n\n2026年11月27日\n\n前文です。\n\n## 1. 発生した事案\n\n本文、全角：０１２０\n\n2\\. typed\n\n\\# typed\n\n"
        "\\> quoted\n\n\\---\n\n- 一つ目\n- 二つ目\n\n以上\n"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_markdown_of_a_rendered_draft(lang: str) -> None:
    body = BODIES[lang]
    markdown = to_markdown(body)
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    lines = markdown.splitlines()
    assert lines[0] == "# " + plain_text(body.splitlines()[0])
    marked = [line[len(HEADING) :] for line in body.splitlines() if line.startswith(HEADING)]
    assert [line[3:] for line in lines if line.startswith("## ")] == marked and len(marked) >= 7
    assert sum(line.startswith("# ") for line in lines) == 1
    for typed in TYPED:
        if typed in body:
            assert not any(
                line.startswith(("#", "1. ")) and typed[3:] in line for line in lines[1:] if not line.startswith("## ")
            ), typed
    assert not any(mark in markdown for mark in (TITLE, HEADING, RIGHT))


def test_a_body_stored_before_the_marks_keeps_its_title_and_invents_no_heading() -> None:
    old = "Title line\n\nA paragraph.\n\n1. First\nText\n"
    assert to_markdown(old) == "# Title line\n\nA paragraph.\n\n1\\. First\n\nText\n"
    document = open_docx(to_docx(old))
    assert [p.style.name for p in document.paragraphs if p.text.strip()] == ["Title", "Normal", "Normal", "Normal"]


# --- Word ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_docx_holds_every_line_with_its_role(lang: str) -> None:
    body = BODIES[lang]
    data = to_docx(body, lang=lang, version=3)
    assert data[:2] == b"PK"  # a zip, as every .docx
    expected = [plain_text(line).removeprefix("・").removeprefix("• ") for line in body.split("\n") if line.strip()]
    assert docx_text(data) == expected
    document = open_docx(data)
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    lines = [line for line in body.split("\n") if line.strip()]
    for paragraph, line in zip(paragraphs, lines, strict=True):
        if line.startswith(TITLE):
            assert paragraph.style.name == "Title"
            assert paragraph.alignment == (WD_ALIGN_PARAGRAPH.CENTER if lang == "ja" else None)
        elif line.startswith(HEADING):
            assert paragraph.style.name == "Heading 1"
        elif line.startswith(("・", "• ")):
            assert paragraph.style.name == "List Bullet"
            assert paragraph.style.element.find(".//" + qn("w:numPr")) is not None  # a real list
        else:
            assert paragraph.style.name == "Normal", paragraph.text
            assert paragraph.alignment == (WD_ALIGN_PARAGRAPH.RIGHT if line.startswith(RIGHT) else None)
    for typed in TYPED:
        assert all(p.style.name == "Normal" for p in paragraphs if p.text == typed)
    assert document.core_properties.title == plain_text(lines[0])


def test_docx_is_a4_with_the_date_and_issuer_right_aligned_and_ijou_last() -> None:
    document = open_docx(to_docx(BODIES["ja"], lang="ja", version=3))
    section = document.sections[0]
    # Word keeps sizes in twentieths of a point: A4 is 11906 x 16838, within a tenth of a millimetre of 210 x 297
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert section.page_height > section.page_width  # portrait
    right = [p.text for p in document.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT]
    assert right == ["2026年11月27日", "株式会社ブックスサンプル", "以上"]
    assert [p.text for p in document.paragraphs if p.text.strip()][-1] == "以上"


@pytest.mark.parametrize(
    ("lang", "version", "exercise", "header"),
    [
        ("ja", 3, False, "案　第3版"),
        ("ja", None, False, "案"),
        ("ja", 2, True, "訓練・案　第2版"),
        ("en", 3, False, "DRAFT - version 3"),
        ("en", 1, True, "EXERCISE - DRAFT - version 1"),
    ],
)
def test_docx_header_marks_the_draft_and_the_footer_numbers_the_pages(
    lang: str, version: int | None, exercise: bool, header: str
) -> None:
    document = open_docx(to_docx(BODIES[lang], lang=lang, version=version, exercise=exercise))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == header
    fields = section.footer._element.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"]


@pytest.mark.parametrize("doc", DOCS)
def test_every_document_makes_a_word_file_whose_headings_are_the_templates(doc: str) -> None:
    for lang, values in (("ja", JA), ("en", EN)):
        body = render(values, lang=lang, doc=doc, meta=META)
        document = open_docx(to_docx(body, lang=lang, version=1))
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert headings == [line[len(HEADING) :] for line in body.splitlines() if line.startswith(HEADING)]
        assert headings and headings[0].startswith("1. ")


def test_docx_keeps_full_width_characters() -> None:
    text = docx_text(to_docx(BODIES["ja"]))
    assert "電話：０１２０－０００－０００（全角の番号も、そのまま）" in text
    assert any("約12万件" in line for line in text)


def test_docx_sets_a_japanese_east_asian_font() -> None:
    document = open_docx(to_docx(BODIES["ja"]))
    for name in ("Normal", "Title", "Heading 1", "List Bullet"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")), name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name  # a theme font would win over it in Word
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "ja-JP"


def test_docx_of_a_small_marked_body() -> None:
    body = f"{TITLE}Title line\n\nA paragraph.\n  \n{HEADING}1. First\nText\ttab\n・item\n\n{HEADING}2. Second\nLast\n"
    assert docx_text(to_docx(body)) == [
        "Title line",
        "A paragraph.",
        "1. First",
        "Text\ttab",
        "item",
        "2. Second",
        "Last",
    ]
