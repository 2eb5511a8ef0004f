"""Rendering the report's data (workflow/report.py) as a secretariat document (DOCX), a workbook
with one sheet per section (XLSX), and one CSV per section (in a ZIP). Text in the call's language."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Collection
from datetime import datetime

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask_babel import force_locale, gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import clock, report_charts
from .i18n import N_
from .sections import kind_of
from .text import printable, spreadsheet_text

LABELS = {
    "report": N_("Consolidated report of the answers of the member states"),
    "compiled": N_("Compiled on %(when)s from the %(basis)s answers."),
    "accepted": N_("accepted"), "submitted": N_("accepted and submitted"),
    "summary": N_("Summary"), "addressed": N_("Member states addressed"), "included": N_("Answers in this report"),
    "not_answered": N_("Member states that did not answer"), "late": N_("Late answers"),
    "amended": N_("Amended answers"), "experts": N_("Governmental experts"), "funded": N_("Funded"),
    "own_cost": N_("At own cost"), "documents": N_("Documents received"), "state": N_("Member state"),
    "name": N_("Full name"), "title": N_("Title or post"), "institution": N_("Institution"), "email": N_("Email"),
    "phone": N_("Telephone"), "role": N_("Role"), "funding": N_("Funding"), "wishes": N_("Would like to present"),
    "description": N_("Description"), "by_item": N_("Comments by agenda item"),
    "by_state": N_("Comments by member state"), "general": N_("General comments"), "document": N_("Document"),
    "file": N_("File"), "size_kb": N_("Size (KB)"), "none": N_("None."), "answers": N_("Answers"),
    "deadline": N_("Deadline"), "timeline": N_("Answers received over time"), "sources": N_("Answers used"),
    "version": N_("Version"), "received": N_("Received"), "yes": N_("Yes"), "no": N_("No"),
    "waiting": N_("Answers not in this report (waiting for review or amendment)"), "status": N_("Status"),
    "question": N_("Question"), "answer": N_("Answer"), "participants": N_("List of participants"),
    "head_of_delegation": N_("Head of delegation"), "delegate": N_("Delegate"), "alternate": N_("Alternate"),
    "adviser": N_("Adviser"), "matrix": N_("Member states and the experiences they would present"),
    "areas_key": N_("Areas"), "receipt": N_("Acknowledgement of receipt"), "receipt_number": N_("Receipt number"),
    "receipt_text": N_("The secretariat acknowledges receipt of the answer of %(state)s to the call below."),
    "call": N_("Call"), "sent": N_("What was sent"), "places_by_state": N_("Places by member state"),
    "nominated": N_("Experts nominated"), "places": N_("Funded places"),
    "former": N_("This section was later taken off the call; the answers below were given to it."),
}


def labels(language: str) -> dict:
    with force_locale(language):
        return {key: gettext(text) for key, text in LABELS.items() if "%(" not in text}


def _t(key: str, language: str, **values) -> str:
    with force_locale(language):
        return gettext(LABELS[key], **values)


def _when(iso: str, data: dict, *, short: bool = True) -> str:
    """A moment of the report, in the call's zone and named (the one time formatter)."""
    return clock.shown(datetime.fromisoformat(iso), data["call"]["timezone"], data["call"]["language"], short=short)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(document, header: list[str], rows: list[list], widths: list[float] | None = None):
    """A grid table; its text is 9 pt through the "Table Text" style (set up in _new_document)."""
    # Made at its final size in one go: python-docx's add_row() costs a millisecond a row.
    columns = len(header)
    table = document.add_table(rows=len(rows) + 1, cols=columns)
    table.style = document.missiva_table_style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells  # the whole grid, resolved once (row.cells recomputes it each time)
    for cell, text in zip(cells[:columns], header, strict=True):
        cell.paragraphs[0].add_run(printable(text)).bold = True
        _shade(cell, "DCE6F1")
    for index, row in enumerate(rows, start=1):
        for cell, value in zip(cells[index * columns:(index + 1) * columns], row, strict=True):
            if value not in (None, ""):
                cell.paragraphs[0].add_run(printable(value))
    if widths:
        for index, cell in enumerate(cells):
            cell.width = Cm(widths[index % columns])
    return table


def _new_document():
    """A document with the styles the report uses resolved once (python-docx looks a style up by
    scanning every style on each use, which costs seconds over a report's thousand paragraphs)."""
    document = DocxDocument()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Calibri", Pt(11)
    grid = document.styles["Table Grid"]
    grid.font.size = Pt(9)
    document.missiva_table_style = grid  # type: ignore[attr-defined]
    document.missiva_bullet_id = document.styles["List Bullet"].style_id  # type: ignore[attr-defined]
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2)
    return document


def _bullet(document, text: str):
    paragraph = document.add_paragraph(printable(text))
    paragraph._p.get_or_add_pPr().style = document.missiva_bullet_id
    return paragraph


class Writer:
    """What a section kind writes a report document with (workflow/sections/*: `docx`)."""

    def __init__(self, document):
        self.document = document

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(printable(text), level=level)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.add_run(printable(text)).bold = bold or None

    def bullet(self, text: str) -> None:
        _bullet(self.document, text)

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None,
              shaded: Collection[tuple[int, int]] = ()) -> None:
        """shaded: (row, column) of cells to highlight, the header being row 0."""
        table = _table(self.document, header, rows, widths)
        if shaded:
            grid, columns = table._cells, len(header)
            for row, column in shaded:
                _shade(grid[row * columns + column], "9DC3E6")

    def picture(self, image: bytes | None, width_cm: float) -> None:
        if image:
            self.document.add_picture(io.BytesIO(image), width=Cm(width_cm))


def docx(data: dict) -> bytes:
    language = data["call"]["language"]
    words = labels(language)
    document = _new_document()

    block = document.add_paragraph()
    block.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    block.add_run(data["call"]["reference"]).bold = True
    block.add_run(f"\n{datetime.fromisoformat(data['compiled_at']):%Y-%m-%d}\nOriginal: {language.upper()}")
    meeting = data["call"].get("meeting") or {}
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(data["call"]["title"].upper()).bold = True
    if meeting.get("starts"):
        heading.add_run(f"\n{meeting.get('starts')} – {meeting.get('ends', '')}, {meeting.get('venue', '')}")
    document.add_heading(words["report"], level=1)
    document.add_paragraph(_t("compiled", language, when=_when(data["compiled_at"], data, short=False),
                              basis=words[data["basis"]]))

    summary = data["summary"]
    document.add_heading(words["summary"], level=2)
    _table(document, [words["summary"], ""], [
        [words["addressed"], summary["addressed"]], [words["included"], summary["included"]],
        [words["not_answered"], summary["not_answered"]], [words["late"], summary["late"]],
        [words["amended"], summary["amended"]], [words["experts"], summary["experts"]],
        [words["funded"], summary["funded"]], [words["own_cost"], summary["own_cost"]],
        [words["documents"], summary["documents"]],
    ], [10, 4])
    document.add_heading(words["timeline"], level=3)
    document.add_picture(io.BytesIO(report_charts.timeline(data, words)), width=Cm(15))

    writer = Writer(document)
    for section in data["sections"]:
        document.add_heading(section["title"], level=2)
        if section.get("former"):
            writer.paragraph(words["former"])
        kind_of(section).docx(writer, section, words)

    document.add_heading(words["not_answered"], level=2)
    document.add_paragraph(", ".join(s["state"] for s in data["not_answered"]) or words["none"])
    if data["waiting"]:
        document.add_heading(words["waiting"], level=2)
        document.add_paragraph(", ".join(s["state"] for s in data["waiting"]))
    document.add_heading(words["sources"], level=2)
    _table(document, [words["state"], words["version"], words["received"], words["late"], words["amended"]],
           [[s["state"], s["version"], _when(s["submitted_at"], data), words["yes"] if s["late"] else words["no"],
             words["yes"] if s["amended"] else words["no"]] for s in data["sources"]])
    return _save(document)


def sheets(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """The report as (sheet name, header, rows): one per section, plus summary and sources."""
    words = labels(data["call"]["language"])
    s = data["summary"]
    out = [(words["summary"], [words["summary"], ""], [
        [words["addressed"], s["addressed"]], [words["included"], s["included"]],
        [words["not_answered"], s["not_answered"]], [words["late"], s["late"]], [words["amended"], s["amended"]],
        [words["experts"], s["experts"]], [words["funded"], s["funded"]], [words["own_cost"], s["own_cost"]],
        [words["documents"], s["documents"]]])]
    for section in data["sections"]:
        out.append((section["key"], *kind_of(section).sheet(section, words)))
    out.append((words["not_answered"][:31], [words["state"]], [[s["state"]] for s in data["not_answered"]]))
    out.append((words["sources"], [words["state"], words["version"], words["received"], words["late"],
                                   words["amended"]],
                [[s["state"], s["version"], _when(s["submitted_at"], data), words["yes"] if s["late"] else words["no"],
                  words["yes"] if s["amended"] else words["no"]] for s in data["sources"]]))
    return out


def xlsx(data: dict) -> bytes:
    """The workbook; `data["_sheets"]` replaces the report's sheets with others (participants)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")  # one style object shared by every cell
    for title, header, rows in data.get("_sheets") or sheets(data):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "B2"
        for index, _ in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 24
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # what people typed is text, never a live formula
                    cell.data_type = "s"
                if cell.row > 1:
                    cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_zip(data: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for title, header, rows in sheets(data):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow([spreadsheet_text(v) for v in header])
            writer.writerows([spreadsheet_text(v) for v in row] for row in rows)
            archive.writestr(f"{title}.csv", "\ufeff" + text.getvalue())  # BOM: Excel reads UTF-8
    return buffer.getvalue()


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def participants(data: dict) -> list[list]:
    words = labels(data["call"]["language"])
    return [row for section in data["sections"] for row in kind_of(section).participants(section, words)]


def participants_docx(data: dict) -> bytes:
    words = labels(data["call"]["language"])
    document = _new_document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"{data['call']['title']}\n{words['participants']}").bold = True
    document.add_paragraph(data["call"]["reference"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    current = None
    for row in participants(data):
        if row[0] != current:
            current = row[0]
            document.add_heading(current, level=2)
        line = _bullet(document, "")
        line.add_run(row[1]).bold = True
        line.add_run(" — " + ", ".join(str(v) for v in (row[2], row[3], row[6], row[7]) if v))
    return _save(document)


def participants_xlsx(data: dict) -> bytes:
    words = labels(data["call"]["language"])
    header = [words[k] for k in ("state", "name", "title", "institution", "email", "phone", "role", "funding")]
    return xlsx({**data, "_sheets": [(words["participants"], header, participants(data))]})


def receipt_docx(submission, version, language: str) -> bytes:
    """The numbered acknowledgement of receipt, as a document the mission can file."""
    words = labels(language)
    call = submission.call
    document = _new_document()
    top = document.add_paragraph()
    top.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    top.add_run(call.reference).bold = True
    document.add_heading(words["receipt"], level=1)
    document.add_paragraph(_t("receipt_text", language, state=submission.mission.member_state.name(language)))
    _table(document, [words["receipt_number"], version.receipt_number], [
        [words["call"], call.title_in(language)],
        [words["state"], submission.mission.member_state.name(language)],
        [words["received"], clock.shown(version.submitted_at, call.timezone, language,
                                        reader_zone=submission.mission.timezone)],
        [words["version"], version.number],
        [words["late"], words["yes"] if version.late else words["no"]],
    ], [5, 11])
    document.add_heading(words["sent"], level=2)
    for section in call.sections:
        for line in kind_of(section).receipt_lines(section, version.content.get(section["key"], {})):
            _bullet(document, line)
    return _save(document)
