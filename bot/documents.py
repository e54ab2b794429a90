"""A rendered draft as a file: Markdown, or a Word document (.docx) Japanese renders well in.

The draft body (bot.drafting.render) is plain text, one paragraph a line. A line that starts with an
invisible mark has a role only templates can give: TITLE (the document's title), HEADING (a numbered
section heading) or RIGHT (a right-aligned line: the date, the issuer, 以上). Lines starting with ・ or •
are list items. Everything else, typed text included, stays a paragraph, whatever it looks like.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

__all__ = [
    "BODY_FONT",
    "HEADING",
    "HEADING_FONT",
    "RIGHT",
    "TITLE",
    "docx_text",
    "plain_text",
    "strip_marks",
    "to_docx",
    "to_markdown",
]

# Line roles. Only templates emit these invisible marks (bot.drafting strips them from every answer first),
# so text people typed can never become a title, a heading or a right-aligned line.
TITLE = "\u2062"  # INVISIBLE TIMES: the document's title
HEADING = "\u2063"  # INVISIBLE SEPARATOR: a section heading
RIGHT = "\u2064"  # INVISIBLE PLUS: a right-aligned line (date, issuer, 以上)
_MARKS = re.compile("[\u2062\u2063\u2064]")
_LIST = ("・", "• ")
# Characters XML 1.0 cannot hold; a .docx cannot carry them whatever we do.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Fonts for East Asian text (w:eastAsia): Yu Mincho / Yu Gothic ship with Word and Windows 8.1+;
# Word falls back to MS Mincho / MS Gothic by itself where they are missing.
BODY_FONT = "Yu Mincho"
HEADING_FONT = "Yu Gothic"


def strip_marks(text: str) -> str:
    """Text without the line marks: what typed answers are reduced to before rendering."""
    return _MARKS.sub("", text)


def plain_text(body: str) -> str:
    """The draft as plain text (for a message): the marks removed, every line kept."""
    return strip_marks(body)


def _lines(body: str) -> list[tuple[str, str]]:
    """(role, text) for each line: title, heading, right, list, text or blank.

    A body without marks (stored before they existed) has its first line as title and no headings.
    """
    raw = [_clean(line) for line in body.strip("\n").split("\n")]
    marked = any(_MARKS.match(line) for line in raw)
    roles = []
    for index, line in enumerate(raw):
        mark = line[:1]
        if not line.strip():
            roles.append(("blank", ""))
        elif mark == TITLE or (not marked and index == 0):
            roles.append(("title", strip_marks(line)))
        elif mark == HEADING:
            roles.append(("heading", strip_marks(line)))
        elif mark == RIGHT:
            roles.append(("right", strip_marks(line)))
        elif line.startswith(_LIST):
            roles.append(("list", strip_marks(_unbullet(line))))
        else:
            roles.append(("text", strip_marks(line)))
    return roles


def _unbullet(line: str) -> str:
    for bullet in _LIST:
        if line.startswith(bullet):
            return line[len(bullet) :].lstrip()
    return line


# Markdown that a typed line could start with and that would change its structure (a heading, a list,
# a quote, a rule, a code block): escaped, so that typed text stays a paragraph.
_MD_BLOCK = re.compile(r"^(?:#|>|[-*+](?=\s|$)|\d+[.)](?=\s|$)|[=_*-]{3,}\s*$|\s{4,}|\t)")


# Inline Markdown that typed text could carry: links and images ([label](url), ![](@U…)), autolinks and
# HTML (<https://…>, <!channel>), emphasis, code, strike-through, tables and entities. Backslash-escaped,
# so they show as typed and never become a link with other words or a mention (the canvas is Markdown too).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~|&])")


def _md_inline(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", text)


def _md_escape(text: str) -> str:
    text = _md_inline(text)
    match = _MD_BLOCK.match(text)
    if not match:
        return text
    if match.group(0).isspace():
        return text.lstrip()
    digits = re.match(r"^(\d+)([.)])", text)
    if digits:
        return f"{digits.group(1)}\\{text[len(digits.group(1)) :]}"
    return "\\" + text


def to_markdown(body: str) -> str:
    """The draft as Markdown: the title `#`, template headings `##`, ・ lists as lists, every line a paragraph.

    Only the template's headings become headings: a typed line that looks like Markdown is escaped.
    """
    out: list[str] = []
    previous = "blank"
    for role, text in _lines(body):
        if role == "blank":
            if out and out[-1] != "":
                out.append("")
            previous = role
            continue
        if out and out[-1] != "" and not (role == "list" and previous == "list"):
            out.append("")  # each line is a paragraph of its own, as in the Word file
        out.append(
            {"title": "# ", "heading": "## ", "list": "- "}.get(role, "")
            + (_md_inline(text) if role in ("title", "heading") else _md_escape(text))
        )
        previous = role
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


_HEADER = {"ja": ("案", "訓練・案", "第{version}版"), "en": ("DRAFT", "EXERCISE - DRAFT", "version {version}")}


def to_docx(body: str, *, lang: str = "ja", version: int | None = None, exercise: bool = False) -> bytes:
    """The draft as a Word document: A4; the title centred (ja); date and issuer right-aligned; template headings
    as Heading 1; ・ lists as list paragraphs; a header marking the draft and its version; page numbers below."""
    lines = _lines(body)
    document = Document()
    for name, font in (
        ("Normal", BODY_FONT),
        ("Title", HEADING_FONT),
        ("Heading 1", HEADING_FONT),
        ("List Bullet", BODY_FONT),
    ):
        _east_asian_font(document, name, font, lang=name == "Normal")
    _page(document, lang=lang, version=version, exercise=exercise)
    title = next((text for role, text in lines if role == "title"), "")
    document.core_properties.title = title
    document.core_properties.author = "leakbot"
    document.core_properties.language = "ja-JP" if lang == "ja" else "en-GB"
    for role, text in lines:
        _add(document, role, text, lang)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add(document: DocxDocument, role: str, text: str, lang: str) -> None:
    """One line as its paragraph."""
    if role == "blank":
        return
    if role == "title":
        paragraph = document.add_heading(text, level=0)
        if lang == "ja":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif role == "heading":
        document.add_heading(text, level=1)
    elif role == "list":
        document.add_paragraph(text, style="List Bullet")
    else:
        paragraph = document.add_paragraph(text)
        if role == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _page(document: DocxDocument, *, lang: str, version: int | None, exercise: bool) -> None:
    """A4 with 25 mm margins; the header marks the draft (and the drill) with the version; page numbers below."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
    draft, drill, numbered = _HEADER["ja" if lang == "ja" else "en"]
    label = drill if exercise else draft
    if version is not None:
        label += ("　" if lang == "ja" else " - ") + numbered.format(version=version)
    header = section.header.paragraphs[0]
    header.text = label
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    number = OxmlElement("w:t")
    number.text = "1"
    run.append(number)
    field.append(run)
    footer._p.append(field)


def docx_text(data: bytes) -> list[str]:
    """The non-empty paragraph texts of a .docx, in order (list paragraphs without their bullet)."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def _clean(line: str) -> str:
    return _NOT_XML.sub("", line.removesuffix("\r"))


def _east_asian_font(document: DocxDocument, style_name: str, font: str, *, lang: bool = False) -> None:
    """Sets the East Asian font of a style (w:rFonts/@w:eastAsia), over any theme font it names."""
    style = document.styles[style_name]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    theme = qn("w:eastAsiaTheme")
    if theme in fonts.attrib:  # a theme font wins over w:eastAsia in Word: drop it
        del fonts.attrib[theme]
    if lang and rpr.find(qn("w:lang")) is None:
        language = OxmlElement("w:lang")  # the last child Normal's rPr may have, so appending keeps the schema order
        language.set(qn("w:eastAsia"), "ja-JP")
        rpr.append(language)
