"""A rendered draft as a file: Markdown, or a Word document (.docx) Japanese renders well in.

The draft body (bot.drafting.render) is plain text: the first line is the document's title, lines
like "1. 発生した事案と発覚の経緯" are numbered section headings, every other line is a paragraph and
blank lines separate sections.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = ["to_markdown", "to_docx", "docx_text", "BODY_FONT", "HEADING_FONT"]

_HEADING = re.compile(r"^\d+\. \S")
# Characters XML 1.0 cannot hold; a .docx cannot carry them whatever we do.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Fonts for East Asian text (w:eastAsia): Yu Mincho / Yu Gothic ship with Word and Windows 8.1+;
# Word falls back to MS Mincho / MS Gothic by itself where they are missing.
BODY_FONT = "Yu Mincho"
HEADING_FONT = "Yu Gothic"


def to_markdown(body: str) -> str:
    """The draft as a Markdown file: the first line a title, numbered section lines headings."""
    lines = body.strip("\n").split("\n")
    out = ["# " + lines[0]]
    for line in lines[1:]:
        out.append("## " + line if _HEADING.match(line) else line)
    return "\n".join(out) + "\n"


def to_docx(body: str) -> bytes:
    """The draft as a Word document: the title, numbered headings as Heading 1, one paragraph a line."""
    lines = [_clean(line) for line in body.strip("\n").split("\n")]
    document = Document()
    _east_asian_font(document, "Normal", BODY_FONT, lang=True)
    _east_asian_font(document, "Title", HEADING_FONT)
    _east_asian_font(document, "Heading 1", HEADING_FONT)
    document.core_properties.title = lines[0] if lines else ""
    document.core_properties.author = "leakbot"
    document.core_properties.language = "ja-JP"
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if index == 0:
            document.add_heading(line, level=0)
        elif _HEADING.match(line):
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> list[str]:
    """The non-empty paragraph texts of a .docx, in order."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def _clean(line: str) -> str:
    return _NOT_XML.sub("", line.removesuffix("\r"))


def _east_asian_font(document, style_name: str, font: str, *, lang: bool = False) -> None:  # type: ignore[no-untyped-def]
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
