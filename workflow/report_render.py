"""Rendering the report's data (workflow/report.py) as a secretariat document (DOCX, and the same
document as PDF typeset by Typst), a workbook with one sheet per section (XLSX), and one CSV per section (in a
ZIP). Text in the report's language.

The document is the secretariat's: its own symbol, the date and original language in the page
header, page numbers in the footer, wide tables on landscape pages, and its metadata names the
secretariat."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection
from contextlib import contextmanager
from datetime import date, datetime
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date
from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from flask_babel import force_locale, gettext

from . import clock
from .i18n import N_, colon
from .sections import kind_of
from .sections.nominations import COLUMNS
from .submissions import PROVENANCE_LABELS
from .text import printable, spreadsheet_text

LABELS = {
    "report": N_("Consolidated report of the answers of the member states"),
    "compiled": N_("Compiled on %(when)s from the %(basis)s answers."),
    "accepted": N_("accepted"), "submitted": N_("accepted and submitted"),
    "summary": N_("Summary"), "addressed": N_("Member states addressed"), "included": N_("Answers in this report"),
    "not_answered": N_("Member states that did not answer"), "late": N_("Late answers"),
    "amended": N_("Amended answers"), "experts": N_("Governmental experts"), "funded": N_("Funded"),
    "funded_place": N_("Funded place"),
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
    "adviser": N_("Adviser"), "states_presenting": N_("Member states whose experts would present"),
    "areas_key": N_("Areas"), "receipt": N_("Acknowledgement of receipt"), "receipt_number": N_("Receipt number"),
    "receipt_text": N_("The secretariat acknowledges receipt of the answer %(of_state)s to the call below."),
    "call": N_("Call"), "sent": N_("What was sent"), "places_by_state": N_("Places by member state"),
    "nominated": N_("Experts nominated"), "places": N_("Funded places"),
    "former": N_("This section was later taken off the call; the answers below were given to it."),
    "channel": N_("Received through"), "timing": N_("Timing"), "on_time": N_("On time"),
    "after_deadline": N_("After the deadline"), "missing_documents": N_("Required documents not received"),
    "original": N_("Original: %(original)s"), "concerning": N_("Concerning %(reference)s"),
    "page": N_("Page %(page)s of %(pages)s"), "submitted_by": N_("Submitted by"),
    "issued": N_("Issued on %(when)s."),
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


BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def _text_xml(text) -> str:
    """Text as the content of <w:t>, its line breaks and tabs as Word's own."""
    return BREAK.join(escape(line) for line in printable(text).split("\n")).replace("\t", TAB)


def _cell_xml(text, width: str, fill: str | None, bold: bool) -> str:
    """One table cell as WordprocessingML: its width, its shading, its text (line breaks kept)."""
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    run = ""
    if text not in (None, ""):
        run = f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">{_text_xml(text)}</w:t></w:r>'
    return f"<w:tc><w:tcPr>{width}{shading}</w:tcPr><w:p>{run}</w:p></w:tc>"


def _table(document, header: list[str], rows: list[list], widths: list[float] | None = None,
           shaded: Collection[tuple[int, int]] = ()):
    """A grid table; its text is 9 pt through the "Table Text" style (set up in _new_document); the
    header row repeats on each page. Written as one piece of XML: python-docx's cell objects cost
    about a millisecond a cell, seconds over a report's thousands of experts."""
    columns = len(header)
    twips = [int(w * 567) for w in widths] if widths else None  # 1 cm = 567 twips
    width = ([f'<w:tcW w:w="{t}" w:type="dxa"/>' for t in twips] if twips
             else ['<w:tcW w:w="0" w:type="auto"/>'] * columns)
    marked = set(shaded)
    body = ["<w:tr><w:trPr><w:tblHeader/></w:trPr>"
            + "".join(_cell_xml(text, width[c], "DCE6F1", True) for c, text in enumerate(header)) + "</w:tr>"]
    for r, row in enumerate(rows, start=1):
        body.append("<w:tr>" + "".join(_cell_xml(value, width[c], "9DC3E6" if (r, c) in marked else None, False)
                                       for c, value in enumerate(row)) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{t}"/>' for t in (twips or [0] * columns))
    xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{document.missiva_table_style.style_id}"/>'
           '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
           f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(body)}</w:tbl>')
    element = parse_xml(xml)
    document.element.body._insert_tbl(element)
    return Table(element, document._body)


A4 = (Cm(21), Cm(29.7))


def _new_document():
    """An A4 document with the styles the report uses resolved once (python-docx looks a style up
    by scanning every style on each use, which costs seconds over a report's thousand paragraphs)."""
    document = DocxDocument()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Calibri", Pt(11)
    grid = document.styles["Table Grid"]
    grid.font.size = Pt(9)
    document.missiva_table_style = grid  # type: ignore[attr-defined]
    document.missiva_bullet_id = document.styles["List Bullet"].style_id  # type: ignore[attr-defined]
    for section in document.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = Cm(2)
    return document


def _page_field(run, instruction: str) -> None:
    """A field Word fills in when it lays the page out (PAGE, NUMPAGES)."""
    for tag, value in (("w:fldChar", "begin"), ("w:instrText", instruction), ("w:fldChar", "separate"),
                       ("w:t", "1"), ("w:fldChar", "end")):
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


def heading_lines(data: dict) -> dict:
    """What heads every page of a document of this report: who issues it, its symbol (or the call's
    reference it concerns), its date and original language."""
    call, language = data["call"], data["call"]["language"]
    local_day = clock.to_zone(datetime.fromisoformat(data["compiled_at"]), call["timezone"]).date()
    original = Locale.parse(language).get_display_name(language) or language
    return {
        "secretariat": data.get("secretariat", ""),
        "symbol": call.get("symbol") or _t("concerning", language, reference=call["reference"]),
        "date": format_date(local_day, "long", locale=language),
        "original": _t("original", language, original=original.capitalize()),
    }


def concerning(data: dict) -> str:
    """The call the report answers, when the report has a symbol of its own to head its pages."""
    call = data["call"]
    return _t("concerning", call["language"], reference=call["reference"]) if call.get("symbol") else ""


def meeting_line(data: dict) -> str:
    """"19–20 November 2007, Washington, DC" in the report's language."""
    meeting, language = data["call"].get("meeting") or {}, data["call"]["language"]
    try:
        starts = date.fromisoformat(str(meeting.get("starts")))
        ends = date.fromisoformat(str(meeting.get("ends") or meeting.get("starts")))
    except ValueError:
        when = ""
    else:
        when = " – ".join(dict.fromkeys(format_date(day, "long", locale=language) for day in (starts, ends)))
    return ", ".join(v for v in (when, meeting.get("venue", "")) if v)


def _page_parts(language: str) -> tuple[str, str, str]:
    """"Page %(page)s of %(pages)s" in the language, cut around the two numbers."""
    before, rest = _t("page", language, page="\x00", pages="\x01").split("\x00", 1)
    middle, after = rest.split("\x01", 1)
    return before, middle, after


def _header(document, secretariat: str, lines: list[tuple[str, bool]]) -> None:
    """The page header: the secretariat on the left, then `lines` (text, bold) on the right."""
    header = document.sections[0].header
    who = header.paragraphs[0].add_run(printable(secretariat))
    who.font.size, who.font.color.rgb = Pt(8.5), RGBColor(0x55, 0x55, 0x55)
    for text, bold in lines:
        line = header.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = line.add_run(printable(text))
        run.bold, run.font.size = bold or None, Pt(9)


def _footer(document, language: str) -> None:
    """"Page 3 of 12" at the foot of every page, in the language."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style.font.size = Pt(8.5)  # the numbers Word fills in take the paragraph's size
    for text, field in zip(_page_parts(language), ("PAGE", "NUMPAGES", None), strict=True):
        footer.add_run(text)
        if field:
            _page_field(footer.add_run(), field)


def _sign(document, secretariat: str, title: str, **more) -> None:
    """The document's properties name the secretariat, never the library that wrote the file."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = secretariat
    properties.title, properties.comments = title, ""
    for name, value in more.items():
        setattr(properties, name, value)


def _frame(document, data: dict, title: str) -> None:
    """Page header (secretariat, symbol, date, original language), footer (page x of y) and the
    document's properties."""
    lines = heading_lines(data)
    language = data["call"]["language"]
    _header(document, lines["secretariat"], [(lines["symbol"], True),
                                             (f"{lines['date']} · {lines['original']}", False)])
    _footer(document, language)
    compiled = datetime.fromisoformat(data["compiled_at"])
    _sign(document, lines["secretariat"], title, subject=data["call"]["title"],
          keywords=data["call"].get("symbol") or data["call"]["reference"], category="", language=language,
          created=compiled, modified=compiled, revision=1)


def _bullet(document, text: str, lead: str | None = None) -> None:
    """A bulleted paragraph (with `lead` in bold before the text), written as XML: thousands of
    comments make a report."""
    bold = f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{_text_xml(lead)}</w:t></w:r>' if lead else ""
    document.element.body._insert_p(parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{document.missiva_bullet_id}"/></w:pPr>{bold}'
        f'<w:r><w:t xml:space="preserve">{_text_xml(text)}</w:t></w:r></w:p>'))


class Writer:
    """What a report document is written with: the section kinds (workflow/sections/*: `docx`)
    and the report's own frame write through these calls, once, and each writer draws them (the
    DOCX through python-docx, the PDF through Typst)."""

    def __init__(self, language: str):
        self.language = language
        self._colon = colon("\x00", language)

    def labelled(self, label: str, text: str) -> str:
        """"Label: text" as the report's language writes it (workflow.i18n.colon)."""
        return f"{self._colon.replace(chr(0), label)} {text}"

    def title(self, title: str, lines: list[str]) -> None:
        """The document's title, centred and in capitals, with lines (none empty) under it."""
        raise NotImplementedError

    def heading(self, text: str, level: int) -> None:
        raise NotImplementedError

    def paragraph(self, text: str, *, bold: bool = False, hint: bool = False) -> None:
        """hint: a remark about the text around it rather than content (shown in italics)."""
        raise NotImplementedError

    def bullet(self, text: str) -> None:
        raise NotImplementedError

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None,
              shaded: Collection[tuple[int, int]] = ()) -> None:
        """A grid table whose header repeats on each page; widths in cm; shaded: (row, column) of
        cells to highlight, the header being row 0."""
        raise NotImplementedError

    @contextmanager
    def landscape(self, wide: bool = True):
        """What is written inside goes on landscape pages of its own (when `wide`)."""
        yield

    def chart(self, chart: dict, alt: str) -> None:
        """A chart (workflow/report_charts.py), with its description for those who cannot see it."""
        raise NotImplementedError


class DocxWriter(Writer):
    def __init__(self, document, language: str):
        super().__init__(language)
        self.document = document

    def title(self, title: str, lines: list[str]) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(printable(title).upper()).bold = True
        for line in lines:
            paragraph.add_run("\n" + printable(line))

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(printable(text), level=level)

    def paragraph(self, text: str, *, bold: bool = False, hint: bool = False) -> None:
        run = self.document.add_paragraph().add_run(printable(text))
        run.bold, run.italic = bold or None, hint or None

    def bullet(self, text: str) -> None:
        _bullet(self.document, text)

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None,
              shaded: Collection[tuple[int, int]] = ()) -> None:
        _table(self.document, header, rows, widths, shaded)

    @contextmanager
    def landscape(self, wide: bool = True):
        if wide:
            self._orient(landscape=True)
        yield
        if wide:
            self._orient(landscape=False)

    def _orient(self, *, landscape: bool) -> None:
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4[::-1] if landscape else A4

    def chart(self, chart: dict, alt: str) -> None:
        from . import typeset

        shape = self.document.add_picture(io.BytesIO(typeset.picture(chart, "png")), width=Cm(chart["width"]))
        shape._inline.docPr.set("descr", printable(alt))


LONG_RUN = re.compile(r"\S{24,}")


def _cell(value) -> str:
    """Text for Typst: numbers as text, tabs as wide spaces (Typst drops tabs), and a run of 24
    characters or more without a space (a pasted link, a name typed without spaces) given places
    to break every few characters, so it wraps in its column instead of printing over the next."""
    text = printable(value).replace("\t", "\u2003")
    return LONG_RUN.sub(lambda run: "\u200b".join(run.group()[i:i + 6] for i in range(0, len(run.group()), 6)), text)


def _shares(header: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths for a table given none, in proportion to what the columns hold (the header
    on two lines at most, the usual length of a cell), measured on the first rows."""
    sample = rows[:200]
    shares = []
    for column, label in enumerate(header):
        lengths = sorted(len(row[column]) for row in sample) or [0]
        usual = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]
        longest_word = max((len(word) for word in label.split()), default=1)
        shares.append(2 + max(4, longest_word, len(label) / 2, min(usual, 40)))  # 2: the cell's padding
    return shares


class TypstWriter(Writer):
    """Collects the document as blocks of data for templates/documents/report.typ."""

    def __init__(self, language: str):
        super().__init__(language)
        self.blocks: list[dict] = []
        self._into = self.blocks

    def title(self, title: str, lines: list[str]) -> None:
        self._into.append({"kind": "title", "text": _cell(title), "lines": [_cell(line) for line in lines]})

    def heading(self, text: str, level: int) -> None:
        self._into.append({"kind": "heading", "text": _cell(text), "level": level})

    def paragraph(self, text: str, *, bold: bool = False, hint: bool = False) -> None:
        self._into.append({"kind": "paragraph", "text": _cell(text), "bold": bold, "hint": hint})

    def bullet(self, text: str) -> None:
        self._into.append({"kind": "bullet", "text": _cell(text)})

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None,
              shaded: Collection[tuple[int, int]] = ()) -> None:
        numeric = [bool(rows) and all(isinstance(row[c], int | float) for row in rows) for c in range(len(header))]
        heads, cells = [_cell(v) for v in header], [[_cell(v) for v in row] for row in rows]
        self._into.append({
            "kind": "table", "header": heads, "rows": cells, "widths": widths,
            "shares": None if widths else _shares(heads, cells), "numeric": numeric,
            "shaded": {f"{r},{c}": True for r, c in shaded}})

    @contextmanager
    def landscape(self, wide: bool = True):
        if not wide:
            yield
            return
        part: dict = {"kind": "landscape", "blocks": []}
        self._into.append(part)
        outer, self._into = self._into, part["blocks"]
        try:
            yield
        finally:
            self._into = outer

    def chart(self, chart: dict, alt: str) -> None:
        self._into.append({"kind": "chart", "chart": chart, "alt": _cell(alt)})


def summary_rows(data: dict, words: dict) -> list[list]:
    """The summary's figures; funding only where the call funds places."""
    s = data["summary"]
    keys = ["addressed", "included", "not_answered", "late", "amended", "experts",
            *(("funded", "own_cost") if data.get("funds") else ()), "documents"]
    return [[words[key], s[key]] for key in keys]


def channel(provenance: str, reference: str | None, language: str) -> str:
    """How an answer came in, with its reference: "Fax · Nota verbal 77/07"."""
    with force_locale(language):
        label = str(PROVENANCE_LABELS.get(provenance, provenance))
    return " · ".join(v for v in (label, reference) if v)


def source_rows(data: dict, words: dict) -> list[list]:
    """Each answer the report uses: state, version, when received (in the call's zone, named), the
    channel with its reference, and whether it came in time."""
    language = data["call"]["language"]
    return [[s["state"], s["version"], _when(s.get("received_at") or s["submitted_at"], data, short=False),
             channel(s.get("provenance", "portal"), s.get("reference"), language),
             words["after_deadline"] if s["late"] else words["on_time"]] for s in data["sources"]]


def source_header(words: dict) -> list[str]:
    return [words["state"], words["version"], words["received"], words["channel"], words["timing"]]


def _write(writer: Writer, data: dict, words: dict) -> None:
    """The report's body, the same in every document: title, summary and timeline, each section
    as its kind writes it (on landscape pages where its table is wide), who did not answer, what
    is missing or waiting, and the answers used."""
    from . import report_charts

    language = data["call"]["language"]
    writer.title(data["call"]["title"], [line for line in (meeting_line(data), concerning(data)) if line])
    writer.heading(words["report"], 1)
    writer.paragraph(_t("compiled", language, when=_when(data["compiled_at"], data, short=False),
                        basis=words[data["basis"]]))
    writer.heading(words["summary"], 2)
    writer.table([words["summary"], ""], summary_rows(data, words), [10, 4])
    writer.heading(words["timeline"], 3)
    writer.chart(report_charts.timeline(data, words), report_charts.timeline_description(data, words))
    for section in data["sections"]:
        kind = kind_of(section)
        with writer.landscape(kind.wide(section)):
            writer.heading(section["title"], 2)
            if section.get("former"):
                writer.paragraph(words["former"], hint=True)
            kind.docx(writer, section, words)
    writer.heading(words["not_answered"], 2)
    writer.paragraph(", ".join(s["state"] for s in data["not_answered"]) or words["none"])
    if data.get("missing_documents"):
        writer.heading(words["missing_documents"], 2)
        writer.table([words["state"], words["document"]],
                     [[m["state"], "; ".join(m["items"])] for m in data["missing_documents"]], [5, 12])
    if data["waiting"]:
        writer.heading(words["waiting"], 2)
        writer.paragraph(", ".join(s["state"] for s in data["waiting"]))
    writer.heading(words["sources"], 2)
    writer.table(source_header(words), source_rows(data, words), [3.5, 1.6, 4.6, 4.3, 3])


def docx(data: dict) -> bytes:
    language = data["call"]["language"]
    words = labels(language)
    document = _new_document()
    _frame(document, data, words["report"])
    _write(DocxWriter(document, language), data, words)
    return _save(document)


def pdf(data: dict) -> bytes:
    """The same document as the DOCX (the same Writer calls), typeset by Typst
    (templates/documents/report.typ): page header and footer as the DOCX has them."""
    from . import typeset

    language = data["call"]["language"]
    words = labels(language)
    writer = TypstWriter(language)
    _write(writer, data, words)
    lines = heading_lines(data)
    frame = {"language": language, "title": words["report"], "subject": printable(data["call"]["title"]),
             "keywords": [printable(data["call"].get("symbol") or data["call"]["reference"])],
             "author": printable(lines["secretariat"]), "secretariat": _cell(lines["secretariat"]),
             "symbol": _cell(lines["symbol"]),
             "line": f"{lines['date']} · {lines['original']}", "page": list(_page_parts(language))}
    return typeset.pdf("report.typ", {"frame": frame, "blocks": writer.blocks},
                       when=datetime.fromisoformat(data["compiled_at"]))


def sheets(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """The report as (sheet name, header, rows): one per section, plus summary and sources."""
    words = labels(data["call"]["language"])
    out = [(words["summary"], [words["summary"], ""], summary_rows(data, words))]
    for section in data["sections"]:
        out.append((section["key"], *kind_of(section).sheet(section, words)))
    out.append((words["not_answered"][:31], [words["state"]], [[s["state"]] for s in data["not_answered"]]))
    if data.get("missing_documents"):
        out.append((words["missing_documents"][:31], [words["state"], words["document"]],
                    [[m["state"], "; ".join(m["items"])] for m in data["missing_documents"]]))
    out.append((words["sources"], source_header(words), source_rows(data, words)))
    return out



def xlsx(data: dict) -> bytes:
    """The workbook; `data["_sheets"]` replaces the report's sheets with others (participants)."""
    return _saved(_workbook(data.get("_sheets") or sheets(data)))


def changes_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    """What changed between two versions of an answer: the old value struck through (as <del> on
    the page), the new one underlined (as <ins>)."""
    from openpyxl.styles import Font

    workbook = _workbook([(title, header, rows)])
    struck, inserted = Font(strike=True, color="B3261E"), Font(underline="single", color="1B6B3A")
    for row in workbook.active.iter_rows(min_row=2, min_col=len(header) - 1):
        row[0].font, row[1].font = struck, inserted
    return _saved(workbook)


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _workbook(tables):
    """openpyxl is imported where a workbook is written, not by every worker and web process that
    imports this module."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")  # one style object shared by every cell
    for title, header, rows in tables:
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
    return workbook


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
    _frame(document, {**data, "call": {**data["call"], "symbol": None}}, words["participants"])
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"{printable(data['call']['title'])}\n{words['participants']}").bold = True
    current = None
    for row in participants(data):
        if row[0] != current:
            current = row[0]
            document.add_heading(current, level=2)
        _bullet(document, " — " + ", ".join(str(v) for v in (row[2], row[3], *row[6:]) if v), lead=row[1])
    return _save(document)


def participants_xlsx(data: dict) -> bytes:
    words = labels(data["call"]["language"])
    header = [words[k] for k in COLUMNS if k != "funding" or data.get("funds")]
    return xlsx({**data, "_sheets": [(words["participants"], header, participants(data))]})


def _receipt_facts(submission, version, language: str, words: dict) -> list[list]:
    call = submission.call
    facts = [
        [words["call"], f"{call.title_in(language)} ({call.reference})"],
        [words["state"], submission.mission.member_state.name(language)],
        [words["received"], clock.shown(version.received, call.timezone, language,
                                        reader_zone=submission.mission.timezone)],
        [words["channel"], channel(version.provenance, version.provenance_note, language)],
        [words["version"], version.number],
        [words["timing"], words["after_deadline"] if version.late else words["on_time"]],
    ]
    if version.submitted_by is not None:
        facts.append([words["submitted_by"], f"{version.submitted_by.name} ({version.submitted_by.email})"])
    return facts


def _write_receipt(writer: Writer, submission, version, language: str, secretariat: str) -> None:
    """The acknowledgement of receipt, the same in the PDF and the DOCX: the number and the facts
    of the answer, every section as received (as its kind writes one state's answer), and the
    secretariat's signature with the day it was issued."""
    from .report import section_payload
    from .submissions import documents_of

    words = labels(language)
    call, state = submission.call, submission.mission.member_state.name(language)
    writer.heading(words["receipt"], 1)
    writer.paragraph(_t("receipt_text", language, of_state=submission.mission.member_state.of(language)))
    facts = _receipt_facts(submission, version, language, words)
    writer.table([words["receipt_number"], version.receipt_number], facts, [5, 11])
    writer.heading(words["sent"], 2)
    documents = documents_of(submission, version.content)
    for section in call.sections:
        payload = section_payload(section, [(submission.mission.code, state, version.content.get(section["key"], {}))],
                                  language, documents)
        writer.heading(payload["title"], 3)  # one state's answer: upright pages, as a letter is
        kind_of(section).receipt(writer, payload, words)
    writer.paragraph(_t("issued", language, when=clock.shown(clock.now(), call.timezone, language)))
    writer.paragraph(secretariat, bold=True)


def receipt_docx(submission, version, language: str) -> bytes:
    """The numbered acknowledgement of receipt as a document the mission can file."""
    from .receipts import secretariat_name

    words, secretariat = labels(language), secretariat_name(language)
    document = _new_document()
    _header(document, secretariat, [(version.receipt_number, True)])
    _footer(document, language)
    _sign(document, secretariat, words["receipt"])
    _write_receipt(DocxWriter(document, language), submission, version, language, secretariat)
    return _save(document)


def receipt_pdf(submission, version, language: str) -> bytes:
    """The same acknowledgement as PDF (the same Writer calls), typeset by Typst with the
    secretariat and the receipt number at the head of every page."""
    from . import typeset
    from .receipts import secretariat_name

    words, secretariat = labels(language), secretariat_name(language)
    writer = TypstWriter(language)
    _write_receipt(writer, submission, version, language, secretariat)
    frame = {"language": language, "title": f"{words['receipt']} {printable(version.receipt_number)}",
             "subject": printable(submission.call.title_in(language)), "keywords": [printable(version.receipt_number)],
             "author": printable(secretariat), "secretariat": _cell(secretariat),
             "symbol": _cell(version.receipt_number), "line": _cell(submission.call.reference),
             "page": list(_page_parts(language))}
    return typeset.pdf("report.typ", {"frame": frame, "blocks": writer.blocks}, when=clock.now(), small=True,
                       timeout=60)
