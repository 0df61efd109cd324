"""The programme report as PDF (reportlab), XLSX (openpyxl) and DOCX (python-docx).

Each renderer takes the same blocks (``report.document``) and returns bytes.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from cityexchange.network.report import Block

FORMATS = ("pdf", "xlsx", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(blocks: list[Block], fmt: str, *, title: str, language: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(blocks, title=title, language=language)
    if fmt == "xlsx":
        return render_xlsx(blocks, title=title)
    if fmt == "docx":
        return render_docx(blocks, title=title, language=language)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def render_pdf(blocks: list[Block], *, title: str, language: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    # A heading or a table's caption never ends a page apart from what it introduces.
    for name in ("Title", "Heading2", "Heading3", "Italic"):
        styles[name].keepWithNext = 1
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    flag = ParagraphStyle(
        "flag", parent=styles["BodyText"], textColor=colors.HexColor("#8a1c00"), leftIndent=8
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        lang=language,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
    )
    width = A4[0] - 3.6 * cm
    story: list = []
    for block in blocks:
        text = escape(block.text)
        if block.kind in ("h1", "h2", "h3"):
            story.append(
                Paragraph(
                    text, styles[{"h1": "Title", "h2": "Heading2", "h3": "Heading3"}[block.kind]]
                )
            )
        elif block.kind == "flag":
            story.append(Paragraph("(!) " + text, flag))
        elif block.kind == "p":
            story.append(Paragraph(text, styles["BodyText"]))
        elif block.kind == "table":
            data = [[Paragraph(escape(h), head) for h in block.headers]]
            data += [[Paragraph(escape(c), cell) for c in row] for row in block.rows]
            columns = len(block.headers)
            widths = _widths(block, width, columns)
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(Paragraph(escape(block.text), styles["Italic"]))
            story.append(table)
            story.append(Spacer(1, 6))

    def page_number(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 1.8 * cm, 1 * cm, f"{title} · {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _widths(block: Block, width: float, columns: int) -> list[float]:
    # The longest texts get the room: a title column, not a number column.
    longest = [
        max([len(block.headers[i])] + [len(r[i]) for r in block.rows if i < len(r)])
        for i in range(columns)
    ]
    total = sum(min(n, 60) + 6 for n in longest)
    return [width * (min(n, 60) + 6) / total for n in longest]


def _as_text(sheet: Any) -> None:
    # openpyxl stores a text starting with "=" as a formula; a report holds only text.
    for row in sheet.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"


def render_xlsx(blocks: list[Block], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    bold = Font(bold=True)
    for block in blocks:
        if block.kind == "table":
            sheet.append([block.text])
            sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
            sheet.append(list(block.headers))
            for c in sheet[sheet.max_row]:
                c.font = bold
            for row in block.rows:
                sheet.append(list(row))
            sheet.append([])
        else:
            sheet.append([("(!) " if block.kind == "flag" else "") + block.text])
            if block.kind.startswith("h"):
                sheet.cell(row=sheet.max_row, column=1).font = Font(
                    bold=True, size={"h1": 14, "h2": 12}.get(block.kind, 11)
                )
    _as_text(sheet)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_docx(blocks: list[Block], *, title: str, language: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = language
    for block in blocks:
        if block.kind in ("h1", "h2", "h3"):
            doc.add_heading(block.text, level=int(block.kind[1]) - 1 if block.kind != "h1" else 0)
        elif block.kind == "flag":
            doc.add_paragraph("(!) " + block.text)
        elif block.kind == "p":
            doc.add_paragraph(block.text)
        else:
            doc.add_paragraph().add_run(block.text).italic = True
            table = doc.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for i, h in enumerate(block.headers):
                table.rows[0].cells[i].text = h
            for row in block.rows:
                cells = table.add_row().cells
                for i, c in enumerate(row):
                    cells[i].text = c
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
