"""Word files with python-docx, set so Chinese renders: East Asian fonts on every style and run, text tagged zh-CN."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

LATIN = "Times New Roman"
BODY = "宋体"  # SimSun in Word; elsewhere the zh-CN tag makes the reader substitute a CJK face (Noto CJK, WenQuanYi)
HEADING = "黑体"  # SimHei
FALLBACK = "Noto Serif CJK SC"  # the face named for the complex-script slot, what Linux readers have


def _fonts(element: object, east_asian: str) -> None:
    """Name the fonts of a style's or run's rPr outright (a theme font would win over them otherwise)."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), FALLBACK)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(style: ParagraphStyle, east_asian: str, size: float | None = None) -> None:
    _fonts(style.element, east_asian)
    if size is not None:
        style.font.size = Pt(size)
    if east_asian == HEADING:
        style.font.color.rgb = None  # black, as official documents are


def new_document() -> DocxDocument:
    """An A4 document whose body is 宋体 and headings 黑体."""
    doc = Document()
    _style(cast(ParagraphStyle, doc.styles["Normal"]), BODY, 12)
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        _style(cast(ParagraphStyle, doc.styles[name]), HEADING, size)
    return doc


def text(paragraph: Paragraph, value: str, *, bold: bool = False) -> Run:
    """A run of text carrying the East Asian font itself (a reader that ignores styles still finds it)."""
    run = paragraph.add_run(value)
    run.bold = bold
    _fonts(run._r, HEADING if bold else BODY)
    return run


def title(doc: DocxDocument, value: str) -> None:
    """The document's centred title."""
    paragraph = doc.add_paragraph(style="Title")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text(paragraph, value, bold=True)


def heading(doc: DocxDocument, value: str) -> None:
    """A section heading."""
    text(doc.add_paragraph(style="Heading 1"), value, bold=True)


def line(doc: DocxDocument, value: str, *, center: bool = False) -> Paragraph:
    """A paragraph of body text."""
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text(paragraph, value)
    return paragraph


def table(doc: DocxDocument, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> Table:
    """A bordered table (header row in bold when given)."""
    width = len(header) if header else max((len(r) for r in rows), default=1)
    lines = [*([header] if header else []), *rows]
    grid: Table = doc.add_table(rows=len(lines), cols=width)
    grid.style = doc.styles["Table Grid"]
    for r, row in enumerate(lines):
        for c, value in enumerate(row[:width]):
            text(grid.cell(r, c).paragraphs[0], value, bold=bool(header) and r == 0)
    return grid


def save(doc: DocxDocument, path: Path) -> Path:
    """Write the document."""
    doc.save(str(path))
    return path
