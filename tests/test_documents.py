"""The draft as files (bot.documents): Markdown, and a Word document that opens with its text intact.

Every incident here is invented: the company, its services and the phone number (0120-000-000)
do not exist.
"""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from bot.documents import BODY_FONT, docx_text, to_docx, to_markdown
from bot.drafting import render

JA: dict[str, Any] = {
    "title": "架空会員サイトの流出疑い",
    "discovered_at": "2026-11-26T01:05:00+00:00",
    "summary": "架空の書店サービス「ブックスサンプル」の会員データベースに、不正アクセスの痕跡が見つかりました。\n調査は継続中です。",
    "data_items": {"selected": ["name", "email", "history"], "other": "お気に入りの作家"},
    "max_count": {"value": 120_000, "approx": True, "text": "約12万件"},
    "confirmed_count": {"value": 3_400, "approx": False, "text": "３４００件"},
    "services": "ブックスサンプル（電子書籍ストア）",
    "card_bank": "investigating",
    "customer_actions": "当社を装った不審なメールにご注意ください。パスワードの変更をお願いいたします。",
    "contact": "ブックスサンプル サポート窓口\n電話：０１２０－０００－０００（全角の番号も、そのまま）\nhttps://example.com/help",
    "secondary_damage": "現時点で不正利用は確認されておりません。",
    "measures": "全会員のパスワードをリセットいたしました。",
}
EN: dict[str, Any] = {
    "title": "Invented bookshop leak suspected",
    "discovered_at": "2026-11-30T15:30:00+00:00",
    "summary": "Signs of unauthorised access were found at Books Example, an invented shop.",
    "data_items": {"selected": ["name", "birth_date"], "other": "favourite author"},
    "max_count": {"value": 1, "approx": False, "text": "1"},
    "confirmed_count": {"value": 1, "approx": False, "text": "1"},
    "count_unit": "人",
    "services": "Books Example e-book store",
    "card_bank": "none",
    "customer_actions": "Please change your password.",
    "contact": "Books Example help desk\nPhone: 0120-000-000 (9:00-18:00, weekdays)",
}
BODIES = {"ja": render(JA, lang="ja"), "en": render(EN, lang="en")}
HEADING = re.compile(r"^\d+\. \S")


def test_markdown_has_a_title_and_section_headings() -> None:
    body = "お知らせ\n\n前文です。\n\n1. 発生した事案と発覚の経緯\n本文、全角：０１２０\n\n2. Next\n10. Tenth\n3.no space\n"
    assert to_markdown(body) == (
        "# お知らせ\n\n前文です。\n\n## 1. 発生した事案と発覚の経緯\n本文、全角：０１２０\n\n## 2. Next\n"
        "## 10. Tenth\n3.no space\n"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_markdown_of_a_rendered_draft(lang: str) -> None:
    body = BODIES[lang]
    markdown = to_markdown(body)
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    lines, source = markdown.split("\n")[:-1], body.rstrip("\n").split("\n")
    assert len(lines) == len(source)
    assert lines[0] == "# " + source[0]
    for line, original in zip(lines[1:], source[1:], strict=True):
        assert line == ("## " + original if HEADING.match(original) else original)
    assert sum(line.startswith("## ") for line in lines) >= 7


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_docx_holds_every_line_of_the_draft(lang: str) -> None:
    body = BODIES[lang]
    data = to_docx(body)
    assert data[:2] == b"PK"  # a zip, as every .docx
    expected = [line for line in body.split("\n") if line.strip()]
    assert docx_text(data) == expected

    document = docx.Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0].style.name == "Title"
    for paragraph in paragraphs[1:]:
        wanted = "Heading 1" if HEADING.match(paragraph.text) else "Normal"
        assert paragraph.style.name == wanted, paragraph.text
    assert document.core_properties.title == expected[0]


def test_docx_keeps_full_width_characters() -> None:
    text = docx_text(to_docx(BODIES["ja"]))
    assert "電話：０１２０－０００－０００（全角の番号も、そのまま）" in text
    assert any("約12万件" in line for line in text)


def test_docx_sets_a_japanese_east_asian_font() -> None:
    document = docx.Document(io.BytesIO(to_docx(BODIES["ja"])))
    for name in ("Normal", "Title", "Heading 1"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")), name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name  # a theme font would win over it in Word
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "ja-JP"


def test_docx_of_a_small_body() -> None:
    body = "Title line\n\nA paragraph.\n  \n1. First\nText\ttab\n\n2. Second\nLast\n"
    assert docx_text(to_docx(body)) == ["Title line", "A paragraph.", "1. First", "Text\ttab", "2. Second", "Last"]
